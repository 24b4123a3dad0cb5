"""Critical illness: severity from the diagnosis, sum insured × ratio, payout counts, cover ending."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kincare.claims.engine import adjudicate, classify, severity_table, shipped_ci_list
from kincare.claims.engine.terms import PolicyTerms

CI: dict[str, Any] = {
    "claim_id": "CI-1",
    "policy": {
        "policy_id": "P-CI",
        "category": "critical_illness",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "first_effective_date": "2025-06-01",
        "waiting_period_days": 90,
        "exclusions": ["E11"],
        "sum_insured_fen": 30000000,
        "severities": {
            "severe": {"ratio": "1.00", "max_payouts": 1},
            "moderate": {"ratio": "0.60", "max_payouts": 2},
            "mild": {"ratio": "0.30", "max_payouts": 3},
        },
        "auto_approve_limit_fen": 50000000,
    },
    "accumulators": {"payouts": {}, "paid_fen": {}},
    "claim": {
        "claim_type": "critical_illness",
        "service_start": "2026-04-02",
        "service_end": "2026-04-02",
        "diagnoses": ["C34.1"],
    },
}


def ci(*, policy: dict[str, Any] | None = None, claim: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    data = copy.deepcopy(CI)
    data["policy"].update(copy.deepcopy(policy or {}))
    data["claim"].update(copy.deepcopy(claim or {}))
    data.update(copy.deepcopy(top))
    return data


def test_a_severe_illness_pays_the_sum_insured_and_ends_the_cover() -> None:
    result = adjudicate(ci())
    out = result.as_json()
    assert (out["decision"], out["benefit"], out["ratio"], out["payout_fen"]) == (
        "approved",
        "severe",
        "1.00",
        30000000,
    )
    assert (out["base_fen"], out["covered_fen"], out["deductible_applied_fen"]) == (30000000, 0, 0)
    assert out["accumulators_after"] == {
        "deductible_used_fen": {},
        "paid_fen": {"severe": 30000000},
        "payouts": {"severe": 1},
        "last_payout_on": {"severe": "2026-04-02"},
    }
    codes = [line["code"] for line in result.lines]
    assert codes == ["severity", "sum_insured", "ratio", "payout_count", "cover_ends", "payout"]
    assert result.lines[0] == {
        "code": "severity",
        "severity": "severe",
        "diagnosis": "C34.1",
        "prefix": "C",
        "declared": False,
        "confirmed": True,
    }


@pytest.mark.parametrize(
    ("code", "severity", "payout"),
    [
        ("I21.0", "severe", 30000000),
        ("I69.3", "moderate", 18000000),
        ("D05.1", "mild", 9000000),
        ("C44.3", "mild", 9000000),
    ],
)
def test_the_severity_comes_from_the_longest_matching_prefix(code: str, severity: str, payout: int) -> None:
    result = adjudicate(ci(claim={"diagnoses": [code]}))
    assert (result.benefit, result.severity, result.payout_fen) == (severity, severity, payout)


def test_the_most_severe_covered_diagnosis_decides() -> None:
    result = adjudicate(ci(claim={"diagnoses": ["C44.3", "I21.0"]}))
    assert result.benefit == "severe"


def test_a_severity_the_product_does_not_offer_is_not_covered() -> None:
    policy = {"severities": {"severe": {"ratio": "1.00", "max_payouts": 1}, "mild": {"ratio": "0.2", "max_payouts": 3}}}
    result = adjudicate(ci(policy=policy, claim={"diagnoses": ["I69.3"]}))  # moderate
    assert result.reasons == ("not_covered_disease",)
    assert result.lines[0]["severity"] == "moderate"
    # skin cancer stays mild (not "C" severe) even on a product without a moderate tier
    assert adjudicate(ci(policy=policy, claim={"diagnoses": ["C44.3"]})).payout_fen == 6000000


def test_a_diagnosis_outside_the_list_is_rejected_not_covered_disease() -> None:
    result = adjudicate(ci(claim={"diagnoses": ["J18.9"]}))
    assert (result.decision, result.reasons) == ("rejected", ("not_covered_disease",))
    assert result.lines[0] == {"code": "rejected", "reason": "not_covered_disease", "diagnoses": ["J18.9"]}
    assert result.accumulators_after == {"deductible_used_fen": {}, "paid_fen": {}, "payouts": {}, "last_payout_on": {}}


def test_the_policy_may_list_its_own_prefixes_per_severity() -> None:
    policy = {
        "severities": {
            "severe": {"ratio": "1.2", "max_payouts": 1, "icd_prefixes": ["C", "I21"]},
            "mild": {"ratio": "0.25", "max_payouts": 3, "icd_prefixes": ["C73"]},
        }
    }
    assert adjudicate(ci(policy=policy, claim={"diagnoses": ["C73"]})).payout_fen == 7500000
    result = adjudicate(ci(policy=policy, claim={"diagnoses": ["C34.1"]}))
    assert (result.payout_fen, result.as_json()["ratio"]) == (36000000, "1.20")
    assert adjudicate(ci(policy=policy, claim={"diagnoses": ["I63.9"]})).reasons == ("not_covered_disease",)


def test_a_claimed_severity_the_diagnosis_confirms_is_paid_automatically() -> None:
    result = adjudicate(ci(claim={"diagnoses": ["C73"], "severity": "mild"}))
    assert (result.decision, result.payout_fen) == ("approved", 9000000)
    assert result.lines[0]["declared"] is True and result.lines[0]["confirmed"] is True


def test_a_claimed_severity_the_diagnosis_does_not_confirm_goes_to_an_adjuster() -> None:
    # a large thyroid cancer is severe, but the code alone says mild
    result = adjudicate(ci(claim={"diagnoses": ["C73"], "severity": "severe"}))
    assert result.decision == "manual_review"
    assert result.reasons == ("severity_unconfirmed",)
    assert result.payout_fen == 30000000
    assert result.lines[0] == {
        "code": "severity",
        "severity": "severe",
        "declared": True,
        "confirmed": False,
        "derived_severity": "mild",
    }


def test_a_claimed_severity_the_product_does_not_offer_is_not_covered() -> None:
    policy = {"severities": {"severe": {"ratio": "1.00", "max_payouts": 1}}}
    assert adjudicate(ci(policy=policy, claim={"severity": "mild"})).reasons == ("not_covered_disease",)


def test_the_waiting_period_applies_except_to_accidents() -> None:
    # first effective 2025-06-01 + 90 days → first covered day 2025-08-30
    policy = {"period_start": "2025-06-01", "period_end": "2026-05-31"}
    inside = ci(policy=policy, claim={"service_start": "2025-08-29", "service_end": "2025-08-29"})
    result = adjudicate(inside)
    assert result.reasons == ("waiting_period",)
    assert result.lines[0]["first_covered_day"] == "2025-08-30"
    inside["claim"]["is_accident"] = True
    inside["claim"]["diagnoses"] = ["S06.2"]
    # covered; so soon after the start an adjuster looks first (early_claim)
    assert (adjudicate(inside).decision, adjudicate(inside).flags) == ("manual_review", ("early_claim",))
    on_day = ci(policy=policy, claim={"service_start": "2025-08-30", "service_end": "2025-08-30"})
    assert adjudicate(on_day).payout_fen == 30000000 and adjudicate(on_day).flags == ("early_claim",)


def test_a_180_day_waiting_period() -> None:
    data = ci(
        policy={"waiting_period_days": 180, "first_effective_date": "2026-01-01"},
        claim={"service_start": "2026-06-29", "service_end": "2026-06-29"},
    )
    assert adjudicate(data).reasons == ("waiting_period",)
    data["claim"]["service_start"] = data["claim"]["service_end"] = "2026-06-30"
    assert adjudicate(data).decision == "manual_review" and adjudicate(data).flags == ("early_claim",)


def test_exclusions_apply_to_critical_illness_too() -> None:
    assert adjudicate(ci(claim={"diagnoses": ["E11.9", "I21.0"]})).reasons == ("excluded_condition",)
    assert adjudicate(ci(claim={"diagnoses": ["X70"]})).reasons == ("excluded_condition",)


def test_a_medical_claim_type_is_not_covered_by_a_critical_illness_policy() -> None:
    assert adjudicate(ci(claim={"claim_type": "inpatient"})).reasons == ("claim_type_not_covered",)


def test_after_a_severe_payout_the_cover_has_ended() -> None:
    first = adjudicate(ci())
    for code in ("I21.0", "I69.3", "D05.1"):
        again = ci(claim={"diagnoses": [code], "service_start": "2026-10-01", "service_end": "2026-10-01"})
        again["accumulators"] = first.accumulators_after
        result = adjudicate(again)
        assert result.reasons == ("cover_ended",)
        assert result.accumulators_after == first.accumulators_after


def test_mild_payouts_are_independent_up_to_their_maximum() -> None:
    accumulators: dict[str, Any] = {}
    payouts = []
    for _ in range(4):
        data = ci(claim={"diagnoses": ["D05.1"]}, accumulators=accumulators)
        result = adjudicate(data)
        payouts.append(result.payout_fen)
        accumulators = result.accumulators_after
    assert payouts == [9000000, 9000000, 9000000, 0]
    assert accumulators["payouts"] == {"mild": 3}
    assert result.reasons == ("max_payouts_reached",)
    assert result.lines[0] == {
        "code": "rejected",
        "reason": "max_payouts_reached",
        "severity": "mild",
        "payouts": 3,
        "max_payouts": 3,
    }
    # the moderate tier is untouched, and severe still pays after three mild payouts
    moderate = adjudicate(ci(claim={"diagnoses": ["I69.3"]}, accumulators=accumulators))
    assert moderate.payout_fen == 18000000
    severe = adjudicate(ci(accumulators=moderate.accumulators_after))
    assert severe.payout_fen == 30000000
    assert severe.accumulators_after["payouts"] == {"mild": 3, "moderate": 1, "severe": 1}


def multi(**policy: Any) -> dict[str, Any]:
    return {
        "multiple_payout_groups": 5,
        "payout_gap_days": 365,
        "severities": {"severe": {"ratio": "1.00", "max_payouts": 3}, "mild": {"ratio": "0.3", "max_payouts": 3}},
        "period_end": "2029-12-31",
        **policy,
    }


def test_a_multiple_payout_product_pays_severe_illness_again_after_the_gap() -> None:
    first = adjudicate(ci(policy=multi()))
    assert [line["code"] for line in first.lines][-2:] == ["next_payout_from", "payout"]
    assert first.lines[-2]["date"] == "2027-04-02"
    too_soon = ci(
        policy=multi(), claim={"diagnoses": ["I21.0"], "service_start": "2027-04-01", "service_end": "2027-04-01"}
    )
    too_soon["accumulators"] = first.accumulators_after
    result = adjudicate(too_soon)
    assert result.reasons == ("payout_gap",)
    assert result.lines[0] == {
        "code": "rejected",
        "reason": "payout_gap",
        "last_payout_on": "2026-04-02",
        "payout_gap_days": 365,
        "next_possible_on": "2027-04-02",
    }
    on_time = copy.deepcopy(too_soon)
    on_time["claim"]["service_start"] = on_time["claim"]["service_end"] = "2027-04-02"
    second = adjudicate(on_time)
    assert second.payout_fen == 30000000
    assert second.accumulators_after["payouts"] == {"severe": 2}
    assert second.accumulators_after["last_payout_on"] == {"severe": "2027-04-02"}
    assert second.accumulators_after["paid_fen"] == {"severe": 60000000}


def test_a_multiple_payout_product_stops_at_the_severe_maximum() -> None:
    data = ci(policy=multi(), accumulators={"payouts": {"severe": 3}, "last_payout_on": {"severe": "2020-01-01"}})
    assert adjudicate(data).reasons == ("max_payouts_reached",)


def test_mild_cover_ends_with_a_severe_payout_even_on_a_multiple_payout_product() -> None:
    data = ci(policy=multi(), claim={"diagnoses": ["D05.1"]}, accumulators={"payouts": {"severe": 1}})
    assert adjudicate(data).reasons == ("cover_ended",)


def test_a_large_critical_illness_payout_goes_to_an_adjuster() -> None:
    result = adjudicate(ci(policy={"auto_approve_limit_fen": 5000000}))
    assert (result.decision, result.reasons) == ("manual_review", ("above_auto_approve_limit",))


def test_the_shipped_list_has_every_severity_and_classifies_by_the_longest_prefix() -> None:
    listed = shipped_ci_list()
    assert set(listed) == {"severe", "moderate", "mild"} and all(listed.values())
    table = severity_table(PolicyTerms.model_validate(CI["policy"]))
    assert classify("C34.1", table) == ("severe", "C")
    assert classify("C44.3", table) == ("mild", "C44")
    assert classify("T31.3", table) == ("severe", "T31.3")
    assert classify("T31.2", table) == ("moderate", "T31.2")
    assert classify("J18.9", table) is None
