"""Options: every product plan a member could buy for a category with a gap, priced and valued.

An option exists for a member and category when the product is on sale and selected (严选),
the member is eligible (issue age, social insurance, occupation class), the member does not
already hold it on the platform, a minor's death benefit stays within the regulatory cap,
the table has a premium at the member's age, and underwriting on the member's declarations
does not decline or postpone. A loading raises the premium; an exclusion (or a case only an
underwriter can decide) keeps 80% of the option's value.

value = w_role × w_cat × min(SI, gap) / need + 0.05 × score / 100, in micro-units, rounded
half-up once. For medical cover, which is indemnity and not additive, SI counts only above
the member's existing limit (``min(SI − existing, gap)``): the same as the spec's
``min(SI, gap)`` whenever the member has no medical cover yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kincare.core.regulation import minor_death_cap_fen
from kincare.planning.engine.catalog import PlanningCatalog
from kincare.planning.engine.model import (
    CATEGORY_WEIGHTS,
    MICRO,
    RESTRICTED_VALUE,
    ROLE_WEIGHTS,
    CatalogProduct,
    Option,
)
from kincare.planning.engine.needs import MemberFacts


@dataclass
class Group:
    """The options of one (member, category) and why the other products are not among them."""

    member_id: str
    category: str
    need_fen: int
    existing_fen: int
    gap_fen: int
    options: list[Option] = field(default_factory=list)
    products: int = 0
    not_eligible_age: int = 0
    not_eligible_other: int = 0
    held: int = 0
    minor_cap: int = 0
    declined: int = 0
    manual: int = 0


def option_value_micro(
    *, role: str, category: str, covers_fen: int, need_fen: int, score_cents: int, restricted: bool
) -> int:
    """w_role × w_cat × covers / need + 0.05 × score / 100 (× 0.8 if restricted), in micro-units.

    Exact integer arithmetic: weights are hundredths, the score is in hundredths of a point,
    and the one rounding is half-up to the micro-unit.
    """
    denominator = 10_000 * need_fen
    numerator = ROLE_WEIGHTS[role] * CATEGORY_WEIGHTS[category] * covers_fen * MICRO + 5 * score_cents * denominator
    if restricted:
        numerator *= RESTRICTED_VALUE[0]
        denominator *= RESTRICTED_VALUE[1]
    return (2 * numerator + denominator) // (2 * denominator)


def loaded_premium_fen(base_fen: int, loading_pct: int) -> int:
    """base × (1 + loading / 100), half-up to the fen."""
    return (2 * base_fen * (100 + loading_pct) + 100) // 200


def _eligible_by_age(product: CatalogProduct, f: MemberFacts) -> bool:
    return f.age_days >= product.issue_age_min_days and f.age <= product.issue_age_max_years


def group_options(
    catalog: PlanningCatalog,
    f: MemberFacts,
    category: str,
    *,
    need_fen: int,
    existing_fen: int,
    existing_death_fen: int,
    held: set[tuple[str, str]],
    as_of: dt.date,
) -> Group:
    gap = max(0, need_fen - existing_fen)
    group = Group(f.member.member_id, category, need_fen, existing_fen, gap)
    if gap <= 0:
        return group
    member = f.member
    cap = minor_death_cap_fen(f.age)
    for product in catalog.by_category[category]:
        if not (product.on_sale and product.selected):
            continue
        group.products += 1
        if not _eligible_by_age(product, f):
            group.not_eligible_age += 1
            continue
        if (product.social_insurance_required and not member.social_insurance) or (
            product.occupation_classes and member.occupation_class not in product.occupation_classes
        ):
            group.not_eligible_other += 1
            continue
        if (member.member_id, product.code) in held:
            group.held += 1
            continue
        decision = catalog.decide(product.questionnaire, member.conditions, age=f.age, sex=member.sex, on=as_of)
        if decision.outcome in ("decline", "postpone"):
            group.declined += 1
            continue
        restricted = ""
        if decision.outcome == "manual":
            restricted = "manual"
            group.manual += 1
        elif decision.exclusions:
            restricted = "exclusion"
        loading = decision.loading_pct if decision.outcome == "conditional" else 0
        priced = 0
        capped_out = 0
        for plan in product.plans:
            cover = plan.cover_fen
            if cap is not None and product.pays_death:
                if product.minor_death_capped:
                    cover = min(cover, cap)
                if existing_death_fen + cover > cap:
                    capped_out += 1
                    continue
            price = catalog.premium(product, plan.code, sex=member.sex, social=member.social_insurance, age=f.age)
            if price is None:
                continue
            priced += 1
            # medical cover is not additive: only the limit above the existing one closes the gap
            covers = min(max(cover - existing_fen, 0), gap) if category == "medical" else min(cover, gap)
            if covers <= 0:
                continue
            group.options.append(
                Option(
                    member_id=member.member_id,
                    category=category,
                    product_code=product.code,
                    plan=plan.code,
                    sum_insured_fen=cover,
                    premium_fen=loaded_premium_fen(price[0], loading),
                    value_micro=option_value_micro(
                        role=f.role,
                        category=category,
                        covers_fen=covers,
                        need_fen=need_fen,
                        score_cents=int(product.score * 100),
                        restricted=bool(restricted),
                    ),
                    payment_years=price[1],
                    covers_fen=covers,
                    loading_pct=loading,
                    restricted=restricted,
                    product_name=product.name,
                    plan_name=plan.name,
                )
            )
        if not priced:
            if capped_out:
                group.minor_cap += 1
            else:
                group.not_eligible_age += 1  # no premium at this age: no product for this age
    return group


def pareto(options: list[Option], budget_fen: int) -> list[Option]:
    """Drop options over budget and every option another beats or ties at no more premium.

    Sorted by premium, then value (highest first), then product and plan codes: an option is
    kept only when its value is strictly above every cheaper (or equally cheap, earlier) one.
    Exact ties keep the lower product code, which is the objective's last tie-break.
    """
    kept: list[Option] = []
    best = -1
    for option in sorted(options, key=lambda o: (o.premium_fen, -o.value_micro, o.product_code, o.plan)):
        if option.premium_fen > budget_fen:
            break
        if option.value_micro > best:
            kept.append(option)
            best = option.value_micro
    return kept


def cheapest_closing(group: Group) -> Option | None:
    """The cheapest option that closes the whole gap, else the cheapest of those that close most."""
    if not group.options:
        return None
    return min(group.options, key=lambda o: (-o.covers_fen, o.premium_fen, o.product_code, o.plan))
