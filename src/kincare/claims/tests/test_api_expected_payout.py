"""POST /claims/expected-payout × personas: the member's claim history (the deductible and limits used this
year) and underwriting exclusions count only for whoever may read the member's claims, and such a read by
anyone but the member is audited; another adult without a grant gets the estimate from the policy terms
alone, so it cannot reveal a claim; outsiders get 404."""

from __future__ import annotations

import pytest

from kincare.claims.tests.api_helpers import API, call, client_for, error, ok
from kincare.claims.tests.services_helpers import issued_policy, submit
from kincare.core.models import AuditEvent
from kincare.families.services.health import health_grant_give
from kincare.policies.tests.services_helpers import hepatitis_b_carrier

#: the spec's example cost; the guardian has no social insurance: 60 % above the 10,000-yuan deductible
COST = 2_500_000
FRESH = 900_000  # (25,000 − 10,000) × 0.60 yuan
AFTER_HIS_CLAIM = 1_500_000  # his claim used the deductible: 25,000 × 0.60


@pytest.fixture
def guardian_with_a_claim(catalog, guardian, guardian_member, sandbox_pay):
    """The guardian's medical policy and a paid claim of his that used this year's deductible."""
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)
    assert submit(guardian, policy).status == "paid"
    return guardian_member


def _ask(user, member, diagnosis="K35.8"):
    body = {"member_id": member.pk, "diagnosis": diagnosis, "cost_fen": COST}
    return call(client_for(user), "post", f"{API}/expected-payout", body)


def _reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="claims.expected_payout_read"))


def test_the_guardian_gets_his_own_estimate_with_this_years_claims(guardian, guardian_with_a_claim):
    found = ok(_ask(guardian, guardian_with_a_claim))
    assert (found["expected_payout_fen"], found["uses_claim_history"]) == (AFTER_HIS_CLAIM, True)
    assert _reads() == []  # his own data


def test_another_adult_without_a_grant_cannot_infer_the_guardians_claims(
    guardian_with_a_claim, adult_member, guardian, guardian_member, sandbox_pay
):
    found = ok(_ask(adult_member, guardian_with_a_claim))
    # the same figure as for a member who never claimed: the used deductible does not show
    assert (found["expected_payout_fen"], found["uses_claim_history"]) == (FRESH, False)
    assert _reads() == []


def test_another_adult_with_the_guardians_grant_gets_the_full_estimate_and_is_audited(
    guardian, guardian_with_a_claim, adult_row, adult_member
):
    health_grant_give(actor=guardian, grantor=guardian_with_a_claim, grantee=adult_row)
    found = ok(_ask(adult_member, guardian_with_a_claim))
    assert (found["expected_payout_fen"], found["uses_claim_history"]) == (AFTER_HIS_CLAIM, True)
    [read] = _reads()
    assert (read.actor_id, read.subject_id) == (adult_member.pk, str(guardian_with_a_claim.pk))
    assert "K35" not in str(read.new) and "K35" not in str(read.old)


def test_an_outsider_gets_404_and_an_anonymous_caller_401(guardian_with_a_claim, outsider):
    error(_ask(outsider, guardian_with_a_claim), 404, None)
    body = {"member_id": 1, "diagnosis": "K35.8", "cost_fen": COST}
    error(call(client_for(), "post", f"{API}/expected-payout", body), 401)


def test_another_adults_underwriting_exclusion_does_not_show_in_the_guardians_estimate(
    catalog, guardian, adult_member, adult_row, sandbox_pay
):
    issued_policy(
        adult_member,
        sandbox_pay,
        policyholder=adult_row,
        insured=adult_row,
        code="med_11",
        plan=None,
        answers={adult_row.pk: [hepatitis_b_carrier()]},
    )
    own = ok(_ask(adult_member, adult_row, diagnosis="B18.1"))
    assert (own["expected_payout_fen"], own["uses_claim_history"]) == (0, True)  # excluded for her
    asked = ok(_ask(guardian, adult_row, diagnosis="B18.1"))
    assert asked["uses_claim_history"] is False and asked["expected_payout_fen"] > 0
