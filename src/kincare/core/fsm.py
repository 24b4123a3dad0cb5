"""Explicit state machines: a ``TRANSITIONS`` table per model and one ``transition()`` helper.

    class Campaign(models.Model):
        class Status(models.TextChoices): ...
        TRANSITIONS = {"draft": {"submitted"}, "submitted": {"live", "rejected"}, ...}

``transition(obj, to=..., actor=...)`` refuses a move the table does not allow, updates the
status with a conditional UPDATE (so a concurrent move of the same row cannot both win),
records a ``StatusChange`` row and an audit event.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record, subject_label
from kincare.core.errors import Conflict
from kincare.core.models import StatusChange


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
    current = getattr(obj, field)
    if to not in allowed_targets(obj, field):
        raise IllegalTransition(_("状态不能从“%(from)s”变为“%(to)s”") % {"from": current, "to": to}, field=field)
    updates = {field: to, **(extra_updates or {})}
    changed = type(obj)._default_manager.filter(pk=obj.pk, **{field: current}).update(**updates)
    if changed != 1:
        raise IllegalTransition(_("该对象的状态已被他人更改，请刷新后重试"), field=field)
    for name, value in updates.items():
        setattr(obj, name, value)
    user = actor if getattr(actor, "is_authenticated", False) else None
    change = StatusChange.objects.create(
        subject_type=subject_label(obj),
        subject_id=str(obj.pk),
        field=field,
        from_status=current,
        to_status=to,
        actor=user,
        reason=reason[:500],
    )
    audit_record(
        actor=actor,
        action=f"{subject_label(obj)}.{field}_changed",
        subject=obj,
        old={field: current},
        new={field: to, "reason": reason} if reason else {field: to},
    )
    return change


def status_history(obj: models.Model) -> models.QuerySet[StatusChange]:
    return StatusChange.objects.filter(subject_type=subject_label(obj), subject_id=str(obj.pk))
