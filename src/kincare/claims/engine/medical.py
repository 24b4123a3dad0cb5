"""Medical and accident-medical claims: the spec's steps 6–11 (covered items to the payout).

Integers in fen throughout; the ratio is applied once, rounded half-up to the fen (step 10).
"""

from __future__ import annotations

from typing import Any

from kincare.claims.engine.result import Computed, apply_ratio_half_up, format_ratio
from kincare.claims.engine.terms import ACCIDENT_BENEFITS, MEDICAL_CATEGORIES, BenefitTerms, ClaimRequest

#: item categories that are covered (step 6)
COVERED_CATEGORIES = frozenset(MEDICAL_CATEGORIES)


def pick_benefit(request: ClaimRequest) -> tuple[BenefitTerms, dict[str, Any]]:
    """Step 7: the benefit that pays and its explanation line."""
    policy = request.policy
    benefits = policy.benefit_by_type
    if policy.category == "accident":
        for kind in ACCIDENT_BENEFITS:
            if kind in benefits:
                return benefits[kind], {"code": "benefit", "benefit": kind}
    prefixes = policy.serious_prefixes
    if prefixes:
        for code in request.claim.diagnoses:
            if code.startswith(prefixes):
                prefix = next(p for p in prefixes if code.startswith(p))
                line = {"code": "benefit", "benefit": "serious_illness", "diagnosis": code, "prefix": prefix}
                return benefits["serious_illness"], line
    return benefits["general"], {"code": "benefit", "benefit": "general"}


def compute_medical(request: ClaimRequest) -> Computed:
    policy, claim, acc = request.policy, request.claim, request.accumulators
    lines: list[dict[str, Any]] = []

    # 6. covered and not covered items, by category in the order they first appear
    covered = not_covered = 0
    by_category: dict[str, int] = {}
    for item in claim.items:
        category = item.category
        by_category[category] = by_category.get(category, 0) + item.amount_fen
        if category in COVERED_CATEGORIES:
            covered += item.amount_fen
        else:
            not_covered += item.amount_fen
    for name, amount in by_category.items():
        code = "item_covered" if name in COVERED_CATEGORIES else "item_not_covered"
        lines.append({"code": code, "category": name, "amount_fen": amount})
    lines.append({"code": "covered", "amount_fen": covered, "not_covered_fen": not_covered})

    # 7. the benefit
    benefit, benefit_line = pick_benefit(request)
    lines.append(benefit_line)

    # 8. the base after what social insurance and other insurance paid
    social = claim.social_insurance_paid_fen
    other = claim.other_insurance_paid_fen
    base = covered - social - other
    if base < 0:
        base = 0
    lines.append({"code": "social_insurance", "used": claim.social_insurance_used, "amount_fen": social})
    lines.append({"code": "other_insurance", "amount_fen": other})
    lines.append({"code": "base", "amount_fen": base})

    # 9. the deductible: other commercial insurance offsets it first, then the base
    deductible_used = dict(acc.deductible_used_fen)
    group = benefit.deductible_group
    by_other = by_base = 0
    if group is None:
        lines.append({"code": "no_deductible"})
    else:
        terms = policy.deductibles[group]
        used = deductible_used.get(group, 0)
        if terms.per_claim:
            remaining = terms.amount_fen
        else:
            remaining = terms.amount_fen - used
            if remaining < 0:
                remaining = 0
        by_other = min(remaining, other)
        by_base = min(remaining - by_other, base)
        applied = by_other + by_base
        lines.append(
            {
                "code": "deductible",
                "group": group,
                "scope": terms.scope,
                "deductible_fen": terms.amount_fen,
                "used_before_fen": 0 if terms.per_claim else used,
                "remaining_before_fen": remaining,
                "by_other_fen": by_other,
                "by_base_fen": by_base,
                "amount_fen": applied,
                "remaining_after_fen": remaining - applied,
            }
        )
        if not terms.per_claim:
            deductible_used[group] = used + applied
    payable = base - by_base

    # 10. the ratio, rounded half-up to the fen (the one rounding)
    with_si, without_si = policy.ratios_of(benefit)
    ratio = with_si if claim.social_insurance_used else without_si
    raw = apply_ratio_half_up(payable, ratio)
    lines.append(
        {
            "code": "ratio",
            "ratio": format_ratio(ratio),
            "social_insurance_used": claim.social_insurance_used,
            "payable_fen": payable,
            "amount_fen": raw,
        }
    )

    # 11. what is left of the benefit's annual limit
    reasons: list[str] = []
    paid = dict(acc.paid_fen)
    paid_before = paid.get(benefit.type, 0)
    limit = benefit.annual_limit_fen
    if limit is None:
        payout = raw
        lines.append(
            {
                "code": "limit",
                "annual_limit_fen": None,
                "paid_before_fen": paid_before,
                "limit_left_fen": None,
                "amount_fen": payout,
                "cut": False,
            }
        )
    else:
        left = limit - paid_before
        if left < 0:
            left = 0
        payout = raw if raw <= left else left
        cut = payout < raw
        lines.append(
            {
                "code": "limit",
                "annual_limit_fen": limit,
                "paid_before_fen": paid_before,
                "limit_left_fen": left,
                "amount_fen": payout,
                "cut": cut,
            }
        )
        if cut:
            reasons.append("limit_reached")
    paid[benefit.type] = paid_before + payout
    lines.append({"code": "payout", "amount_fen": payout})
    if payout == 0 and not reasons:
        if covered == 0:
            reasons.append("nothing_covered")
        elif base == 0:
            reasons.append("paid_by_others")
        elif payable == 0:
            reasons.append("below_deductible")

    return Computed(
        benefit=benefit.type,
        covered_fen=covered,
        not_covered_fen=not_covered,
        base_fen=base,
        deductible_applied_fen=by_other + by_base,
        ratio=ratio,
        payout_fen=payout,
        accumulators_after={"deductible_used_fen": deductible_used, "paid_fen": paid},
        lines=lines,
        reasons=reasons,
        review_reasons=[],
    )
