"""Accident medical: the medical steps with the product's own deductible and ratios, accidents only."""

from __future__ import annotations

import copy
from typing import Any

from kincare.claims.engine import adjudicate

ACCIDENT: dict[str, Any] = {
    "claim_id": "A-1",
    "policy": {
        "category": "accident",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "first_effective_date": "2025-01-01",  # renewed: the examples are not early claims
        "waiting_period_days": 0,
        "benefits": [
            {
                "type": "accidental_medical",
                "annual_limit_fen": 5000000,
                "deductible_group": "medical",
                "ratio_with_social_insurance": "1.00",
                "ratio_without_social_insurance": "0.80",
            }
        ],
        "deductibles": {"medical": {"amount_fen": 10000, "scope": "per_claim"}},
        "hospital_rule": {"min_level": 2, "public_only": True, "special_needs_ward": False},
        "auto_approve_limit_fen": 5000000,
    },
    "accumulators": {"deductible_used_fen": {}, "paid_fen": {}},
    "claim": {
        "claim_type": "accident_medical",
        "service_start": "2026-01-02",
        "service_end": "2026-01-02",
        "diagnoses": ["S52.5"],
        "is_accident": True,
        "hospital": {"level": 2, "public": True},
        "social_insurance_used": False,
        "items": [{"category": "exam", "amount_fen": 60000}, {"category": "treatment", "amount_fen": 40001}],
    },
}


def accident(
    *, policy: dict[str, Any] | None = None, claim: dict[str, Any] | None = None, **top: Any
) -> dict[str, Any]:
    data = copy.deepcopy(ACCIDENT)
    data["policy"].update(copy.deepcopy(policy or {}))
    data["claim"].update(copy.deepcopy(claim or {}))
    data.update(copy.deepcopy(top))
    return data


def test_an_accident_pays_after_the_per_claim_deductible_at_the_products_ratio() -> None:
    result = adjudicate(accident())
    out = result.as_json()
    # covered 1,000.01; deductible 100; payable 900.01 × 0.80 = 720.008 → 720.01
    assert (out["decision"], out["benefit"], out["base_fen"]) == ("approved", "accidental_medical", 100001)
    assert (out["deductible_applied_fen"], out["ratio"], out["payout_fen"]) == (10000, "0.80", 72001)
    assert out["accumulators_after"] == {"deductible_used_fen": {}, "paid_fen": {"accidental_medical": 72001}}


def test_the_per_claim_deductible_is_charged_again_on_the_next_claim() -> None:
    first = adjudicate(accident())
    second = adjudicate(accident(accumulators=first.accumulators_after, claim={"social_insurance_used": True}))
    assert second.deductible_applied_fen == 10000
    assert second.payout_fen == 90001
    assert second.accumulators_after["paid_fen"] == {"accidental_medical": 162002}


def test_a_claim_that_is_not_an_accident_is_rejected() -> None:
    result = adjudicate(accident(claim={"is_accident": False}))
    assert (result.decision, result.reasons) == ("rejected", ("not_accident",))
    assert result.lines[0] == {"code": "rejected", "reason": "not_accident"}


def test_not_in_period_comes_before_not_accident() -> None:
    data = accident(claim={"is_accident": False, "service_start": "2027-01-02", "service_end": "2027-01-02"})
    assert adjudicate(data).reasons == ("not_in_period",)


def test_not_accident_comes_before_the_exclusions() -> None:
    assert adjudicate(accident(claim={"is_accident": False, "diagnoses": ["X70"]})).reasons == ("not_accident",)
    assert adjudicate(accident(claim={"diagnoses": ["X70"]})).reasons == ("excluded_condition",)


def test_there_is_no_waiting_period_for_an_accident_product() -> None:
    data = accident(
        policy={"waiting_period_days": 30, "first_effective_date": "2026-01-01"},
        claim={"service_start": "2026-01-01", "service_end": "2026-01-01"},
    )
    result = adjudicate(data)
    # covered (an adjuster looks at a claim on the first day: early_claim), never waiting_period
    assert (result.decision, result.payout_fen, result.flags) == ("manual_review", 72001, ("early_claim",))


def test_the_accident_products_hospital_rule_applies() -> None:
    assert adjudicate(accident(claim={"hospital": {"level": 1, "public": True}})).reasons == ("hospital_not_eligible",)


def test_an_accident_product_covers_an_inpatient_claim_by_default_but_not_critical_illness() -> None:
    assert adjudicate(accident(claim={"claim_type": "inpatient"})).decision == "approved"
    assert adjudicate(accident(claim={"claim_type": "critical_illness"})).reasons == ("claim_type_not_covered",)


def test_the_accident_limit_cuts_the_payout() -> None:
    result = adjudicate(accident(accumulators={"paid_fen": {"accidental_medical": 4990000}}))
    assert (result.payout_fen, result.reasons) == (10000, ("limit_reached",))


def test_an_accident_below_the_deductible_pays_nothing() -> None:
    result = adjudicate(accident(claim={"items": [{"category": "drug", "amount_fen": 9999}]}))
    assert (result.decision, result.payout_fen, result.reasons) == ("approved", 0, ("below_deductible",))


def test_an_accident_product_may_use_a_general_benefit_and_the_policys_ratios() -> None:
    policy = {
        "benefits": [{"type": "general", "annual_limit_fen": 1000000, "deductible_group": None}],
        "deductibles": {},
        "ratio_with_social_insurance": "1.00",
        "ratio_without_social_insurance": "0.50",
    }
    result = adjudicate(accident(policy=policy))
    assert (result.benefit, result.payout_fen) == ("general", 50001)  # 1,000.01 × 0.5 = 500.005 → 500.01
