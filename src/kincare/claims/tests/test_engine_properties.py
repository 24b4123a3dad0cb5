"""Properties of the medical engine over generated claims (hypothesis)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kincare.claims.engine import ITEM_CATEGORIES, adjudicate, apply_ratio_half_up
from kincare.claims.tests.test_engine_examples import example
from kincare.core.money import apply_ratio

DIAGNOSES = ["K35.8", "J18.9", "C34.1", "I21.0", "I63.9", "B18.1", "O80", "F10.2", "S72.0", "E11.9"]
COVERED = ["K35.8", "J18.9", "C34.1", "I21.0", "S72.0", "E11.9"]
FEN = st.integers(min_value=0, max_value=5_000_000)
RATIO = st.decimals(min_value=0, max_value=1, places=2).map(lambda d: f"{d:.2f}")


@st.composite
def requests(draw: st.DrawFn, *, in_period: bool = False, payable: bool = False) -> dict[str, Any]:
    """Generated claims on the example policy; ``payable``: in the period, at an eligible hospital,
    no excluded diagnosis (so the amounts are computed, not rejected)."""
    items = draw(
        st.lists(st.fixed_dictionaries({"category": st.sampled_from(ITEM_CATEGORIES), "amount_fen": FEN}), max_size=12)
    )
    scope = draw(st.sampled_from(["annual", "per_claim"]))
    policy = {
        "benefits": [
            {"type": "general", "annual_limit_fen": draw(st.integers(0, 20_000_000)), "deductible_group": "main"},
            {
                "type": "serious_illness",
                "annual_limit_fen": draw(st.integers(0, 40_000_000)),
                "deductible_group": draw(st.sampled_from([None, "main"])),
                "icd_prefixes": ["C", "I21", "I63"],
            },
        ],
        "deductibles": {"main": {"amount_fen": draw(st.integers(0, 2_000_000)), "scope": scope}},
        "ratio_with_social_insurance": draw(RATIO),
        "ratio_without_social_insurance": draw(RATIO),
        "auto_approve_limit_fen": draw(st.sampled_from([None, 0, 5_000_000])),
    }
    if in_period or payable:
        start = draw(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))).isoformat()
    else:
        start = draw(st.dates(min_value=dt.date(2025, 11, 1), max_value=dt.date(2027, 2, 28))).isoformat()
    claim = {
        "service_start": start,
        "service_end": start,
        "diagnoses": draw(st.lists(st.sampled_from(COVERED if payable else DIAGNOSES), min_size=1, max_size=3)),
        "is_accident": draw(st.booleans()),
        "hospital": {
            "level": draw(st.integers(2, 3) if payable else st.integers(0, 3)),
            "public": True if payable else draw(st.booleans()),
        },
        "social_insurance_used": draw(st.booleans()),
        "items": items,
        "social_insurance_paid_fen": draw(st.integers(0, 3_000_000)),
        "other_insurance_paid_fen": draw(st.integers(0, 3_000_000)),
    }
    accumulators = {
        "deductible_used_fen": {"main": draw(st.integers(0, 2_500_000))},
        "paid_fen": {"general": draw(st.integers(0, 20_000_000)), "serious_illness": draw(st.integers(0, 1_000_000))},
    }
    return example(policy=policy, claim=claim, accumulators=accumulators)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_the_payout_never_exceeds_the_base(data: dict[str, Any]) -> None:
    result = adjudicate(data)
    assert 0 <= result.payout_fen <= result.base_fen
    assert result.base_fen <= result.covered_fen or result.decision == "rejected"
    assert result.deductible_applied_fen >= 0


@settings(max_examples=300, deadline=None)
@given(requests(payable=True), st.integers(0, 2_500_000))
def test_more_deductible_already_used_never_charges_more_deductible_nor_pays_less(
    data: dict[str, Any], more: int
) -> None:
    # (the payout grows, if anything: the spec's example pays 300,000 with nothing used and
    # 1,300,000 with the whole deductible already used — see test_engine_amounts)
    before = adjudicate(data)
    used_more = copy.deepcopy(data)
    used_more["accumulators"]["deductible_used_fen"]["main"] += more
    after = adjudicate(used_more)
    assert before.decision != "rejected" and after.decision != "rejected"
    assert after.deductible_applied_fen <= before.deductible_applied_fen
    assert after.payout_fen >= before.payout_fen


@settings(max_examples=300, deadline=None)
@given(requests(payable=True), st.integers(0, 2_500_000))
def test_the_payout_never_grows_when_more_deductible_is_left_to_pay(data: dict[str, Any], more: int) -> None:
    before = adjudicate(data)
    larger = copy.deepcopy(data)
    larger["policy"]["deductibles"]["main"]["amount_fen"] += more
    after = adjudicate(larger)
    assert after.payout_fen <= before.payout_fen
    assert after.deductible_applied_fen >= before.deductible_applied_fen


@settings(max_examples=200, deadline=None)
@given(
    requests(in_period=True), st.lists(st.tuples(st.lists(FEN, min_size=1, max_size=10), st.booleans()), max_size=15)
)
def test_a_years_payouts_never_exceed_the_benefits_annual_limit(
    data: dict[str, Any], claims: list[tuple[list[int], bool]]
) -> None:
    limits = {b["type"]: b["annual_limit_fen"] for b in data["policy"]["benefits"]}
    accumulators: dict[str, Any] = {"deductible_used_fen": {}, "paid_fen": {}}
    totals = {"general": 0, "serious_illness": 0}
    for amounts, serious in claims:
        claim = copy.deepcopy(data)
        claim["accumulators"] = accumulators
        claim["claim"]["items"] = [{"category": "surgery", "amount_fen": a} for a in amounts]
        claim["claim"]["diagnoses"] = ["C34.1" if serious else "K35.8"]
        result = adjudicate(claim)
        if result.decision == "rejected":
            assert result.accumulators_after == accumulators
            continue
        totals[result.benefit] += result.payout_fen  # type: ignore[index]
        accumulators = result.accumulators_after
        assert accumulators["paid_fen"][result.benefit] == totals[result.benefit]  # type: ignore[index]
    for benefit, total in totals.items():
        assert total <= limits[benefit]
    deductible = data["policy"]["deductibles"]["main"]
    if deductible["scope"] == "annual":
        assert accumulators["deductible_used_fen"].get("main", 0) <= deductible["amount_fen"]


@settings(max_examples=300, deadline=None)
@given(requests(in_period=True))
def test_the_payout_is_the_payable_base_times_the_ratio_rounded_half_up_once(data: dict[str, Any]) -> None:
    result = adjudicate(data)
    if result.decision == "rejected" or "limit_reached" in result.reasons:
        return
    ratio_line = next(line for line in result.lines if line["code"] == "ratio")
    payable = ratio_line["payable_fen"]
    assert payable == result.base_fen - next(
        (line["by_base_fen"] for line in result.lines if line["code"] == "deductible"), 0
    )
    exact = (Decimal(payable) * Decimal(ratio_line["ratio"])).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert result.payout_fen == int(exact) == apply_ratio(payable, ratio_line["ratio"])


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 10**13), st.decimals(min_value=0, max_value=3, places=4))
def test_integer_half_up_rounding_matches_decimal_arithmetic(amount: int, ratio: Decimal) -> None:
    assert apply_ratio_half_up(amount, ratio) == apply_ratio(amount, ratio)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_a_rejection_leaves_the_accumulators_unchanged_and_pays_nothing(data: dict[str, Any]) -> None:
    result = adjudicate(data)
    if result.decision == "rejected":
        assert result.accumulators_after == data["accumulators"]
        assert result.payout_fen == 0 and len(result.reasons) == 1
    else:
        used = result.accumulators_after["deductible_used_fen"]["main"]
        assert used >= data["accumulators"]["deductible_used_fen"]["main"]
        benefit = result.benefit
        assert benefit is not None
        assert (
            result.accumulators_after["paid_fen"][benefit]
            == data["accumulators"]["paid_fen"][benefit] + result.payout_fen
        )
