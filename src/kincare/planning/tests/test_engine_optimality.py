"""The plan is optimal (brute force agrees), never over budget, never an ineligible option, and
its objective never falls as the budget grows."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kincare.planning.engine import Option, plan_family
from kincare.planning.engine.model import CATEGORIES
from kincare.planning.engine.options import pareto
from kincare.planning.engine.plan import default_budget_fen, family_groups
from kincare.planning.engine.shipped import load_planning_catalog
from kincare.planning.engine.solve import ranks, solve
from kincare.planning.tests.builders import family, member, toy_catalog, toy_product

SHIPPED = load_planning_catalog()


def brute_force(groups: list[list[Option]], budget: int, rank: dict[int, int]) -> tuple[int, int, int]:
    """The best (value, −premium, −rank sum) over every choice of at most one option per group."""
    best = (0, 0, 0)
    for choice in itertools.product(*[[None, *g] for g in groups]):
        chosen = [o for o in choice if o is not None]
        premium = sum(o.premium_fen for o in chosen)
        if premium > budget:
            continue
        key = (sum(o.value_micro for o in chosen), -premium, -sum(rank[id(o)] for o in chosen))
        best = max(best, key)
    return best


def key_of(chosen: list[Option], rank: dict[int, int]) -> tuple[int, int, int]:
    return (
        sum(o.value_micro for o in chosen),
        -sum(o.premium_fen for o in chosen),
        -sum(rank[id(o)] for o in chosen),
    )


options = st.builds(
    lambda value, premium, code: (value, premium, code),
    st.integers(1, 2_000_000),
    st.integers(1, 50_000),
    st.sampled_from(["a", "b", "c", "d"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=st.lists(st.lists(options, min_size=0, max_size=4), min_size=1, max_size=5),
    budget=st.integers(0, 120_000),
    backend=st.sampled_from(["cpsat", "highs"]),
)
# an exact tie when everything fits: the lower product code wins without the solver too
@example(raw=[[(1, 1, "b"), (1, 1, "a")]], budget=1, backend="cpsat")
def test_the_solver_matches_brute_force_on_random_groups_including_ties(raw, budget, backend):
    groups = [
        [Option(f"m{g}", "medical", code, f"p{i}", 1, premium, value) for i, (value, premium, code) in enumerate(group)]
        for g, group in enumerate(raw)
    ]
    rank = ranks(groups, {f"m{g}": g for g in range(len(groups))}, {"medical": 0})
    chosen = solve(groups, budget, rank, backend=backend)
    assert sum(o.premium_fen for o in chosen) <= budget
    assert len({o.member_id for o in chosen}) == len(chosen)  # at most one per group
    assert key_of(chosen, rank) == brute_force(groups, budget, rank)


def test_pruning_dominated_options_keeps_the_optimum():
    groups = [
        [Option("m", "medical", "x", "1", 1, 100, 10), Option("m", "medical", "y", "1", 1, 200, 10)],
        [Option("n", "medical", "x", "1", 1, 150, 30), Option("n", "medical", "z", "1", 1, 150, 30)],
    ]
    pruned = [pareto(g, 1_000) for g in groups]
    assert [[o.product_code for o in g] for g in pruned] == [["x"], ["x"]]


small_families = st.builds(
    lambda ages, incomes, budget: family(
        *[member(f"m{i}", age, income_yuan=income) for i, (age, income) in enumerate(zip(ages, incomes, strict=False))],
        budget_yuan=budget,
    ),
    st.lists(st.integers(0, 75), min_size=1, max_size=2),
    st.lists(st.sampled_from([0, 50_000, 150_000, 600_000]), min_size=2, max_size=2),
    st.integers(0, 4_000),
)

TOY = toy_catalog(
    toy_product("acc_a", "accident", {"s": (500_000, 200), "l": (1_000_000, 350)}, score="72", ages=(0, 65)),
    toy_product("acc_b", "accident", {"s": (300_000, 90)}, score="65", ages=(0, 80)),
    toy_product("ci_a", "critical_illness", {"s": (300_000, 1_500), "l": (500_000, 2_400)}, score="80", ages=(0, 55)),
    toy_product("med_a", "medical", {"s": (2_000_000, 600)}, score="75", ages=(0, 70)),
    toy_product("med_b", "medical", {"s": (1_000_000, 300)}, score="61", ages=(0, 80)),
    toy_product("life_a", "term_life", {"s": (500_000, 800), "l": (1_000_000, 1_500)}, score="70", ages=(18, 60)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fam=small_families)
def test_a_family_plan_is_optimal_against_brute_force_over_all_its_options(fam):
    result = plan_family(fam, TOY)
    _facts, groups = family_groups(fam, TOY)
    raw = [g.options for g in groups if g.options]
    member_order = {m.member_id: i for i, m in enumerate(fam.members)}
    rank_raw = ranks(raw, member_order, {c: i for i, c in enumerate(CATEGORIES)})
    budget = result.budget_fen
    best_value, best_premium, _ = brute_force(raw, budget, rank_raw)
    assert result.objective_micro == best_value
    assert result.total_premium_fen == -best_premium
    assert result.total_premium_fen <= budget


families_of_four = st.builds(
    lambda ages, incomes, si, occupation, budget: family(
        *[
            member(f"m{i}", age, income_yuan=income, social_insurance=s, occupation_class=occupation)
            for i, (age, income, s) in enumerate(zip(ages, incomes, si, strict=False))
        ],
        budget_yuan=budget,
    ),
    st.lists(st.integers(0, 90), min_size=4, max_size=4),
    st.lists(st.sampled_from([0, 30_000, 120_000, 400_000]), min_size=4, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
    st.integers(1, 6),
    st.one_of(st.none(), st.integers(0, 60_000)),
)


def _eligible(fam, option):  # type: ignore[no-untyped-def]
    product = next(p for p in SHIPPED.products if p.code == option.product_code)
    m = next(m for m in fam.members if m.member_id == option.member_id)
    age_days = (fam.as_of - m.birth_date).days
    from kincare.core.dates import age_on

    age = age_on(m.birth_date, fam.as_of)
    return (
        product.selected
        and product.on_sale
        and age_days >= product.issue_age_min_days
        and age <= product.issue_age_max_years
        and (m.social_insurance or not product.social_insurance_required)
        and m.occupation_class in product.occupation_classes
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fam=families_of_four)
def test_a_plan_on_the_shipped_catalog_is_within_budget_and_only_eligible(fam):
    result = plan_family(fam, SHIPPED)
    budget = default_budget_fen(fam) if fam.budget_fen is None else fam.budget_fen
    assert result.budget_fen == budget
    assert result.total_premium_fen <= budget
    assert len({(i.member_id, i.category) for i in result.items}) == len(result.items)
    for item in result.items:
        assert _eligible(fam, item), item


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fam=families_of_four, budgets=st.lists(st.integers(0, 80_000), min_size=2, max_size=4))
def test_the_objective_never_falls_as_the_budget_grows(fam, budgets):
    from dataclasses import replace

    objectives = [plan_family(replace(fam, budget_fen=b * 100), SHIPPED).objective_micro for b in sorted(budgets)]
    assert objectives == sorted(objectives)


def test_the_same_family_gets_the_same_plan_every_time():
    from kincare.planning.tests.builders import the_four

    first = plan_family(the_four(), SHIPPED).as_json()
    assert all(plan_family(the_four(), SHIPPED).as_json() == first for _ in range(3))


def test_a_declined_member_gets_no_option_from_the_products_that_decline():
    cancer = {"code": "cancer_history", "attributes": {"years_since_treatment": 1}}
    fam = family(member("a", 45, income_yuan=200_000, conditions=[cancer]), budget_yuan=50_000)
    _facts, groups = family_groups(fam, SHIPPED)
    for group in groups:
        for option in group.options:
            product = next(p for p in SHIPPED.products if p.code == option.product_code)
            decision = SHIPPED.decide(product.questionnaire, fam.members[0].conditions, age=45, sex="M", on=fam.as_of)
            assert decision.outcome not in ("decline", "postpone")
    assert sum(g.declined for g in groups) > 0
