"""The need formulas of the planning spec, on hand-worked families."""

from __future__ import annotations

from kincare.planning.engine import ExistingCover, Finances, NeedRules
from kincare.planning.engine.needs import existing_of, member_facts, needs_of
from kincare.planning.tests.builders import YUAN, family, member, the_four

RULES = NeedRules()


def needs(fam):  # type: ignore[no-untyped-def]
    return needs_of(fam, member_facts(fam, RULES), RULES)


def test_it_gives_the_primary_earner_of_the_four_every_need_by_the_formulas():
    earner = needs(the_four())["earner"]
    assert earner["medical"] == 2_000_000 * YUAN
    assert earner["critical_illness"] == 900_000 * YUAN  # max(300,000, min(3 × 300,000, 1,000,000))
    # (800,000 + 10 × 120,000 − 200,000) × 100% = 1,800,000
    assert earner["term_life"] == 1_800_000 * YUAN
    assert earner["accident"] == 1_500_000 * YUAN  # max(500,000, min(5 × 300,000, 3,000,000))


def test_it_gives_the_non_earning_spouse_the_fixed_amounts_and_no_term_life():
    spouse = needs(the_four())["spouse"]
    assert spouse == {
        "medical": 2_000_000 * YUAN,
        "critical_illness": 300_000 * YUAN,
        "term_life": 0,
        "accident": 300_000 * YUAN,
    }


def test_it_gives_a_child_of_nine_the_under_ten_accident_cap():
    child = needs(the_four())["child"]
    assert child == {
        "medical": 2_000_000 * YUAN,
        "critical_illness": 300_000 * YUAN,
        "term_life": 0,
        "accident": 200_000 * YUAN,
    }


def test_it_gives_a_senior_of_66_medical_and_accident_but_no_critical_illness():
    senior = needs(the_four())["senior"]
    assert senior == {"medical": 2_000_000 * YUAN, "critical_illness": 0, "term_life": 0, "accident": 300_000 * YUAN}


def test_it_names_the_roles_of_the_four():
    roles = {f.member.member_id: f.role for f in member_facts(the_four(), RULES)}
    assert roles == {"earner": "primary_earner", "spouse": "adult", "child": "child", "senior": "senior"}


def test_it_splits_term_life_by_income_share_and_rounds_up_to_ten_thousand():
    fam = family(
        member("a", 40, income_yuan=200_000),
        member("b", 38, income_yuan=100_000, sex="F"),
        member("kid", 5),
        finances=Finances(annual_expenses_fen=100_000 * YUAN, debts_fen=1_000_001 * YUAN, savings_fen=0),
    )
    result = needs(fam)
    # 2,000,001 × 2/3 = 1,333,334 → 1,340,000; × 1/3 = 666,667 → 670,000
    assert result["a"]["term_life"] == 1_340_000 * YUAN
    assert result["b"]["term_life"] == 670_000 * YUAN
    roles = {f.member.member_id: f.role for f in member_facts(fam, RULES)}
    assert roles["a"] == "primary_earner" and roles["b"] == "earner"


def test_it_needs_no_term_life_without_a_dependant():
    fam = family(
        member("a", 30, income_yuan=200_000),
        member("b", 29, income_yuan=150_000, sex="F"),
        finances=Finances(annual_expenses_fen=100_000 * YUAN, debts_fen=500_000 * YUAN),
    )
    assert needs(fam)["a"]["term_life"] == 0


def test_it_floors_term_life_at_zero_when_savings_cover_everything():
    fam = family(
        member("a", 40, income_yuan=200_000),
        member("kid", 5),
        finances=Finances(annual_expenses_fen=10_000 * YUAN, debts_fen=0, savings_fen=5_000_000 * YUAN),
    )
    assert needs(fam)["a"]["term_life"] == 0


def test_it_breaks_an_income_tie_for_primary_earner_by_age():
    fam = family(member("young", 30, income_yuan=100_000), member("old", 45, income_yuan=100_000))
    roles = {f.member.member_id: f.role for f in member_facts(fam, RULES)}
    assert roles == {"young": "earner", "old": "primary_earner"}


def test_it_does_not_count_an_income_after_65_as_an_earner():
    fam = family(member("retired", 67, income_yuan=50_000))
    facts = member_facts(fam, RULES)
    assert not facts[0].earner
    assert needs(fam)["retired"]["accident"] == 300_000 * YUAN


def test_it_caps_an_earners_critical_illness_need_at_a_million():
    assert needs(family(member("rich", 40, income_yuan=2_000_000)))["rich"]["critical_illness"] == 1_000_000 * YUAN


def test_it_stops_accident_need_at_70_and_critical_illness_after_55():
    result = needs(family(member("a", 70), member("b", 56), member("c", 55)))
    assert result["a"]["accident"] == 0
    assert result["b"]["critical_illness"] == 0
    assert result["c"]["critical_illness"] == 300_000 * YUAN


def test_it_counts_the_largest_medical_limit_but_adds_up_other_cover():
    fam = family(
        member("a", 40),
        existing=(
            ExistingCover("a", "medical", 1_000_000 * YUAN),
            ExistingCover("a", "medical", 3_000_000 * YUAN),
            ExistingCover("a", "critical_illness", 200_000 * YUAN),
            ExistingCover("a", "critical_illness", 300_000 * YUAN),
        ),
    )
    existing = existing_of(fam)["a"]
    assert existing["medical"] == 3_000_000 * YUAN  # indemnity: not additive
    assert existing["critical_illness"] == 500_000 * YUAN
