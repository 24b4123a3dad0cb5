"""Underwriting reads: the active rule book of a questionnaire, decisions, the automation rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from kincare.underwriting.engine import RuleBook, RuleTable
from kincare.underwriting.models import RuleSet, UnderwritingDecision


def rulebook_active(questionnaire: str | None) -> RuleBook | None:
    """The active tables of a questionnaire (None: the product asks no health questions)."""
    if not questionnaire:
        return None
    rows = RuleSet.objects.filter(questionnaire=questionnaire, status=RuleSet.Status.ACTIVE).only(
        "questionnaire", "condition", "version", "content", "sha256"
    )
    tables = {
        row.condition: RuleTable(
            questionnaire=row.questionnaire,
            condition=row.condition,
            version=row.version,
            content=row.content,
            sha256=row.sha256,
        )
        for row in rows
    }
    return RuleBook(questionnaire=questionnaire, tables=tables)


def automation_rate(*, since: dt.datetime | None = None) -> dict[str, Any]:
    """Decisions made by the engine / all decisions (pending manual ones count as not automated)."""
    qs = UnderwritingDecision.objects.exclude(status=UnderwritingDecision.Status.WITHDRAWN)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    counts = qs.aggregate(total=Count("id"), engine=Count("id", filter=Q(decided_by="engine")))
    total, engine = counts["total"] or 0, counts["engine"] or 0
    return {"engine": engine, "total": total, "rate": (engine / total) if total else None}


def decision_queue() -> QuerySet[UnderwritingDecision]:
    """Pending manual decisions, oldest first (staff only: callers check the role)."""
    return (
        UnderwritingDecision.objects.filter(status=UnderwritingDecision.Status.PENDING)
        .select_related("product", "member")
        .order_by("created_at")
    )
