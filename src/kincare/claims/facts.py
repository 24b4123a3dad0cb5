"""The claims engine's facts: from a policy and its product to the engine's input (``kincare.claims.engine``).

``policy_terms(policy)`` builds the engine's ``PolicyTerms``: the product's benefits, deductibles,
ratios, hospital rule and claim types (cached per product version and plan: they do not change
while a process runs, the catalog makes a new version), plus what belongs to the policy itself
(its period, first effective day, underwriting exclusions, sum insured).
``claim_facts(claim)`` is the claim part, ``engine_request(claim, accumulators, risk)`` the
whole request (with ``settings.CLAIMS_FREQUENT_CLAIMS`` as the risk facts' frequent-claims threshold).

Mapping (catalog → engine):

* period: ``effective_at`` (local date) to the day before ``ends_at``; waiting period from
  ``first_effective_on`` (a renewal keeps it) and ``product.waiting_days``;
* medical: the ``general`` and ``serious_illness`` benefits (``serious_illness`` matches the ICD-10
  prefixes of ``terms.serious_illness_icd10``); the other medical benefit rows (special
  outpatient, outpatient surgery, pre/post outpatient) decide which claim types are covered and
  pay from the general benefit, as 百万医疗 contracts do; ``pre_post_outpatient`` is covered
  when the product has that benefit or pre/post-hospital days. Hospital rule from
  ``terms.hospital_min_level`` (any → 0, level_2 / level_2a → 2), ``public_hospital_only``,
  ``special_needs_ward``;
* accident: the ``accidental_medical`` benefit, its deductible (often per claim) and ratios;
* critical illness: sum insured × the ``severe`` / ``moderate`` / ``mild`` benefit's
  ``payout_ratio`` within its ``max_payouts`` (the shipped ICD-10 list per severity),
  ``multiple_payout_groups`` and ``payout_gap_days`` from the terms (the severe diseases' payout
  groups are the shipped list's: the catalog has none of its own);
* deductibles: ``annual_member`` → the member's used amount, ``annual_family`` → the amount
  the family's policies of the same application used (the services sum it under the locks),
  ``per_claim``; a plan's ``deductible_fen`` replaces the main group's amount (the group of the
  general / accidental-medical benefit), as the catalog shows it;
* ``auto_approve_limit_fen``: ``product.terms["auto_approve_limit_fen"]`` if the product sets
  it, else ``settings.CLAIMS_AUTO_APPROVE_LIMIT_FEN``.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

from django.conf import settings

from kincare.catalog.models import Category, Plan, Product
from kincare.claims.engine import ClaimRequest, PolicyTerms, RiskFacts, parse_request
from kincare.claims.models import Claim
from kincare.policies.models import Policy
from kincare.policies.services.common import local_date

__all__ = [
    "CLAIMABLE_CATEGORIES",
    "claim_facts",
    "engine_request",
    "family_groups",
    "period_of",
    "policy_terms",
    "policy_terms_json",
    "product_terms",
]

#: product categories the engine adjudicates
CLAIMABLE_CATEGORIES = (Category.MEDICAL.value, Category.ACCIDENT.value, Category.CRITICAL_ILLNESS.value)
MIN_LEVEL = {"any": 0, "level_2": 2, "level_2a": 2}
SCOPES = {"annual_member": "annual_member", "annual_family": "annual_family", "per_claim": "per_claim"}
MAIN_BENEFITS = ("general", "accidental_medical")
SEVERITY_KINDS = ("severe", "moderate", "mild")

_cache: dict[tuple[Any, ...], dict[str, Any]] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 512


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def period_of(policy: Policy) -> tuple[dt.date, dt.date]:
    """The policy's first and last covered day (``ends_at`` is 00:00 of the day after)."""
    if policy.effective_at is None or policy.ends_at is None:
        raise ValueError(f"policy {policy.pk} has no period (not issued)")
    start = local_date(policy.effective_at)
    end = local_date(policy.ends_at) - dt.timedelta(days=1)
    return start, max(start, end)


