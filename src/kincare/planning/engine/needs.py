"""Who is who in the family, what each member needs, what they have, and the gap (spec: Needs).

Earner: income > 0 and aged 18–65. Primary earner: the earner with the largest income (ties:
the older, then the first listed). Children: under 18. Dependants: children, non-earning
adults and seniors (60 and over). Roles for the weights, first match wins: primary earner,
other earner, child, senior, non-earning adult.
"""

from __future__ import annotations

from dataclasses import dataclass

from kincare.core.dates import age_on
from kincare.planning.engine.model import CATEGORIES, ExistingCover, FamilyIn, MemberIn, NeedRules


@dataclass(frozen=True)
class MemberFacts:
    member: MemberIn
    age: int
    age_days: int
    earner: bool
    role: str
    dependant: bool


def member_facts(family: FamilyIn, rules: NeedRules) -> list[MemberFacts]:
    rows = []
    for member in family.members:
        age = age_on(member.birth_date, family.as_of)
        earner = member.annual_income_fen > 0 and rules.earner_min_age <= age <= rules.earner_max_age
        rows.append((member, age, earner))
    earners = [(m, age) for m, age, earner in rows if earner]
    primary_id = None
    if earners:
        # the largest income; ties: the older (earlier birth date), then the first listed
        order = {m.member_id: i for i, m in enumerate(family.members)}
        primary_id = min(earners, key=lambda e: (-e[0].annual_income_fen, e[0].birth_date, order[e[0].member_id]))[
            0
        ].member_id
    facts = []
    for member, age, earner in rows:
        if member.member_id == primary_id:
            role = "primary_earner"
        elif earner:
            role = "earner"
        elif age < rules.adult_age:
            role = "child"
        elif age >= rules.senior_age:
            role = "senior"
        else:
            role = "adult"
        dependant = age < rules.adult_age or not earner or age >= rules.senior_age
        facts.append(
            MemberFacts(
                member=member,
                age=age,
                age_days=(family.as_of - member.birth_date).days,
                earner=earner,
                role=role,
                dependant=dependant,
            )
        )
    return facts


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def needs_of(family: FamilyIn, facts: list[MemberFacts], rules: NeedRules) -> dict[str, dict[str, int]]:
    """member_id → category → need in fen (0 where the category does not apply)."""
    earners_income = sum(f.member.annual_income_fen for f in facts if f.earner)
    has_dependant = any(f.dependant for f in facts)
    finances = family.finances
    life_base = finances.debts_fen + rules.life_expense_years * finances.annual_expenses_fen - finances.savings_fen
    needs: dict[str, dict[str, int]] = {}
    for f in facts:
        income = f.member.annual_income_fen
        row = dict.fromkeys(CATEGORIES, 0)
        row["medical"] = rules.medical_fen
        if f.age <= rules.ci_max_age:
            if f.earner:
                row["critical_illness"] = max(
                    rules.ci_floor_fen, min(rules.ci_income_multiple * income, rules.ci_cap_fen)
                )
            else:
                row["critical_illness"] = rules.ci_other_fen
        if (
            f.earner
            and rules.life_min_age <= f.age <= rules.life_max_age
            and has_dependant
            and life_base > 0
            and earners_income > 0
        ):
            # (debts + 10 × expenses − savings) × income share, rounded up to 10,000 yuan
            row["term_life"] = (
                _ceil_div(life_base * income, earners_income * rules.life_round_fen) * rules.life_round_fen
            )
        if f.age <= rules.accident_max_age:
            if f.earner:
                row["accident"] = max(
                    rules.accident_floor_fen, min(rules.accident_income_multiple * income, rules.accident_cap_fen)
                )
            elif f.age < 10:
                row["accident"] = rules.accident_child_under_10_fen
            elif f.age < rules.adult_age:
                row["accident"] = rules.accident_child_fen
            else:
                row["accident"] = rules.accident_adult_fen
        needs[f.member.member_id] = row
    return needs


def existing_of(family: FamilyIn) -> dict[str, dict[str, int]]:
    """member_id → category → existing cover: sums insured add up, medical limits do not."""
    existing: dict[str, dict[str, int]] = {m.member_id: dict.fromkeys(CATEGORIES, 0) for m in family.members}
    for cover in family.existing:
        row = existing.get(cover.member_id)
        if row is None or cover.category not in row:
            continue
        if cover.category == "medical":
            row["medical"] = max(row["medical"], cover.sum_insured_fen)
        else:
            row[cover.category] += cover.sum_insured_fen
    return existing


def held_products(existing: tuple[ExistingCover, ...]) -> set[tuple[str, str]]:
    """(member_id, product code) of platform products already held: not offered again."""
    return {(c.member_id, c.product_code) for c in existing if c.product_code}


def household_income_fen(family: FamilyIn) -> int:
    return sum(max(0, m.annual_income_fen) for m in family.members)
