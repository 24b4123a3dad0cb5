"""A multiple-payout critical-illness policy through claim_submit: the payout groups of earlier severe
payouts come from the member's paid claims, so a second severe claim of the same group is rejected."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.claims.presentation import explain
from kincare.claims.tests.services_helpers import TODAY, issued_policy, submit, unique_pdf, upload

pytestmark = pytest.mark.usefixtures("catalog")

#: 星河多倍保重疾: severe illness pays up to 3 times, in 5 groups, 365 days apart; 180-day waiting period
MULTIPLE_PAYOUT = "ci_03"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CLAIMS_AUTO_APPROVE_LIMIT_FEN = 10**12  # the sum insured is paid without an adjuster here


def _severe(guardian, policy, diagnosis: str, days_ago: int):
    day = TODAY - dt.timedelta(days=days_ago)
    return submit(
        guardian,
        policy,
        claim_type="critical_illness",
        items=[],
        social_insurance_paid_fen=0,
        diagnoses=[diagnosis],
        service_start=day,
        service_end=day,
        documents=[("diagnosis", upload(unique_pdf()))],
    )


def test_it_rejects_a_second_severe_claim_in_a_group_already_paid(guardian, guardian_member, sandbox_pay):
    policy = issued_policy(
        guardian,
        sandbox_pay,
        policyholder=guardian_member,
        insured=guardian_member,
        code=MULTIPLE_PAYOUT,
        plan=None,
        effective_days_ago=1200,
        first_effective_days_ago=1200,
        years=5,
    )
    lung_cancer = _severe(guardian, policy, "C34.1", days_ago=800)
    assert (lung_cancer.status, lung_cancer.payout_fen) == ("paid", policy.sum_insured_fen)
    breast_cancer = _severe(guardian, policy, "C50.9", days_ago=20)
    assert (breast_cancer.status, breast_cancer.reasons) == ("rejected", ["payout_group_used"])
    assert "“恶性肿瘤”组" in explain(breast_cancer).reasons[0]  # the family reads which group was paid
    heart_attack = _severe(guardian, policy, "I21.0", days_ago=20)
    assert (heart_attack.status, heart_attack.payout_fen) == ("paid", policy.sum_insured_fen)
    stroke = _severe(guardian, policy, "I63.9", days_ago=10)
    assert (stroke.status, stroke.reasons) == ("rejected", ["payout_group_used"])
