"""Explanations: a note per item and per remaining gap, with the reason, in Chinese by default."""

from __future__ import annotations

from django.utils import translation

from kincare.planning.engine import plan_family, render_note
from kincare.planning.engine.shipped import load_planning_catalog
from kincare.planning.tests.builders import family, member, the_four, toy_catalog, toy_product

SHIPPED = load_planning_catalog()


def codes(result, member_id, category):  # type: ignore[no-untyped-def]
    return [n.code for n in result.notes if n.member_id == member_id and n.category == category]


def test_every_chosen_item_has_its_line_and_the_budget_is_explained():
    result = plan_family(the_four(), SHIPPED)
    assert [n.code for n in result.notes][:2] == ["budget_default", "total"]
    for item in result.items:
        assert "item" in codes(result, item.member_id, item.category)


def test_a_gap_left_for_lack_of_budget_says_what_closing_it_costs():
    catalog = toy_catalog(toy_product("ci", "critical_illness", {"s": (300_000, 3_000)}))
    result = plan_family(family(member("a", 40, income_yuan=100_000), budget_yuan=1_000), catalog)
    (note,) = [n for n in result.notes if n.category == "critical_illness"]
    assert note.code == "gap_budget" and note.params["premium_fen"] == 300_000
    with translation.override("zh-hans"):
        assert "预算不足" in render_note(note, {"a": "王建国"})
    with translation.override("en"):
        assert "budget" in render_note(note, {"a": "Wang"}).lower()


def test_a_gap_nobody_sells_for_that_age_says_so():
    catalog = toy_catalog(toy_product("acc", "accident", {"s": (300_000, 100)}, ages=(0, 60)))
    result = plan_family(family(member("a", 66), budget_yuan=1_000), catalog)
    assert codes(result, "a", "accident") == ["gap_age"]


def test_a_declined_gap_is_marked_as_health_data():
    cancer = {"code": "cancer_history", "attributes": {"years_since_treatment": 1}}
    result = plan_family(family(member("a", 45, income_yuan=200_000, conditions=[cancer]), budget_yuan=50_000), SHIPPED)
    declined = [n for n in result.notes if n.code == "gap_declined"]
    assert declined and all(n.health for n in declined)


def test_a_partial_cover_because_of_the_budget_is_told_apart_from_a_product_that_is_too_small():
    catalog = toy_catalog(toy_product("ci", "critical_illness", {"s": (300_000, 1_000), "l": (900_000, 5_000)}))
    tight = plan_family(family(member("a", 40, income_yuan=300_000), budget_yuan=2_000), catalog)
    roomy = plan_family(
        family(member("a", 40, income_yuan=300_000), budget_yuan=20_000),
        toy_catalog(toy_product("ci", "critical_illness", {"s": (300_000, 1_000)})),
    )
    assert "gap_budget_partial" in codes(tight, "a", "critical_illness")
    assert "gap_partial" in codes(roomy, "a", "critical_illness")


def test_the_premium_to_close_every_gap_is_the_cheapest_full_cover_per_gap():
    catalog = toy_catalog(
        toy_product("acc_a", "accident", {"s": (300_000, 100), "l": (1_000_000, 300)}),
        toy_product("acc_b", "accident", {"s": (300_000, 80)}),
    )
    result = plan_family(family(member("a", 40), budget_yuan=0), catalog)
    # the non-earner needs 300,000 of accident cover: acc_b's 80 yuan closes it
    assert result.items == () and result.premium_to_close_all_gaps_fen == 8_000
