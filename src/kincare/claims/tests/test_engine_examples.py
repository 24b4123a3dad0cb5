"""The spec's examples (../shared/spec/claims.md), each exactly; ``example()`` is shared by the engine tests."""

from __future__ import annotations

import copy
from typing import Any

from kincare.claims.engine import Adjudication, adjudicate

EXAMPLE: dict[str, Any] = {
    "claim_id": "C-1",
    "policy": {
        "policy_id": "P-1",
        "category": "medical",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "first_effective_date": "2025-01-01",
        "waiting_period_days": 30,
        "exclusions": ["B18", "K7"],
        "benefits": [
            {"type": "general", "annual_limit_fen": 200000000, "deductible_group": "main"},
            {
                "type": "serious_illness",
                "annual_limit_fen": 400000000,
                "deductible_group": None,
                "icd_prefixes": ["C", "I21", "I63"],
            },
        ],
        "deductibles": {"main": {"amount_fen": 1000000, "scope": "annual"}},
        "ratio_with_social_insurance": "1.00",
        "ratio_without_social_insurance": "0.60",
        "covered_claim_types": ["inpatient", "special_outpatient", "outpatient_surgery", "pre_post_outpatient"],
        "pre_post_days": [30, 30],
        "hospital_rule": {"min_level": 2, "public_only": True, "special_needs_ward": False},
        "auto_approve_limit_fen": 5000000,
    },
    "accumulators": {"deductible_used_fen": {"main": 0}, "paid_fen": {"general": 0, "serious_illness": 0}},
    "claim": {
        "member_id": "M-1",
        "claim_type": "inpatient",
        "service_start": "2026-03-01",
        "service_end": "2026-03-10",
        "diagnoses": ["K35.8"],
        "is_accident": False,
        "hospital": {"level": 3, "public": True, "special_needs_ward": False},
        "social_insurance_used": True,
        "items": [{"category": "drug", "amount_fen": 2500000}, {"category": "non_medical", "amount_fen": 30000}],
        "social_insurance_paid_fen": 1200000,
        "other_insurance_paid_fen": 0,
        "related_stay": None,
    },
}

SPEC_OUTPUT = {
    "claim_id": "C-1",
    "decision": "approved",
    "reasons": [],
    "benefit": "general",
    "covered_fen": 2500000,
    "not_covered_fen": 30000,
    "base_fen": 1300000,
    "deductible_applied_fen": 1000000,
    "ratio": "1.00",
    "payout_fen": 300000,
    "accumulators_after": {
        "deductible_used_fen": {"main": 1000000},
        "paid_fen": {"general": 300000, "serious_illness": 0},
    },
}