def _product_part(product: Product, plan: Plan) -> dict[str, Any]:
    """The product's (and plan's) share of PolicyTerms as engine JSON."""
    terms = product.terms or {}
    benefits = list(product.benefits.select_related("deductible_group").order_by("position", "pk"))
    groups = {g.code: g for g in product.deductible_groups.all()}
    kinds = {b.kind: b for b in benefits}
    category = product.category
    out: dict[str, Any] = {"category": category, "waiting_period_days": int(product.waiting_days)}
    limit = terms.get("auto_approve_limit_fen")
    out["auto_approve_limit_fen"] = int(limit) if limit is not None else int(settings.CLAIMS_AUTO_APPROVE_LIMIT_FEN)

    if category == Category.CRITICAL_ILLNESS:
        out["severities"] = {
            kind: {
                "ratio": _ratio(kinds[kind].payout_ratio) or "0",
                "max_payouts": max(1, kinds[kind].max_payouts or 1),
            }
            for kind in SEVERITY_KINDS
            if kind in kinds and kinds[kind].payout_ratio is not None
        }
        out["multiple_payout_groups"] = int(terms.get("multiple_payout_groups") or 0)
        out["payout_gap_days"] = int(terms.get("payout_gap_days") or 0)
        out["covered_claim_types"] = ["critical_illness"]
        return out

    wanted = ("general", "serious_illness") if category == Category.MEDICAL else ("accidental_medical",)
    main_group = next(
        (b.deductible_group.code for b in benefits if b.kind in MAIN_BENEFITS and b.deductible_group is not None), None
    )
    used_groups: set[str] = set()
    engine_benefits = []
    for kind in wanted:
        benefit = kinds.get(kind)
        if benefit is None:
            continue
        row: dict[str, Any] = {
            "type": kind,
            "annual_limit_fen": benefit.annual_limit_fen,
            "deductible_group": benefit.deductible_group.code if benefit.deductible_group else None,
            "ratio_with_social_insurance": _ratio(benefit.ratio_with_social) or "0",
            "ratio_without_social_insurance": _ratio(benefit.ratio_without_social) or "0",
        }
        if kind == "serious_illness":
            row["icd_prefixes"] = [str(p) for p in terms.get("serious_illness_icd10") or []]
        if benefit.deductible_group is not None:
            used_groups.add(benefit.deductible_group.code)
        engine_benefits.append(row)
    out["benefits"] = engine_benefits
    deductibles = {}
    for code in sorted(used_groups):
        group = groups[code]
        amount = group.amount_fen
        if code == main_group and plan.deductible_fen is not None:
            amount = plan.deductible_fen
        deductibles[code] = {"amount_fen": int(amount), "scope": SCOPES.get(group.scope, "annual_member")}
    out["deductibles"] = deductibles
    if category == Category.MEDICAL:
        types = ["inpatient"]
        for kind in ("special_outpatient", "outpatient_surgery"):
            if kind in kinds:
                types.append(kind)
        pre = int(terms.get("pre_hospital_days") or 0)
        post = int(terms.get("post_hospital_days") or 0)
        if "pre_post_outpatient" in kinds or pre or post:
            types.append("pre_post_outpatient")
        out["covered_claim_types"] = types
        out["pre_post_days"] = [pre, post]
    else:
        out["covered_claim_types"] = None  # the engine's default for accident products
        out["pre_post_days"] = [int(terms.get("pre_hospital_days") or 0), int(terms.get("post_hospital_days") or 0)]
    out["hospital_rule"] = {
        "min_level": MIN_LEVEL.get(str(terms.get("hospital_min_level", "level_2")), 2),
        "public_only": bool(terms.get("public_hospital_only", True)),
        "special_needs_ward": bool(terms.get("special_needs_ward", False)),
    }
    return out


def product_terms(product: Product, plan: Plan) -> dict[str, Any]:
    """The product part of the engine's policy terms (cached per product version and plan)."""
    key = (product.pk, product.updated_at, plan.pk, plan.deductible_fen, settings.CLAIMS_AUTO_APPROVE_LIMIT_FEN)
    found = _cache.get(key)
    if found is None:
        found = _product_part(product, plan)
        with _cache_lock:
            if len(_cache) >= _CACHE_MAX:
                _cache.clear()
            _cache[key] = found
    return found


