"""Claims reads with the personas (guardian, another adult, outsider, staff), the adjusters' view,
the expected payout for crowdfunding and the automation rate."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.claims import selectors, services
from kincare.claims.models import Claim
from kincare.claims.tests.services_helpers import CRITICAL_ILLNESS, issued_policy, submit
from kincare.core.errors import NotFound, PermissionDenied, ValidationFailed
from kincare.core.models import AuditEvent
from kincare.families.services.health import health_grant_give, health_grant_revoke
from kincare.policies.models import Policy

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay) -> Policy:
    return issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def adult_policy(adult_member, adult_row, sandbox_pay) -> Policy:
    return issued_policy(adult_member, sandbox_pay, policyholder=adult_row, insured=adult_row)


def _visible(user) -> set[int]:
    return set(selectors.claim_list(user=user).values_list("pk", flat=True))


def _reads(claim: Claim) -> int:
    return AuditEvent.objects.filter(action="claims.claim_read", subject_id=str(claim.pk)).count()


# Personas ---------------------------------------------------------------------------------------------


def test_the_guardians_claim_is_hidden_from_the_other_adult_and_outsiders(
    guardian, adult_member, outsider, underwriter, claims_adjuster, policy
):
    claim = submit(guardian, policy)
    assert selectors.claim_get(user=guardian, claim_id=claim.pk) == claim
    assert _reads(claim) == 0  # the insured reading their own claim is not audited
    for other in (adult_member, outsider, underwriter, claims_adjuster):
        with pytest.raises(NotFound):
            selectors.claim_get(user=other, claim_id=claim.pk)
        assert claim.pk not in _visible(other)
    assert _visible(guardian) == {claim.pk}


def test_an_adults_claim_is_hidden_from_the_guardian_until_she_grants_health_data(
    guardian, guardian_member, adult_member, adult_row, adult_policy
):
    claim = submit(adult_member, adult_policy, adult_row)
    assert selectors.claim_get(user=adult_member, claim_id=claim.pk) == claim
    with pytest.raises(NotFound):
        selectors.claim_get(user=guardian, claim_id=claim.pk)
    grant = health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    assert selectors.claim_get(user=guardian, claim_id=claim.pk) == claim
    assert _reads(claim) == 1  # the grantee's read is audited
    health_grant_revoke(actor=adult_member, grant=grant)
    with pytest.raises(NotFound):
        selectors.claim_get(user=guardian, claim_id=claim.pk)


def test_the_guardian_sees_the_claims_of_a_child_and_of_a_member_without_account(
    guardian, guardian_member, adult_member, child, grandparent, sandbox_pay
):
    claims = []
    for member in (child, grandparent):
        policy = issued_policy(
            guardian, sandbox_pay, policyholder=guardian_member, insured=member, code="med_11", plan=None
        )
        claims.append(submit(guardian, policy, member))
    assert _visible(guardian) == {c.pk for c in claims}
    for claim in claims:
        selectors.claim_get(user=guardian, claim_id=claim.pk)
        assert _reads(claim) == 1
    assert _visible(adult_member) == set()


def test_the_submitting_policyholder_and_the_insured_adult_both_see_the_claim(
    guardian, guardian_member, adult_member, adult_row, sandbox_pay
):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=adult_row)
    claim = submit(guardian, policy, adult_row)
    assert claim.pk in _visible(guardian) and claim.pk in _visible(adult_member)


def test_a_member_who_left_the_family_no_longer_sees_its_claims(guardian, adult_member, adult_row, adult_policy):
    claim = submit(adult_member, adult_policy, adult_row)
    from django.utils import timezone

    type(adult_row).objects.filter(pk=adult_row.pk).update(removed_at=timezone.now())
    assert _visible(adult_member) == set()
    assert claim.pk not in _visible(guardian)


def test_odd_claim_ids_are_404(guardian, policy):
    for value in ("abc", "", None, True, -1, 0, 2**70, "1.5"):
        with pytest.raises(NotFound):
            selectors.claim_get(user=guardian, claim_id=value)


def test_anonymous_users_see_nothing(guardian, policy):
    from django.contrib.auth.models import AnonymousUser

    submit(guardian, policy)
    assert _visible(AnonymousUser()) == set()


# Staff ------------------------------------------------------------------------------------------------


def test_adjusters_see_the_queue_and_each_case_read_is_audited(guardian, claims_adjuster, underwriter, policy):
    paid = submit(guardian, policy)
    waiting = submit(guardian, policy, diagnoses=["C34.1"], items=[{"category": "surgery", "amount_fen": 9_000_000}])
    assert list(selectors.claim_queue()) == [waiting]
    assert selectors.claim_for_staff(actor=claims_adjuster, claim_id=waiting.pk) == waiting
    assert selectors.claim_for_staff(actor=claims_adjuster, claim_id=str(paid.pk)) == paid
    assert AuditEvent.objects.filter(action="claims.claim_read_by_staff").count() == 2
    with pytest.raises(PermissionDenied) as refused:
        selectors.claim_for_staff(actor=underwriter, claim_id=waiting.pk)
    assert refused.value.code == "adjuster_required"
    with pytest.raises(PermissionDenied):
        selectors.claim_for_staff(actor=guardian, claim_id=waiting.pk)
    with pytest.raises(NotFound):
        selectors.claim_for_staff(actor=claims_adjuster, claim_id=999_999)


def test_the_history_lists_the_status_moves(guardian, policy):
    claim = submit(guardian, policy)
    assert [c.to_status for c in selectors.claim_history(claim)] == ["approved", "paid"]


# Automation rate ------------------------------------------------------------------------------------------


def test_the_automation_rate_counts_engine_decisions_over_adjudicated_claims(guardian, claims_adjuster, policy):
    assert selectors.automation_rate() == {"engine": 0, "total": 0, "rate": None}
    submit(guardian, policy)  # paid by the engine
    submit(guardian, policy, diagnoses=["F10.2"])  # rejected by the engine
    waiting = submit(guardian, policy, diagnoses=["C34.1"], items=[{"category": "surgery", "amount_fen": 9_000_000}])
    assert selectors.automation_rate() == {"engine": 2, "total": 3, "rate": 2 / 3}
    services.claim_review_approve(actor=claims_adjuster, claim=waiting)
    assert selectors.automation_rate()["engine"] == 2  # decided by a person
    later = selectors.automation_rate(since=waiting.created_at + dt.timedelta(seconds=1))
    assert later == {"engine": 0, "total": 0, "rate": None}


# Expected payout -------------------------------------------------------------------------------------------


def test_the_expected_payout_uses_the_engine_and_stores_nothing(guardian, guardian_member, policy):
    # no social insurance: 60% of what is above the 10,000 yuan deductible
    assert selectors.expected_payout(guardian_member, "K35.8", 2_500_000) == 900_000
    assert selectors.expected_payout(guardian_member, "c34.1", 2_500_000) == 1_500_000
    assert selectors.expected_payout(guardian_member, "F10.2", 2_500_000) == 0
    assert Claim.objects.count() == 0
    submit(guardian, policy)  # the deductible is used now
    assert selectors.expected_payout(guardian_member, "K35.8", 2_500_000) == 1_500_000


def test_the_expected_payout_follows_the_members_social_insurance(guardian, guardian_member, policy):
    type(guardian_member).objects.filter(pk=guardian_member.pk).update(social_insurance="urban_employee")
    guardian_member.refresh_from_db()
    assert selectors.expected_payout(guardian_member, "K35.8", 2_500_000) == 1_500_000


def test_the_expected_payout_sums_the_members_policies(guardian, guardian_member, policy, sandbox_pay):
    critical = issued_policy(
        guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code=CRITICAL_ILLNESS, plan=None
    )
    assert selectors.expected_payout(guardian_member, "C34.1", 2_500_000) == 1_500_000 + critical.sum_insured_fen
    # a policy still in its waiting period adds nothing
    Policy.objects.filter(pk=critical.pk).update(first_effective_on=dt.date.today())
    assert selectors.expected_payout(guardian_member, "C34.1", 2_500_000) == 1_500_000


def test_the_expected_payout_of_a_member_without_policies_is_zero(grandparent):
    assert selectors.expected_payout(grandparent, "K35.8", 2_500_000) == 0


@pytest.mark.parametrize(
    ("diagnosis", "cost", "code"),
    [("ZZ9", 100, "diagnosis_unknown"), (None, 100, "diagnosis_unknown"), ("K35.8", 0, "amount_invalid"),
     ("K35.8", "100", "amount_invalid"), ("K35.8", True, "amount_invalid"), ("K35.8", 10**11, "amount_invalid")],
)  # fmt: skip
def test_the_expected_payout_refuses_bad_input(guardian_member, diagnosis, cost, code):
    with pytest.raises(ValidationFailed) as refused:
        selectors.expected_payout(guardian_member, diagnosis, cost)
    assert refused.value.code == code


def test_an_outsiders_family_claims_never_mix(guardian, policy, outsider, sandbox_pay):
    from kincare.families.models import Member

    outsider_row = Member.objects.get(user=outsider)
    theirs = issued_policy(outsider, sandbox_pay, policyholder=outsider_row, insured=outsider_row)
    mine = submit(guardian, policy)
    other = submit(outsider, theirs, outsider_row)
    assert _visible(guardian) == {mine.pk} and _visible(outsider) == {other.pk}


def test_a_grantee_reads_but_only_the_claimant_side_adds_documents(
    guardian, guardian_member, adult_member, adult_row, outsider, adult_policy
):
    from kincare.claims.tests.services_helpers import upload

    claim = submit(
        adult_member,
        adult_policy,
        adult_row,
        diagnoses=["C34.1"],
        items=[{"category": "surgery", "amount_fen": 9_000_000}],
    )
    assert claim.status == "manual_review"
    health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    assert selectors.claim_get(user=guardian, claim_id=claim.pk) == claim
    with pytest.raises(PermissionDenied):
        services.claim_documents_add(actor=guardian, claim=claim, documents=[("invoice", upload())])
    with pytest.raises(NotFound):
        services.claim_documents_add(actor=outsider, claim=claim, documents=[("invoice", upload())])
    services.claim_documents_add(actor=adult_member, claim=claim, documents=[("invoice", upload())])
    assert claim.documents.count() == 2  # the invoice it came with and this one
