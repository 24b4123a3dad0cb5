"""Critical illness, multiple-payout products: a second severe payout needs a disease of another payout
group than every earlier one, and the product's gap days since the last one (spec: "a severe payout ends
the cover unless the product pays several times (groups, gap days)")."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.claims.engine import ClaimInputInvalid, adjudicate
from kincare.claims.engine.shipped import shipped_ci_list, shipped_groups, shipped_severe_groups
from kincare.claims.tests.test_engine_critical import ci, multi


def _on(day: str, *diagnoses: str, accumulators: dict[str, Any], **policy: Any) -> dict[str, Any]:
    return ci(
        policy=multi(**policy),
        claim={"diagnoses": list(diagnoses), "service_start": day, "service_end": day},
        accumulators=accumulators,
    )


@pytest.fixture
def after_cancer() -> dict[str, Any]:
    """The accumulators after a severe lung-cancer payout on 2026-04-02."""
    first = adjudicate(ci(policy=multi()))
    assert first.payout_fen == 30000000
    return first.accumulators_after


def test_the_first_severe_payout_records_its_group(after_cancer) -> None:
    assert after_cancer["groups_paid"] == ["cancer"]
    first = adjudicate(ci(policy=multi()))
    assert first.lines[0]["group"] == "cancer"


def test_it_refuses_a_second_severe_payout_in_the_same_group_even_after_the_gap(after_cancer) -> None:
    result = adjudicate(_on("2028-06-01", "C50.9", accumulators=after_cancer))  # breast cancer, two years on
    assert (result.decision, result.reasons, result.payout_fen) == ("rejected", ("payout_group_used",), 0)
    assert result.lines[0] == {
        "code": "rejected",
        "reason": "payout_group_used",
        "group": "cancer",
        "groups_paid": ["cancer"],
    }
    assert result.accumulators_after == after_cancer


def test_it_pays_a_severe_illness_of_another_group_after_the_gap(after_cancer) -> None:
    result = adjudicate(_on("2027-05-01", "I21.0", accumulators=after_cancer))
    assert (result.decision, result.payout_fen) == ("approved", 30000000)
    assert result.lines[0]["group"] == "cardiovascular"
    assert result.accumulators_after["groups_paid"] == ["cancer", "cardiovascular"]
    assert result.accumulators_after["payouts"] == {"severe": 2}


def test_another_group_still_waits_for_the_gap_days(after_cancer) -> None:
    assert adjudicate(_on("2027-04-01", "I21.0", accumulators=after_cancer)).reasons == ("payout_gap",)


def test_a_third_payout_needs_a_group_neither_earlier_payout_used(after_cancer) -> None:
    second = adjudicate(_on("2027-05-01", "I21.0", accumulators=after_cancer)).accumulators_after
    stroke = adjudicate(_on("2028-06-01", "I63.9", accumulators=second))
    assert (stroke.reasons, stroke.lines[0]["group"]) == (("payout_group_used",), "cardiovascular")
    kidneys = adjudicate(_on("2028-06-01", "N18.5", accumulators=second))
    assert (kidneys.payout_fen, kidneys.accumulators_after["groups_paid"]) == (
        30000000,
        ["cancer", "cardiovascular", "organs"],
    )


def test_a_declared_severe_illness_in_no_group_cannot_be_a_second_payout(after_cancer) -> None:
    # I69.3 (stroke sequelae) is on the list as moderate: no severe group can be shown to be new
    severities = {
        "severe": {"ratio": "1.00", "max_payouts": 3},
        "moderate": {"ratio": "0.60", "max_payouts": 2},
    }
    data = _on("2028-06-01", "I69.3", accumulators=after_cancer, severities=severities)
    data["claim"]["severity"] = "severe"
    result = adjudicate(data)
    assert result.reasons == ("payout_group_used",)
    assert result.lines[0]["group"] is None


def test_the_policy_may_group_its_own_severe_diseases(after_cancer) -> None:
    own = {"severe_groups": {"C": "tumours", "I": "circulation"}, "multiple_payout_groups": 2}
    first = adjudicate(ci(policy=multi(**own)))
    assert first.accumulators_after["groups_paid"] == ["tumours"]
    heart = adjudicate(_on("2027-05-01", "I21.0", accumulators=first.accumulators_after, **own))
    assert heart.payout_fen == 30000000
    stroke = adjudicate(_on("2028-06-01", "I63.9", accumulators=heart.accumulators_after, **own))
    assert stroke.reasons == ("payout_group_used",)


def test_a_group_count_the_diseases_do_not_have_is_refused() -> None:
    with pytest.raises(ClaimInputInvalid) as caught:
        adjudicate(ci(policy=multi(multiple_payout_groups=3)))
    assert (caught.value.code, caught.value.field) == ("payout_groups_mismatch", "policy.severe_groups")


def test_a_product_that_pays_severe_illness_once_keeps_no_groups() -> None:
    result = adjudicate(ci())
    assert "groups_paid" not in result.accumulators_after
    assert "group" not in result.lines[0]


def test_every_shipped_severe_disease_is_in_one_of_five_groups() -> None:
    severe = {prefix for prefix, _name in shipped_ci_list()["severe"]}
    groups = shipped_severe_groups()
    assert set(groups) == severe
    assert set(groups.values()) == set(shipped_groups()) and len(shipped_groups()) == 5