def example(*, policy: dict[str, Any] | None = None, claim: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """The spec's example with changes: ``policy={...}`` and ``claim={...}`` merge into those parts."""
    data = copy.deepcopy(EXAMPLE)
    data["policy"].update(copy.deepcopy(policy or {}))
    data["claim"].update(copy.deepcopy(claim or {}))
    data.update(copy.deepcopy(top))
    return data


def spec_line(result: Adjudication) -> dict[str, Any]:
    """The output without the additions (flags, lines): the spec's output line."""
    out = result.as_json()
    del out["flags"], out["lines"]
    return out


def test_the_main_example_gives_exactly_the_specs_output_line() -> None:
    result = adjudicate(EXAMPLE)
    assert spec_line(result) == SPEC_OUTPUT
    out = result.as_json()
    assert out["flags"] == [] and isinstance(out["lines"], list)
    assert list(out) == [*SPEC_OUTPUT, "flags", "lines"]


def test_the_main_example_is_explained_line_by_line() -> None:
    lines = {line["code"]: line for line in adjudicate(EXAMPLE).lines}
    assert lines["item_covered"] == {"code": "item_covered", "category": "drug", "amount_fen": 2500000}
    assert lines["item_not_covered"] == {"code": "item_not_covered", "category": "non_medical", "amount_fen": 30000}
    assert lines["social_insurance"]["amount_fen"] == 1200000
    assert lines["base"]["amount_fen"] == 1300000
    assert lines["deductible"] == {
        "code": "deductible",
        "group": "main",
        "scope": "annual",
        "deductible_fen": 1000000,
        "used_before_fen": 0,
        "remaining_before_fen": 1000000,
        "by_other_fen": 0,
        "by_base_fen": 1000000,
        "amount_fen": 1000000,
        "remaining_after_fen": 0,
    }
    assert lines["ratio"] == {
        "code": "ratio",
        "ratio": "1.00",
        "social_insurance_used": True,
        "payable_fen": 300000,
        "amount_fen": 300000,
    }
    assert lines["limit"]["limit_left_fen"] == 200000000 and lines["limit"]["cut"] is False
    assert lines["payout"]["amount_fen"] == 300000


def test_without_social_insurance_the_base_is_the_whole_covered_amount_at_sixty_percent() -> None:
    result = adjudicate(example(claim={"social_insurance_used": False, "social_insurance_paid_fen": 0}))
    assert (result.base_fen, result.deductible_applied_fen) == (2500000, 1000000)
    assert result.as_json()["ratio"] == "0.60"
    assert result.payout_fen == 900000
    assert result.decision == "approved"


def test_other_insurance_offsets_the_deductible_before_the_base() -> None:
    result = adjudicate(example(claim={"other_insurance_paid_fen": 400000}))
    assert result.base_fen == 900000
    assert result.deductible_applied_fen == 1000000
    assert result.payout_fen == 300000
    assert result.accumulators_after["deductible_used_fen"] == {"main": 1000000}
    deductible = next(line for line in result.lines if line["code"] == "deductible")
    assert (deductible["by_other_fen"], deductible["by_base_fen"]) == (400000, 600000)


def test_a_cancer_diagnosis_pays_from_the_serious_illness_benefit_without_deductible() -> None:
    result = adjudicate(example(claim={"diagnoses": ["C34.1"]}))
    assert result.benefit == "serious_illness"
    assert result.deductible_applied_fen == 0
    assert result.payout_fen == 1300000
    assert result.accumulators_after == {
        "deductible_used_fen": {"main": 0},
        "paid_fen": {"general": 0, "serious_illness": 1300000},
    }
    benefit = next(line for line in result.lines if line["code"] == "benefit")
    assert benefit == {"code": "benefit", "benefit": "serious_illness", "diagnosis": "C34.1", "prefix": "C"}


def test_a_claim_inside_the_waiting_period_is_rejected_and_the_first_covered_day_is_named() -> None:
    data = example(
        policy={"period_start": "2025-01-01", "period_end": "2025-12-31", "first_effective_date": "2025-01-01"},
        claim={"service_start": "2025-01-20", "service_end": "2025-01-25"},
    )
    result = adjudicate(data)
    assert (result.decision, result.reasons, result.payout_fen) == ("rejected", ("waiting_period",), 0)
    assert result.accumulators_after == EXAMPLE["accumulators"]
    assert result.lines[0] == {
        "code": "rejected",
        "reason": "waiting_period",
        "service_start": "2025-01-20",
        "first_covered_day": "2025-01-31",
        "waiting_period_days": 30,
    }


def test_the_first_covered_day_itself_is_covered_and_the_day_before_is_not() -> None:
    policy = {"period_start": "2025-01-01", "period_end": "2025-12-31", "first_effective_date": "2025-01-01"}
    on_the_day = adjudicate(example(policy=policy, claim={"service_start": "2025-01-31", "service_end": "2025-02-02"}))
    day_before = adjudicate(example(policy=policy, claim={"service_start": "2025-01-30", "service_end": "2025-02-02"}))
    # covered, and so early that an adjuster looks first
    assert (on_the_day.decision, on_the_day.flags, on_the_day.payout_fen) == ("manual_review", ("early_claim",), 300000)
    assert day_before.reasons == ("waiting_period",)


def test_an_accident_inside_the_waiting_period_is_covered() -> None:
    policy = {"period_start": "2025-01-01", "period_end": "2025-12-31", "first_effective_date": "2025-01-01"}
    result = adjudicate(
        example(policy=policy, claim={"service_start": "2025-01-02", "service_end": "2025-01-03", "is_accident": True})
    )
    assert result.reasons == ("risk_flagged",) and result.payout_fen == 300000
    assert result.flags == ("early_claim",)  # inside the waiting period: early, never waiting_period
