"""The rejections every category shares (spec steps 1–5), in the spec's order; the first one wins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kincare.claims.engine.terms import ClaimRequest, PolicyTerms

#: general exclusions by prefix: pregnancy and childbirth, congenital, cosmetic surgery
GENERAL_EXCLUSION_PREFIXES = ("O", "Q", "Z41")
#: general exclusions by a range of 3-character categories: substance use, intentional self-harm
GENERAL_EXCLUSION_RANGES = (("F10", "F19"), ("X60", "X84"))
_RANGE_OF: dict[str, str] = {
    f"{low[0]}{number:02d}": f"{low}-{high}"
    for low, high in GENERAL_EXCLUSION_RANGES
    for number in range(int(low[1:]), int(high[1:]) + 1)
}


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def line(self) -> dict[str, Any]:
        return {"code": "rejected", "reason": self.reason, **self.detail}


def general_exclusion(code: str) -> str | None:
    """The general exclusion a diagnosis falls under (``"O"``, ``"F10-F19"``, …), or None.

    Ranges are of 3-character categories: ``F10.2`` is in F10–F19 (category F10), ``F09`` and
    ``F20`` are not; ``X84.9`` is in X60–X84, ``X85`` is not.
    """
    if code.startswith(GENERAL_EXCLUSION_PREFIXES):
        for prefix in GENERAL_EXCLUSION_PREFIXES:
            if code.startswith(prefix):
                return prefix
    return _RANGE_OF.get(code[:3])


def policy_exclusion(code: str, prefixes: tuple[str, ...]) -> str | None:
    """The policy's exclusion prefix (from underwriting, e.g. ``"B18"``, ``"K7"``) a diagnosis matches."""
    if prefixes and code.startswith(prefixes):
        for prefix in prefixes:
            if code.startswith(prefix):
                return prefix
    return None


def exclusion_hit(diagnoses: tuple[str, ...], policy: PolicyTerms) -> Rejection | None:
    for code in diagnoses:
        prefix = policy_exclusion(code, policy.exclusions)
        if prefix is not None:
            return Rejection("excluded_condition", {"diagnosis": code, "prefix": prefix, "source": "policy"})
        rule = general_exclusion(code)
        if rule is not None:
            return Rejection("excluded_condition", {"diagnosis": code, "prefix": rule, "source": "general"})
    return None


def first_covered_day(policy: PolicyTerms) -> dt.date:
    """The day ``first_effective_date + waiting_period_days``: the first day a non-accident is covered."""
    return policy.first_effective_date + dt.timedelta(days=policy.waiting_period_days)


def first_rejection(request: ClaimRequest) -> Rejection | None:
    """Steps 1–5 of the spec (accident products: ``not_accident`` in place of the waiting period)."""
    policy, claim = request.policy, request.claim
    start = claim.service_start
    # 1. the policy period
    if not policy.period_start <= start <= policy.period_end:
        return Rejection(
            "not_in_period",
            {
                "service_start": start.isoformat(),
                "period_start": policy.period_start.isoformat(),
                "period_end": policy.period_end.isoformat(),
            },
        )
    # 2. the waiting period (accidents excepted); accident products pay accidents only
    if policy.category == "accident":
        if not claim.is_accident:
            return Rejection("not_accident")
    elif not claim.is_accident:
        first = first_covered_day(policy)
        if start < first:
            return Rejection(
                "waiting_period",
                {
                    "service_start": start.isoformat(),
                    "first_covered_day": first.isoformat(),
                    "waiting_period_days": policy.waiting_period_days,
                },
            )
    # 3. exclusions: the policy's (underwriting) and the general ones
    excluded = exclusion_hit(claim.diagnoses, policy)
    if excluded is not None:
        return excluded
    # 4. the hospital
    rule, hospital = policy.hospital_rule, claim.hospital
    if rule is not None and hospital is not None:
        detail = {"level": hospital.level, "min_level": rule.min_level, "public": hospital.public}
        if hospital.level < rule.min_level:
            return Rejection("hospital_not_eligible", {"rule": "min_level", **detail})
        if rule.public_only and not hospital.public:
            return Rejection("hospital_not_eligible", {"rule": "public_only", **detail})
        if hospital.special_needs_ward and not rule.special_needs_ward:
            return Rejection("hospital_not_eligible", {"rule": "special_needs_ward", **detail})
    # 5. the claim type, and the window around the stay for pre/post-hospital outpatient care
    if claim.claim_type not in policy.covered_types:
        return Rejection("claim_type_not_covered", {"claim_type": claim.claim_type})
    if claim.claim_type == "pre_post_outpatient" and claim.related_stay is not None:
        stay = claim.related_stay
        before, after = policy.pre_post_days
        window_start = stay.admission - dt.timedelta(days=before)
        window_end = stay.discharge + dt.timedelta(days=after)
        if not (window_start <= start <= stay.admission or stay.discharge <= start <= window_end):
            return Rejection(
                "outside_pre_post_window",
                {
                    "service_start": start.isoformat(),
                    "admission": stay.admission.isoformat(),
                    "discharge": stay.discharge.isoformat(),
                    "pre_days": before,
                    "post_days": after,
                    "window_before_from": window_start.isoformat(),
                    "window_after_to": window_end.isoformat(),
                },
            )
    return None
