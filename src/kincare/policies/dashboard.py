"""Policies on the operator dashboard (``kincare.core.dashboard``): the automated issuance rate,
registered in ``PoliciesConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kincare.core.dashboard import figure, register_figure
from kincare.policies.models import Policy
from kincare.underwriting.models import UnderwritingDecision


def issuance_automation() -> dict[str, int]:
    """Issued policies and those issued without an underwriter (the decision was the engine's, or none)."""
    manual = UnderwritingDecision.DecidedBy.UNDERWRITER
    counts = Policy.objects.filter(issued_at__isnull=False).aggregate(
        total=Count("id"),
        engine=Count("id", filter=Q(decision__isnull=True) | ~Q(decision__decided_by=manual)),
    )
    return {"engine": counts["engine"] or 0, "total": counts["total"] or 0}


def issuance_figure() -> dict[str, Any]:
    counts = issuance_automation()
    return figure(
        code="issuance",
        label=_("自动出单率"),
        engine=counts["engine"],
        total=counts["total"],
        target=0.7,
        note=_("无需人工核保即承保的保单 / 全部已承保保单"),
    )


def register() -> None:
    register_figure("issuance", issuance_figure, order=20)
