"""Explicit state machines: a ``TRANSITIONS`` table per model and one ``transition()`` helper.

    class Campaign(models.Model):
        class Status(models.TextChoices): ...
        TRANSITIONS = {"draft": {"submitted"}, "submitted": {"live", "rejected"}, ...}

``transition(obj, to=..., actor=...)`` refuses a move the table does not allow, updates the
status with a conditional UPDATE (so a concurrent move of the same row cannot both win),
records a ``StatusChange`` row and an audit event.

``transition_path(obj, path=[...])`` makes several moves at once inside the caller's transaction
(e.g. a claim approved and then paid): every move is checked against the table, one conditional
UPDATE goes to the last state, and the same rows ``transition`` writes (a ``StatusChange`` and an
audit event per move) are inserted in two statements, without a savepoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from kincare.core.audit import audit_event, subject_label
from kincare.core.errors import Conflict
from kincare.core.models import AuditEvent, StatusChange


class IllegalTransition(Conflict):
    default_code = "illegal_transition"


def allowed_targets(obj: models.Model, field: str = "status") -> set[str]:
    table: dict[str, set[str]] = getattr(type(obj), "TRANSITIONS", {})
    return set(table.get(getattr(obj, field), set()))


@transaction.atomic
def transition(
    obj: models.Model,
    *,
    to: str,
    actor: Any = None,
    reason: str = "",
    field: str = "status",
    extra_updates: dict[str, Any] | None = None,
) -> StatusChange:
    return transition_path(obj, path=[to], actor=actor, reason=reason, field=field, extra_updates=extra_updates)[0]


def transition_if_current(
    obj: models.Model,
    *,
    to: str,
    actor: Any = None,
    reason: str = "",
    field: str = "status",
    extra_updates: dict[str, Any] | None = None,
) -> StatusChange | None:
    """``transition``, except that losing the race is not an error: when another process moved
    the row first (its status is no longer the one ``obj`` holds), nothing is written and the
    answer is None. A move the table does not allow still raises ``IllegalTransition``."""
    table: dict[str, set[str]] = getattr(type(obj), "TRANSITIONS", {})
    before = getattr(obj, field)
    if to not in table.get(before, set()):
        raise IllegalTransition(_("状态不能从“%(from)s”变为“%(to)s”") % {"from": before, "to": to}, field=field)
    try:
        return transition(obj, to=to, actor=actor, reason=reason, field=field, extra_updates=extra_updates)
    except IllegalTransition:
        return None


def transition_path(
    obj: models.Model,
    *,
    path: Sequence[str],
    actor: Any = None,
    reason: str = "",
    field: str = "status",
    extra_updates: dict[str, Any] | None = None,
) -> list[StatusChange]:
    """Move ``obj`` through each state of ``path`` in turn; returns a ``StatusChange`` per move.

    Every move is checked before anything is written. Runs in the caller's transaction without
    a savepoint: a failure after the first write aborts the caller's transaction.
    """
    if not path:
        raise ValueError("transition_path needs at least one state")
    table: dict[str, set[str]] = getattr(type(obj), "TRANSITIONS", {})
    current = getattr(obj, field)
    moves = list(zip([current, *path[:-1]], path, strict=True))
    for before, after in moves:
        if after not in table.get(before, set()):
            raise IllegalTransition(_("状态不能从“%(from)s”变为“%(to)s”") % {"from": before, "to": after}, field=field)
    updates = {field: path[-1], **(extra_updates or {})}
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = subject_label(obj)
    changes: list[StatusChange] = []
    with transaction.atomic(savepoint=False):
        # conditional: of two concurrent movers of the row, one wins
        changed = type(obj)._default_manager.filter(pk=obj.pk, **{field: current}).update(**updates)
        if changed == 1:
            changes = StatusChange.objects.bulk_create(
                [
                    StatusChange(
                        subject_type=label,
                        subject_id=str(obj.pk),
                        field=field,
                        from_status=before,
                        to_status=after,
                        actor=user,
                        reason=reason[:500],
                    )
                    for before, after in moves
                ]
            )
            AuditEvent.objects.bulk_create(
                audit_event(
                    actor=actor,
                    action=f"{label}.{field}_changed",
                    subject=obj,
                    old={field: before},
                    new={field: after, "reason": reason} if reason else {field: after},
                )
                for before, after in moves
            )
    if changed != 1:  # nothing was written: the caller's transaction stays usable
        raise IllegalTransition(_("该对象的状态已被他人更改，请刷新后重试"), field=field)
    for name, value in updates.items():
        setattr(obj, name, value)
    return changes


def status_history(obj: models.Model) -> models.QuerySet[StatusChange]:
    return StatusChange.objects.filter(subject_type=subject_label(obj), subject_id=str(obj.pk))
