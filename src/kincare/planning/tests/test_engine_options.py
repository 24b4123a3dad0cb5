"""Options: eligibility, underwriting on the declarations, prices and the exact value formula."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from kincare.planning.engine import ExistingCover, plan_family
from kincare.planning.engine.options import loaded_premium_fen, option_value_micro
from kincare.planning.engine.plan import family_groups
from kincare.planning.engine.shipped import load_planning_catalog
from kincare.planning.tests.builders import YUAN, family, member, toy_catalog, toy_product
from kincare.underwriting.engine.shipped import shipped_book

SHIPPED = load_planning_catalog()


def options_of(fam, catalog, member_id, category):  # type: ignore[no-untyped-def]
    _facts, groups = family_groups(fam, catalog)
    return next(g for g in groups if g.member_id == member_id and g.category == category)


@given(
    role=st.sampled_from(["primary_earner", "earner", "child", "adult", "senior"]),
    category=st.sampled_from(["medical", "critical_illness", "term_life", "accident"]),
    need=st.integers(1, 10**12),
    covers_share=st.fractions(min_value=0, max_value=1),
    score_cents=st.integers(0, 10_000),
    restricted=st.booleans(),
)
def test_the_value_is_the_spec_formula_rounded_half_up_to_a_millionth(
    role, category, need, covers_share, score_cents, restricted
):
    covers = int(need * covers_share)
    weights = {"primary_earner": Fraction(1), "earner": Fraction(8, 10), "child": Fraction(6, 10)}
    weights |= {"adult": Fraction(6, 10), "senior": Fraction(5, 10)}
    w_cat = {"medical": Fraction(1), "critical_illness": Fraction(9, 10)}
    w_cat |= {"term_life": Fraction(8, 10), "accident": Fraction(6, 10)}
    exact = weights[role] * w_cat[category] * Fraction(covers, need) + Fraction(5, 100) * Fraction(score_cents, 10_000)
    if restricted:
        exact *= Fraction(4, 5)
    micro = exact * 1_000_000
    expected = int(micro) + (1 if micro - int(micro) >= Fraction(1, 2) else 0)
    got = option_value_micro(
        role=role, category=category, covers_fen=covers, need_fen=need, score_cents=score_cents, restricted=restricted
    )
    assert got == expected


def test_a_loading_raises_the_premium_half_up_to_the_fen():
    assert loaded_premium_fen(10_001, 25) == 12_501  # 12,501.25 → 12,501
    assert loaded_premium_fen(10_002, 25) == 12_503  # 12,502.5 → 12,503
    assert loaded_premium_fen(10_000, 0) == 10_000


def test_it_offers_nothing_above_the_issue_age_or_below_it():
    catalog = toy_catalog(toy_product("acc", "accident", {"s": (300_000, 100)}, ages=(0, 60)))
    group = options_of(family(member("old", 66)), catalog, "old", "accident")
    assert group.options == [] and group.not_eligible_age == 1


def test_it_offers_a_product_that_needs_social_insurance_only_to_the_insured():
    catalog = toy_catalog(toy_product("med", "medical", {"s": (2_000_000, 300)}, social_insurance_required=True))
    without = options_of(family(member("a", 40, social_insurance=False)), catalog, "a", "medical")
    with_si = options_of(family(member("a", 40, social_insurance=True)), catalog, "a", "medical")
    assert without.options == [] and without.not_eligible_other == 1
    assert [o.product_code for o in with_si.options] == ["med"]


def test_it_respects_the_occupation_classes():
    catalog = toy_catalog(toy_product("acc", "accident", {"s": (300_000, 100)}, occupation_classes=(1, 2, 3)))
    group = options_of(family(member("a", 40, occupation_class=5)), catalog, "a", "accident")
    assert group.options == [] and group.not_eligible_other == 1


def test_it_skips_products_not_on_sale_or_not_selected():
    catalog = toy_catalog(
        toy_product("off", "accident", {"s": (300_000, 100)}, on_sale=False),
        toy_product("weak", "accident", {"s": (300_000, 100)}, selected=False),
    )
    group = options_of(family(member("a", 40)), catalog, "a", "accident")
    assert group.options == [] and group.products == 0


def test_it_does_not_offer_a_product_the_member_already_holds():
    catalog = toy_catalog(toy_product("ci", "critical_illness", {"s": (300_000, 1_000)}))
    fam = family(
        member("a", 40, income_yuan=300_000),
        existing=(ExistingCover("a", "critical_illness", 300_000 * YUAN, product_code="ci", source="platform"),),
    )
    group = options_of(fam, catalog, "a", "critical_illness")
    assert group.gap_fen == 600_000 * YUAN
    assert group.options == [] and group.held == 1


def test_a_minors_accident_option_stays_within_the_regulatory_death_cap():
    catalog = toy_catalog(
        toy_product("big", "accident", {"s": (1_000_000, 100)}),
        toy_product("capped", "accident", {"s": (1_000_000, 120)}, pays_death=True, minor_death_capped=True),
        toy_product("uncapped", "accident", {"s": (500_000, 80)}, pays_death=True),
    )
    group = options_of(family(member("kid", 8)), catalog, "kid", "accident")
    by_code = {o.product_code: o for o in group.options}
    # "big" pays no death benefit; "capped" pays a child of 8 at most 200,000; "uncapped" would exceed it
    assert set(by_code) == {"big", "capped"}
    assert by_code["capped"].sum_insured_fen == 200_000 * YUAN
    assert group.minor_cap == 1


def test_medical_cover_is_not_additive_so_a_smaller_limit_closes_nothing():
    catalog = toy_catalog(
        toy_product("small", "medical", {"s": (1_000_000, 100)}),
        toy_product("big", "medical", {"s": (4_000_000, 300)}),
    )
    fam = family(member("a", 40), existing=(ExistingCover("a", "medical", 1_000_000 * YUAN),), budget_yuan=10_000)
    group = options_of(fam, catalog, "a", "medical")
    assert group.gap_fen == 1_000_000 * YUAN
    assert [o.product_code for o in group.options] == ["big"]  # "small" adds nothing above the existing limit
    result = plan_family(fam, catalog)
    medical = result.members[0].categories["medical"]
    assert (medical.cover_after_fen, medical.gap_after_fen) == (4_000_000 * YUAN, 0)


def test_critical_illness_cover_adds_up():
    catalog = toy_catalog(toy_product("ci", "critical_illness", {"s": (300_000, 1_000)}))
    fam = family(
        member("a", 40, income_yuan=300_000),
        existing=(ExistingCover("a", "critical_illness", 300_000 * YUAN),),
        budget_yuan=10_000,
    )
    ci = plan_family(fam, catalog).members[0].categories["critical_illness"]
    assert (ci.existing_fen, ci.cover_after_fen, ci.gap_after_fen) == (
        300_000 * YUAN,
        600_000 * YUAN,
        300_000 * YUAN,
    )


GRADE_2 = {"code": "hypertension", "attributes": {"grade": 2, "controlled": True, "years": 5, "complications": False}}
DIABETES = {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.2, "complications": False, "insulin": False}}
HBV = {
    "code": "hepatitis_b",
    "attributes": {"status": "carrier", "liver_function_normal": True, "hbv_dna_positive": False, "cirrhosis": False},
}


def chronic_catalog():  # type: ignore[no-untyped-def]
    books = {q: shipped_book(q) for q in ("medical_standard", "medical_chronic")}
    return toy_catalog(
        toy_product("std", "medical", {"s": (2_000_000, 1_000)}, questionnaire="medical_standard"),
        toy_product("chronic", "medical", {"s": (2_000_000, 1_500)}, questionnaire="medical_chronic"),
        rulebooks=books,
    )


def test_a_diabetic_gets_the_chronic_product_with_its_loading_in_the_premium():
    catalog = chronic_catalog()
    group = options_of(family(member("a", 50, conditions=[DIABETES])), catalog, "a", "medical")
    by_code = {o.product_code: o for o in group.options}
    assert set(by_code) == {"chronic"} and group.declined == 1  # the standard product declines
    chronic = by_code["chronic"]
    assert chronic.loading_pct == 25
    assert chronic.premium_fen == loaded_premium_fen(1_500 * YUAN, chronic.loading_pct)


def test_an_exclusion_keeps_four_fifths_of_the_value():
    catalog = chronic_catalog()
    plain = options_of(family(member("a", 50)), catalog, "a", "medical")
    carrier = options_of(family(member("a", 50, conditions=[HBV])), catalog, "a", "medical")
    chronic_plain = next(o for o in plain.options if o.product_code == "chronic")
    chronic_excluded = next(o for o in carrier.options if o.product_code == "chronic")
    assert chronic_excluded.restricted == "exclusion"
    assert abs(chronic_excluded.value_micro - chronic_plain.value_micro * 4 / 5) <= 1


def test_other_conditions_go_to_manual_review_and_count_at_four_fifths():
    other = {"code": "other", "attributes": {"description": "痛风"}}
    catalog = chronic_catalog()
    group = options_of(family(member("a", 50, conditions=[other])), catalog, "a", "medical")
    assert {o.restricted for o in group.options} == {"manual"}
    assert group.manual == 2


def test_grade_two_hypertension_is_declined_or_restricted_by_the_standard_product_on_the_shipped_catalog():
    fam = family(member("a", 50, income_yuan=100_000, conditions=[GRADE_2]), budget_yuan=20_000)
    result = plan_family(fam, SHIPPED)
    assert result.total_premium_fen <= 20_000 * YUAN
    medical = [i for i in result.items if i.category == "medical"]
    assert medical, "a chronic-friendly medical product exists for grade-2 hypertension"
