"""Underwriting reads: the active rule book of a questionnaire, decisions, the automation rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import NotFound, PermissionDenied
from kincare.core.permissions import is_staff_with
from kincare.underwriting.engine import RuleBook, RuleTable
from kincare.underwriting.models import RuleSet, UnderwritingDecision
from kincare.underwriting.policies import UNDERWRITER_ROLE, decision_policy


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


def decision_for_staff(*, actor: Any, decision_id: int | str) -> UnderwritingDecision:
    """One decision with its answers, for an underwriter; every such read is audited (not what was read)."""
    if not is_staff_with(actor, UNDERWRITER_ROLE):
        raise PermissionDenied(_("只有核保人员可以查看核保资料"), code="underwriter_required")
    try:
        decision = (
            decision_policy.scope(actor, "review")
            .select_related("member", "product", "product__insurer", "underwriter", "created_by")
            .get(pk=decision_id)
        )
    except (UnderwritingDecision.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("找不到该核保记录")) from None
    audit_record(
        actor=actor,
        action="underwriting.decision_viewed",
        subject=decision,
        family_id=decision.family_id,
        new={"member_id": decision.member_id, "status": decision.status},
    )
    return decision
