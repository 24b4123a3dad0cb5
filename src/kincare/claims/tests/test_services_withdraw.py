"""claim_withdraw: the claimant takes back a claim nobody has decided yet; it leaves the adjusters' queue and
its invoice no longer counts as a duplicate; a decided or approved claim, a reader and an outsider cannot."""

from __future__ import annotations

import pytest

from kincare.claims import selectors, services
from kincare.claims.models import Claim, ClaimAccumulator
from kincare.claims.services.withdraw import claim_withdraw
from kincare.claims.tests.services_helpers import issued_policy, submit
from kincare.core.errors import Conflict, NotFound, PermissionDenied
from kincare.core.fsm import status_history
from kincare.core.models import AuditEvent
from kincare.families.services.health import health_grant_give

pytestmark = pytest.mark.usefixtures("catalog")

#: 90,000 yuan of lung-cancer surgery: above the auto-approve limit, an adjuster decides
LARGE = {"diagnoses": ["C34.1"], "items": [{"category": "surgery", "amount_fen": 9_000_000}]}


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay):
    return issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def waiting(guardian, policy) -> Claim:
    claim = submit(guardian, policy, invoice_numbers=["INV-9"], **LARGE)
    assert claim.status == "manual_review"
    return claim


def test_it_withdraws_a_claim_waiting_for_an_adjuster(guardian, waiting):
    claim = claim_withdraw(actor=guardian, claim=waiting)
    assert Claim.objects.get(pk=claim.pk).status == "withdrawn"
    assert [c.to_status for c in status_history(claim)][-1] == "withdrawn"
    assert AuditEvent.objects.filter(subject_id=str(claim.pk), actor=guardian).exists()
    assert list(selectors.claim_queue()) == []
    assert ClaimAccumulator.objects.get(policy=claim.policy).paid == {}  # nothing was counted


def test_a_withdrawn_claims_invoice_does_not_flag_the_claim_submitted_again(guardian, policy, waiting):
    claim_withdraw(actor=guardian, claim=waiting)
    again = submit(guardian, policy, invoice_numbers=["INV-9"], **LARGE)
    assert "duplicate_invoice" not in again.flags


def test_it_refuses_a_decided_claim(guardian, policy):
    paid = submit(guardian, policy)
    with pytest.raises(Conflict) as refused:
        claim_withdraw(actor=guardian, claim=paid)
    assert refused.value.code == "claim_not_withdrawable"
    assert Claim.objects.get(pk=paid.pk).status == "paid"


def test_it_refuses_a_claim_an_adjuster_approved_for_the_second_approval(guardian, claims_adjuster, waiting):
    services.claim_review_approve(actor=claims_adjuster, claim=waiting)
    assert Claim.objects.get(pk=waiting.pk).status == "awaiting_second_approval"
    with pytest.raises(Conflict):
        claim_withdraw(actor=guardian, claim=waiting)


def test_an_adjuster_cannot_decide_a_withdrawn_claim(guardian, claims_adjuster, waiting):
    claim_withdraw(actor=guardian, claim=waiting)
    with pytest.raises(Conflict) as refused:
        services.claim_review_approve(actor=claims_adjuster, claim=waiting)
    assert refused.value.code == "claim_not_in_review"


def test_a_grantee_reads_but_cannot_withdraw_and_others_do_not_find_it(
    adult_member, adult_row, guardian, guardian_member, outsider, sandbox_pay
):
    policy = issued_policy(adult_member, sandbox_pay, policyholder=adult_row, insured=adult_row)
    claim = submit(adult_member, policy, **LARGE)
    with pytest.raises(NotFound):
        claim_withdraw(actor=guardian, claim=claim)  # another adult without her grant
    health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    with pytest.raises(PermissionDenied):
        claim_withdraw(actor=guardian, claim=claim)
    with pytest.raises(NotFound):
        claim_withdraw(actor=outsider, claim=claim)
    assert claim_withdraw(actor=adult_member, claim=claim).status == "withdrawn"


def test_the_guardian_withdraws_his_childs_claim(guardian, guardian_member, child, sandbox_pay):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=child)
    claim = submit(guardian, policy, child, **LARGE)
    assert claim_withdraw(actor=guardian, claim=claim).status == "withdrawn"
