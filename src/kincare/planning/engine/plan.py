"""``plan_family(family, catalog)``: needs → gaps → options → the optimal plan, explained."""

from __future__ import annotations

from kincare.planning.engine.catalog import PlanningCatalog
from kincare.planning.engine.explain import plan_notes
from kincare.planning.engine.model import (
    CATEGORIES,
    DEFAULT_BUDGET_PCT,
    CategoryResult,
    FamilyIn,
    MemberResult,
    NeedRules,
    PlanResult,
)
from kincare.planning.engine.needs import (
    MemberFacts,
    existing_of,
    held_products,
    household_income_fen,
    member_facts,
    needs_of,
)
from kincare.planning.engine.options import Group, cheapest_closing, group_options, pareto
from kincare.planning.engine.solve import ranks, solve

DEFAULT_RULES = NeedRules()


def default_budget_fen(family: FamilyIn) -> int:
    """8% of the household's annual income, half-up to the fen."""
    return (2 * household_income_fen(family) * DEFAULT_BUDGET_PCT + 100) // 200


def family_groups(
    family: FamilyIn, catalog: PlanningCatalog, *, rules: NeedRules = DEFAULT_RULES
) -> tuple[list[MemberFacts], list[Group]]:
    """Every (member, category) of the family with its need, cover, gap and options."""
    facts = member_facts(family, rules)
    needs = needs_of(family, facts, rules)
    existing = existing_of(family)
    held = held_products(family.existing)
    groups: list[Group] = []
    for f in facts:
        mid = f.member.member_id
        death = existing[mid]["term_life"] + existing[mid]["accident"]
        for category in CATEGORIES:
            groups.append(
                group_options(
                    catalog,
                    f,
                    category,
                    need_fen=needs[mid][category],
                    existing_fen=existing[mid][category],
                    existing_death_fen=death,
                    held=held,
                    as_of=family.as_of,
                )
            )
    return facts, groups


def plan_family(
    family: FamilyIn,
    catalog: PlanningCatalog,
    *,
    rules: NeedRules = DEFAULT_RULES,
    backend: str = "cpsat",
) -> PlanResult:
    facts, groups = family_groups(family, catalog, rules=rules)
    by_key = {(g.member_id, g.category): g for g in groups}
    budget_is_default = family.budget_fen is None
    budget = default_budget_fen(family) if family.budget_fen is None else family.budget_fen
    pruned = [pareto(g.options, budget) for g in groups]
    member_order = {m.member_id: i for i, m in enumerate(family.members)}
    category_order = {c: i for i, c in enumerate(CATEGORIES)}
    chosen = solve(pruned, budget, ranks(pruned, member_order, category_order), backend=backend)
    chosen.sort(key=lambda o: (member_order[o.member_id], category_order[o.category]))
    by_group = {(o.member_id, o.category): o for o in chosen}

    members = []
    for f in facts:
        mid = f.member.member_id
        categories = {}
        for category in CATEGORIES:
            group = by_key[(mid, category)]
            need, have = group.need_fen, group.existing_fen
            item = by_group.get((mid, category))
            after = have
            if item is not None:
                after = max(have, item.sum_insured_fen) if category == "medical" else have + item.sum_insured_fen
            categories[category] = CategoryResult(
                need_fen=need,
                existing_fen=have,
                gap_fen=max(0, need - have),
                cover_after_fen=after,
                gap_after_fen=max(0, need - after),
            )
        members.append(MemberResult(member_id=mid, role=f.role, age=f.age, categories=categories))

    closing = [cheapest_closing(g) for g in groups if g.gap_fen > 0]
    close_all = sum(o.premium_fen for o in closing if o is not None)
    total = sum(o.premium_fen for o in chosen)
    notes = plan_notes(
        family=family,
        facts=facts,
        groups=groups,
        chosen=by_group,
        budget_fen=budget,
        budget_is_default=budget_is_default,
        total_fen=total,
        close_all_fen=close_all,
        household_income_fen=household_income_fen(family),
    )
    return PlanResult(
        family_id=family.family_id,
        as_of=family.as_of,
        budget_fen=budget,
        budget_is_default=budget_is_default,
        items=tuple(chosen),
        total_premium_fen=total,
        objective_micro=sum(o.value_micro for o in chosen),
        premium_to_close_all_gaps_fen=close_all,
        members=tuple(members),
        notes=tuple(notes),
        options_considered=sum(len(g.options) for g in groups),
        solver=backend,
    )
