"""Amounts and decisions: deductibles, limits, zero payouts, the auto-approve limit, risk flags."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kincare.claims.engine import (
    ClaimInputInvalid,
    PolicyTerms,
    RiskFacts,
    adjudicate,
    apply_ratio_half_up,
    format_ratio,
    risk_flags,
)
from kincare.claims.tests.test_engine_examples import EXAMPLE, example


def lines_by_code(result: object) -> dict[str, dict[str, object]]:
    return {line["code"]: line for line in result.lines}  # type: ignore[attr-defined]


def test_an_annual_deductible_already_partly_used_takes_only_what_is_left() -> None:
    result = adjudicate(example(accumulators={"deductible_used_fen": {"main": 700000}, "paid_fen": {}}))
    assert result.deductible_applied_fen == 300000
    assert result.payout_fen == 1000000
    assert result.accumulators_after == {"deductible_used_fen": {"main": 1000000}, "paid_fen": {"general": 1000000}}
    assert lines_by_code(result)["deductible"]["used_before_fen"] == 700000


def test_an_annual_deductible_used_up_is_not_charged_again() -> None:
    result = adjudicate(example(accumulators={"deductible_used_fen": {"main": 1000000}, "paid_fen": {}}))
    assert (result.deductible_applied_fen, result.payout_fen) == (0, 1300000)


def test_a_per_claim_deductible_is_charged_in_full_every_time_and_never_accumulates() -> None:
    policy = {"deductibles": {"main": {"amount_fen": 50000, "scope": "per_claim"}}}
    for used in (0, 50000, 9999999):
        result = adjudicate(
            example(policy=policy, accumulators={"deductible_used_fen": {"main": used}, "paid_fen": {}})
        )
        assert result.deductible_applied_fen == 50000
        assert result.payout_fen == 1250000
        assert result.accumulators_after["deductible_used_fen"] == {"main": used}
        line = lines_by_code(result)["deductible"]
        assert (line["scope"], line["used_before_fen"], line["remaining_before_fen"]) == ("per_claim", 0, 50000)


@pytest.mark.parametrize("scope", ["annual_member", "annual_family"])
def test_the_catalogs_annual_scopes_accumulate_like_annual(scope: str) -> None:
    policy = {"deductibles": {"main": {"amount_fen": 1000000, "scope": scope}}}
    result = adjudicate(example(policy=policy, accumulators={"deductible_used_fen": {"main": 400000}}))
    assert result.deductible_applied_fen == 600000
    assert result.accumulators_after["deductible_used_fen"] == {"main": 1000000}


def test_a_payout_cut_by_the_annual_limit_says_limit_reached() -> None:
    result = adjudicate(
        example(accumulators={"deductible_used_fen": {"main": 1000000}, "paid_fen": {"general": 199000000}})
    )
    assert result.payout_fen == 1000000
    assert result.reasons == ("limit_reached",)
    assert result.decision == "approved"
    assert result.accumulators_after["paid_fen"]["general"] == 200000000
    limit = lines_by_code(result)["limit"]
    assert (limit["limit_left_fen"], limit["amount_fen"], limit["cut"]) == (1000000, 1000000, True)


def test_a_benefit_used_up_pays_nothing_and_says_limit_reached() -> None:
    result = adjudicate(example(accumulators={"paid_fen": {"general": 200000000}}))
    assert (result.payout_fen, result.reasons, result.decision) == (0, ("limit_reached",), "approved")


def test_a_payout_exactly_at_the_limit_left_is_not_cut() -> None:
    result = adjudicate(example(accumulators={"paid_fen": {"general": 200000000 - 300000}}))
    assert (result.payout_fen, result.reasons) == (300000, ())


def test_a_benefit_without_an_annual_limit_is_never_cut() -> None:
    policy = {"benefits": [{"type": "general", "annual_limit_fen": None, "deductible_group": "main"}]}
    result = adjudicate(example(policy=policy, accumulators={"paid_fen": {"general": 10**12}}))
    assert result.payout_fen == 300000 and result.reasons == ()


def test_a_claim_under_the_deductible_is_approved_with_nothing_to_pay() -> None:
    result = adjudicate(example(claim={"items": [{"category": "drug", "amount_fen": 1500000}]}))
    assert result.base_fen == 300000
    assert (result.decision, result.payout_fen, result.reasons) == ("approved", 0, ("below_deductible",))
    assert result.accumulators_after["deductible_used_fen"] == {"main": 300000}


def test_a_claim_of_only_uncovered_items_is_approved_with_nothing_covered() -> None:
    items = [{"category": "cosmetic", "amount_fen": 40000}, {"category": "special_needs_surcharge", "amount_fen": 9}]
    result = adjudicate(example(claim={"items": items, "social_insurance_paid_fen": 0}))
    assert (result.decision, result.payout_fen, result.reasons) == ("approved", 0, ("nothing_covered",))
    assert (result.covered_fen, result.not_covered_fen) == (0, 40009)
    assert [line["code"] for line in result.lines[:2]] == ["item_not_covered", "item_not_covered"]


def test_a_claim_social_insurance_paid_in_full_is_approved_with_paid_by_others() -> None:
    result = adjudicate(example(claim={"social_insurance_paid_fen": 2500000}))
    assert (result.base_fen, result.payout_fen, result.reasons) == (0, 0, ("paid_by_others",))
    assert result.accumulators_after["deductible_used_fen"] == {"main": 0}


def test_social_and_other_insurance_above_the_covered_amount_give_a_zero_base() -> None:
    result = adjudicate(example(claim={"social_insurance_paid_fen": 2000000, "other_insurance_paid_fen": 2000000}))
    assert result.base_fen == 0 and result.payout_fen == 0
    # other insurance still offsets the deductible
    assert result.deductible_applied_fen == 1000000


def test_items_of_one_category_are_added_up_on_one_line() -> None:
    items = [
        {"category": "drug", "amount_fen": 100},
        {"category": "lab", "amount_fen": 5},
        {"category": "drug", "amount_fen": 200},
        {"category": "non_medical", "amount_fen": 7},
    ]
    result = adjudicate(example(claim={"items": items}))
    assert [(line["code"], line["category"], line["amount_fen"]) for line in result.lines[:3]] == [
        ("item_covered", "drug", 300),
        ("item_covered", "lab", 5),
        ("item_not_covered", "non_medical", 7),
    ]
    assert (result.covered_fen, result.not_covered_fen) == (305, 7)


def test_a_payout_above_the_auto_approve_limit_goes_to_an_adjuster_with_the_proposal() -> None:
    result = adjudicate(example(claim={"diagnoses": ["C34.1"]}, policy={"auto_approve_limit_fen": 1299999}))
    assert result.decision == "manual_review"
    assert result.reasons == ("above_auto_approve_limit",)
    assert result.payout_fen == 1300000
    assert result.accumulators_after["paid_fen"]["serious_illness"] == 1300000
    assert lines_by_code(result)["auto_approve_limit"] == {
        "code": "auto_approve_limit",
        "limit_fen": 1299999,
        "amount_fen": 1300000,
    }


def test_a_payout_exactly_at_the_auto_approve_limit_is_approved() -> None:
    result = adjudicate(example(claim={"diagnoses": ["C34.1"]}, policy={"auto_approve_limit_fen": 1300000}))
    assert result.decision == "approved"


def test_without_an_auto_approve_limit_any_payout_is_approved() -> None:
    result = adjudicate(example(claim={"diagnoses": ["C34.1"]}, policy={"auto_approve_limit_fen": None}))
    assert result.decision == "approved"


# -- risk flags ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "flag"),
    [
        ({"days_since_waiting_end": 30}, "early_claim"),
        ({"days_since_waiting_end": 0}, "early_claim"),
        ({"days_since_waiting_end": -3}, "early_claim"),
        ({"usual_cost_fen": 833333}, "amount_unusual"),
        ({"duplicate_document": True}, "duplicate_document"),
        ({"duplicate_invoice": True}, "duplicate_invoice"),
        ({"hospital_watchlist": True}, "hospital_watchlist"),
        ({"claims_last_90_days": 4}, "frequent_claims"),
    ],
)
def test_each_risk_flag_sends_an_otherwise_approved_claim_to_review(facts: dict[str, object], flag: str) -> None:
    result = adjudicate(example(risk=facts))
    assert result.flags == (flag,)
    assert result.decision == "manual_review"
    assert result.reasons == ("risk_flagged",)
    assert result.payout_fen == 300000  # the proposal is still computed
    assert {"code": "risk_flag", "flag": flag}.items() <= lines_by_code(result)["risk_flag"].items()


@pytest.mark.parametrize(
    "facts",
    [
        {"days_since_waiting_end": 31},
        {"usual_cost_fen": 833334},
        {"claims_last_90_days": 3},
        {"duplicate_document": False, "duplicate_invoice": False, "hospital_watchlist": False},
        {},
    ],
)
def test_facts_just_inside_the_thresholds_raise_no_flag(facts: dict[str, object]) -> None:
    result = adjudicate(example(risk=facts))
    assert result.flags == () and result.decision == "approved"


def test_the_engine_counts_the_days_since_the_waiting_period_when_not_told() -> None:
    # first covered day 2025-01-31; a claim on 2025-03-02 is 30 days after it
    policy = {"period_start": "2025-01-01", "period_end": "2025-12-31", "first_effective_date": "2025-01-01"}
    early = adjudicate(
        example(policy=policy, claim={"service_start": "2025-03-02", "service_end": "2025-03-05"}, risk={})
    )
    later = adjudicate(
        example(policy=policy, claim={"service_start": "2025-03-03", "service_end": "2025-03-05"}, risk={})
    )
    assert early.flags == ("early_claim",) and lines_by_code(early)["risk_flag"]["days_since_waiting_end"] == 30
    assert later.flags == ()
    # without risk facts at all the engine still knows how early the claim is (nothing else)
    assert adjudicate(
        example(policy=policy, claim={"service_start": "2025-03-02", "service_end": "2025-03-05"})
    ).flags == ("early_claim",)


def test_flags_never_reject_and_never_turn_a_rejection_into_a_review() -> None:
    result = adjudicate(example(claim={"diagnoses": ["O80"]}, risk={"duplicate_invoice": True}))
    assert result.decision == "rejected" and result.reasons == ("excluded_condition",)
    assert result.flags == ("duplicate_invoice",)


def test_several_flags_come_in_a_stable_order_with_the_auto_approve_limit_reason_last() -> None:
    data = example(
        claim={"diagnoses": ["C34.1"]},
        risk={"claims_last_90_days": 9, "duplicate_document": True, "days_since_waiting_end": 1},
    )
    result = adjudicate(data)
    assert result.flags == ("early_claim", "duplicate_document", "frequent_claims")
    assert result.reasons == ("risk_flagged",)
    data["policy"]["auto_approve_limit_fen"] = 100
    assert adjudicate(data).reasons == ("risk_flagged", "above_auto_approve_limit")


def test_risk_flags_is_a_pure_function_of_the_facts() -> None:
    facts = RiskFacts(usual_cost_fen=100, hospital_watchlist=True)
    assert risk_flags(facts, 300) == ["hospital_watchlist"]
    assert risk_flags(facts, 301) == ["amount_unusual", "hospital_watchlist"]
    assert risk_flags(None, 10**9) == []


# -- money helpers, ratio formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "ratio", "expected"),
    [(1, "0.5", 1), (3, "0.5", 2), (1, "0.25", 0), (5, "0.3", 2), (15, "0.1", 2), (25, "0.1", 3), (0, "0.6", 0)],
)
def test_the_ratio_rounds_half_up_to_the_fen(amount: int, ratio: str, expected: int) -> None:
    assert apply_ratio_half_up(amount, Decimal(ratio)) == expected


def test_a_ratio_is_written_with_two_decimals_or_more_when_it_has_more() -> None:
    assert [format_ratio(Decimal(r)) for r in ("1", "0.6", "0.60", "0", "0.875", "1.2")] == [
        "1.00",
        "0.60",
        "0.60",
        "0.00",
        "0.875",
        "1.20",
    ]


def test_an_odd_ratio_on_an_odd_amount_rounds_once() -> None:
    policy = {"ratio_without_social_insurance": "0.875"}
    items = [{"category": "drug", "amount_fen": 1000001}]
    result = adjudicate(
        example(policy=policy, claim={"items": items, "social_insurance_used": False, "social_insurance_paid_fen": 0})
    )
    # payable 1 fen × 0.875 = 0.875 → 1 fen
    assert result.payout_fen == 1
    assert result.as_json()["ratio"] == "0.875"


def test_a_benefit_may_carry_its_own_ratios() -> None:
    policy = {
        "benefits": [
            {
                "type": "general",
                "annual_limit_fen": 200000000,
                "deductible_group": "main",
                "ratio_with_social_insurance": "0.9",
            }
        ]
    }
    result = adjudicate(example(policy=policy))
    assert (result.as_json()["ratio"], result.payout_fen) == ("0.90", 270000)


# -- pre-validated input --------------------------------------------------------------------------------------


def test_a_prevalidated_policy_is_used_as_it_is() -> None:
    policy = PolicyTerms.model_validate(EXAMPLE["policy"])
    result = adjudicate({**EXAMPLE, "policy": policy})
    assert result.payout_fen == 300000
    assert policy.covered_types is policy.covered_types  # cached


def test_a_request_that_does_not_validate_raises_claim_input_invalid() -> None:
    with pytest.raises(ClaimInputInvalid) as caught:
        adjudicate(example(claim={"items": [{"category": "drug", "amount_fen": "12.50"}]}))
    assert caught.value.field == "claim.items.0.amount_fen"
    assert caught.value.code == "integer_required"