def family_groups(policy: Policy) -> set[str]:
    """Deductible groups of the policy's product shared by the family (scope ``annual_family``)."""
    part = product_terms(policy.product, policy.plan)
    return {code for code, d in (part.get("deductibles") or {}).items() if d["scope"] == "annual_family"}


def policy_terms_json(policy: Policy) -> dict[str, Any]:
    """The engine's ``policy`` object for one policy (JSON-shaped dict)."""
    start, end = period_of(policy)
    out = dict(product_terms(policy.product, policy.plan))
    out.update(
        policy_id=policy.number or str(policy.pk),
        period_start=start,
        period_end=end,
        first_effective_date=policy.first_effective_on or start,
        exclusions=list(policy.exclusions or []),
    )
    if out["category"] == Category.CRITICAL_ILLNESS:
        out["sum_insured_fen"] = int(policy.sum_insured_fen)
    if out.get("covered_claim_types") is None:
        out.pop("covered_claim_types", None)
    return out


_terms_cache: dict[tuple[Any, ...], PolicyTerms] = {}


def policy_terms(policy: Policy) -> PolicyTerms:
    """The validated ``PolicyTerms`` of a policy (cached while the policy and product stay the same)."""
    product, plan = policy.product, policy.plan
    key = (
        policy.pk,
        policy.number,
        policy.effective_at,
        policy.ends_at,
        policy.first_effective_on,
        policy.sum_insured_fen,
        repr(policy.exclusions),
        product.pk,
        product.updated_at,
        plan.pk,
        plan.deductible_fen,
        settings.CLAIMS_AUTO_APPROVE_LIMIT_FEN,
    )
    found = _terms_cache.get(key)
    if found is None:
        found = PolicyTerms.model_validate(policy_terms_json(policy))
        with _cache_lock:
            if len(_terms_cache) >= 4 * _CACHE_MAX:
                _terms_cache.clear()
            _terms_cache[key] = found
    return found


def claim_facts(claim: Claim) -> dict[str, Any]:
    """The engine's ``claim`` object for a stored claim."""
    hospital = claim.hospital or {}
    facts: dict[str, Any] = {
        "member_id": claim.member_id,
        "claim_type": claim.claim_type,
        "service_start": claim.service_start,
        "service_end": claim.service_end,
        "diagnoses": list(claim.diagnoses or []),
        "is_accident": bool(claim.is_accident),
        "hospital": {
            "level": int(hospital.get("level", 0)),
            "public": bool(hospital.get("public", False)),
            "special_needs_ward": bool(claim.special_needs_ward),
        },
        "social_insurance_used": bool(claim.social_insurance_used),
        "items": [{"category": i["category"], "amount_fen": int(i["amount_fen"])} for i in claim.items or []],
        "social_insurance_paid_fen": int(claim.social_insurance_paid_fen),
        "other_insurance_paid_fen": int(claim.other_insurance_paid_fen),
        "related_stay": claim.related_stay or None,
        "severity": claim.severity or None,
    }
    return facts


def engine_request(
    claim: Claim,
    accumulators: dict[str, Any],
    risk: RiskFacts | dict[str, Any] | None,
    *,
    claim_id: str | None = None,
) -> ClaimRequest:
    """The whole engine request for a stored claim with the given (engine-shaped) accumulators."""
    policy = claim.policy
    data: dict[str, Any] = {
        "claim_id": claim_id or claim.number,
        "policy": policy_terms(policy),
        "accumulators": accumulators,
        "claim": claim_facts(claim),
    }
    if isinstance(risk, dict) and "frequent_claims_threshold" not in risk:
        risk = {**risk, "frequent_claims_threshold": int(settings.CLAIMS_FREQUENT_CLAIMS)}
    if risk is not None:
        data["risk"] = risk
    return parse_request(data)
