"""Planning writes: compute a family's plan, store it with its inputs, set the budget.

``family_replan`` is what every trigger ends in (``planning.triggers.replan_soon`` after the
commit of the service that changed an input); ``family_budget_set`` is the family's budget
control; the nightly batch (``planning.batch``) writes plans in bulk with ``plan_row``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import NotFound, PermissionDenied
from kincare.families.models import Family
from kincare.families.policies import family_policy
from kincare.families.selectors import member_list
from kincare.planning.catalog import planning_catalog_current
from kincare.planning.engine import FamilyIn, PlanResult, family_json, plan_family
from kincare.planning.facts import family_inputs
from kincare.planning.models import FamilyPlan, PlanSettings, ReplanPartition, ReplanRun, Trigger


def family_input(family: Family, *, as_of: dt.date | None = None) -> FamilyIn:
    """The engine's input for one family as of a date (today in Asia/Shanghai by default)."""
    as_of = as_of or timezone.localdate()
    inputs = family_inputs([family.pk], as_of=as_of).get(family.pk)
    if inputs is None:
        raise NotFound(_("这个家庭还没有成员"), code="family_empty")
    return inputs


def plan_row(
    family_id: int,
    inputs: dict[str, Any],
    result: dict[str, Any],
    *,
    trigger: str,
    catalog_version: str,
    actor: Any = None,
    run: ReplanRun | None = None,
) -> FamilyPlan:
    """An unsaved plan row from the inputs (``family_json``) and the result (``PlanResult.as_json``)."""
    row = FamilyPlan(
        family_id=family_id,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        trigger=trigger[:120],
        as_of=dt.date.fromisoformat(result["as_of"]),
        budget_fen=result["budget_fen"],
        budget_is_default=result["budget_is_default"],
        total_premium_fen=result["total_premium_fen"],
        objective_micro=result["objective_micro"],
        premium_to_close_all_gaps_fen=result["premium_to_close_all_gaps_fen"],
        catalog_version=catalog_version[:80],
        run=run,
    )
    row.inputs = inputs
    row.result = result
    return row


def family_plan_preview(*, actor: Any, family: Family, budget_fen: int | None) -> tuple[FamilyIn, PlanResult]:
    """The plan with another budget, computed but not stored (the live budget control)."""
    family_policy.require(actor, "view", family)
    inputs = family_input(family)
    if budget_fen is not None:
        inputs = replace(inputs, budget_fen=budget_fen)
    return inputs, plan_family(inputs, planning_catalog_current())


def family_replan(
    *, family_id: int, trigger: str, actor: Any = None, as_of: dt.date | None = None
) -> FamilyPlan | None:
    """Compute and store the family's plan now; None when the family has no members left."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        return None
    try:
        inputs = family_input(family, as_of=as_of)
    except NotFound:
        return None
    catalog = planning_catalog_current()
    result = plan_family(inputs, catalog)
    row = plan_row(
        family.pk, family_json(inputs), result.as_json(), trigger=trigger, catalog_version=catalog.version, actor=actor
    )
    row.save()
    return row


@transaction.atomic
def family_budget_set(*, actor: Any, family: Family, budget_fen: int | None) -> FamilyPlan:
    """The family's own annual budget (None: back to the default), then a new plan with it.

    Any adult member may set it: the plan is advice for the whole family and changes no cover.
    ``budget_fen`` was checked at the edge (``planning.schemas.budget_checked``).
    """
    family_policy.require(actor, "view", family)
    if not _is_adult_member(actor, family):
        raise PermissionDenied(_("只有家庭中的成年成员可以调整预算"), code="adult_only")
    budget = budget_fen
    settings_row, _created = PlanSettings.objects.select_for_update().get_or_create(family=family)
    old = settings_row.budget_fen
    settings_row.budget_fen = budget
    settings_row.updated_by = actor
    settings_row.save()
    audit_record(
        actor=actor,
        action="planning.budget_set",
        subject=family,
        family_id=family.pk,
        old={"budget_fen": old},
        new={"budget_fen": budget},
    )
    plan = family_replan(family_id=family.pk, trigger=Trigger.BUDGET, actor=actor)
    if plan is None:
        raise NotFound(_("这个家庭还没有成员"), code="family_empty")
    return plan


def family_plan_ensure(*, actor: Any, family: Family) -> FamilyPlan:
    """The family's current plan, computing the first one when there is none."""
    family_policy.require(actor, "view", family)
    plan = FamilyPlan.objects.filter(family=family).order_by("-id").first()
    if plan is not None:
        return plan
    plan = family_replan(family_id=family.pk, trigger=Trigger.FIRST, actor=actor)
    if plan is None:
        raise NotFound(_("这个家庭还没有成员"), code="family_empty")
    return plan


def family_replan_by(*, actor: Any, family: Family) -> FamilyPlan:
    """A member asks for a fresh plan (after changing something outside the platform)."""
    family_policy.require(actor, "view", family)
    plan = family_replan(family_id=family.pk, trigger=Trigger.MANUAL, actor=actor)
    if plan is None:
        raise NotFound(_("这个家庭还没有成员"), code="family_empty")
    return plan


def _is_adult_member(actor: Any, family: Family) -> bool:
    return any(v.is_viewer and v.role != "minor" for v in member_list(user=actor, family=family))


def partition_write(
    partition: ReplanPartition,
    planned: list[tuple[dict[str, Any], dict[str, Any]]],
    version: str,
    *,
    read_at: dt.datetime | None = None,
) -> int:
    """Write a partition's plans and mark it done, in one transaction (0: it was done already).

    A family re-planned by a trigger after the partition was read (``read_at``) keeps that newer
    plan: the nightly one, computed from older inputs, is not written over it.
    """
    newer: set[int] = set()
    if read_at is not None:
        newer = set(
            FamilyPlan.objects.filter(
                family_id__gte=partition.first_family_id,
                family_id__lte=partition.last_family_id,
                created_at__gt=read_at,
            ).values_list("family_id", flat=True)
        )
    rows = [
        plan_row(
            int(inputs["family_id"]),
            inputs,
            result,
            trigger=Trigger.NIGHTLY,
            catalog_version=version,
            run=partition.run,
        )
        for inputs, result in planned
        if int(inputs["family_id"]) not in newer
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # plans are derived data and the done mark commits with them: a crash loses at most
            # the last partitions' commits, which the resumed run redoes — so no fsync wait here
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        claimed = ReplanPartition.objects.filter(pk=partition.pk, done_at__isnull=True).update(done_at=timezone.now())
        if not claimed:
            return 0  # another runner finished it meanwhile: its plans stand
        FamilyPlan.objects.bulk_create(rows, batch_size=500)
        # history older than the retention is dropped; every family keeps the plan just written
        FamilyPlan.objects.filter(
            family_id__gte=partition.first_family_id,
            family_id__lte=partition.last_family_id,
            created_at__lt=timezone.now() - dt.timedelta(days=settings.PLANNING_KEEP_DAYS),
        ).delete()
    return len(rows)
