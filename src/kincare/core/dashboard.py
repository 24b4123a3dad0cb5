"""The operator dashboard on the admin index: each automation figure next to its industry target.

A few aggregate queries per page load (no per-row work):

* automated underwriting — decisions made by the engine / all decisions (target above 80%);
* automated issuance — issued policies whose insured's decision was made by the engine (or that
  needed none) / all issued policies (target above 70%);
* automated claims — claims decided by the engine / all adjudicated claims
  (``kincare.claims.selectors.automation_rate``; target above 40%).

The panel also counts the two manual queues: underwriting cases pending and claims waiting for
an adjuster (manual review or a second approval).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _figure(
    *, code: str, label: str, engine: int | None, total: int | None, target: float, note: str = ""
) -> dict[str, Any]:
    rate = (engine / total) if engine is not None and total else None
    return {
        "code": code,
        "label": label,
        "numerator": engine,
        "denominator": total,
        "rate": rate,
        "display": _percent(rate),
        "bar_pct": round(rate * 100) if rate is not None else 0,
        "target": target,
        "target_display": "> " + _percent(target).replace(".0%", "%"),
        "target_pct": round(target * 100),
        "met": (rate > target) if rate is not None else None,
        "note": note,
    }


def issuance_automation() -> dict[str, int]:
    """Issued policies and those issued without an underwriter (the decision was the engine's, or none)."""
    from kincare.policies.models import Policy
    from kincare.underwriting.models import UnderwritingDecision

    manual = UnderwritingDecision.DecidedBy.UNDERWRITER
    counts = Policy.objects.filter(issued_at__isnull=False).aggregate(
        total=Count("id"),
        engine=Count("id", filter=Q(decision__isnull=True) | ~Q(decision__decided_by=manual)),
    )
    return {"engine": counts["engine"] or 0, "total": counts["total"] or 0}


def dashboard_figures() -> list[dict[str, Any]]:
    """Each automation figure with its target; ``display`` is "—" while there is nothing to count."""
    from kincare.claims.selectors import automation_rate as claims_automation_rate
    from kincare.underwriting.selectors import automation_rate

    underwriting = automation_rate()
    issuance = issuance_automation()
    claims = claims_automation_rate()
    return [
        _figure(
            code="underwriting",
            label=_("自动核保率"),
            engine=underwriting["engine"],
            total=underwriting["total"],
            target=0.8,
            note=_("自动核保的决定 / 全部核保决定"),
        ),
        _figure(
            code="issuance",
            label=_("自动出单率"),
            engine=issuance["engine"],
            total=issuance["total"],
            target=0.7,
            note=_("无需人工核保即承保的保单 / 全部已承保保单"),
        ),
        _figure(
            code="claims",
            label=_("自动理赔率"),
            engine=claims["engine"],
            total=claims["total"],
            target=0.4,
            note=_("自动理赔（无需人工审核）的案件 / 全部已理算案件"),
        ),
    ]


def dashboard_context(user: Any) -> dict[str, Any]:
    """What the admin index panel shows: the figures and the manual queues (underwriting, claims)."""
    from kincare.claims.selectors import claim_queue
    from kincare.core.permissions import is_staff_with
    from kincare.underwriting.models import UnderwritingDecision

    return {
        "figures": dashboard_figures(),
        "queue_count": UnderwritingDecision.objects.filter(status=UnderwritingDecision.Status.PENDING).count(),
        "queue_link": is_staff_with(user, "underwriter"),
        "claims_queue_count": claim_queue().count(),
        "claims_queue_link": is_staff_with(user, "claims_adjuster"),
    }
