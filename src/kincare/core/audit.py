"""Audit events are written by services (never by signals) and by selectors reading health data."""

from __future__ import annotations

from typing import Any

from django.db import models

from kincare.core.context import current_request_id
from kincare.core.models import AuditEvent


def subject_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def audit_event(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    family_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """The row ``audit_record`` writes, not yet saved (to insert several in one statement)."""
    if subject is not None:
        subject_type = subject_label(subject)
        subject_id = subject.pk
        if family_id is None:
            family_id = getattr(subject, "family_id", None)
    user = actor if getattr(actor, "is_authenticated", False) else None
    if not actor_label:
        actor_label = f"user:{user.pk}" if user is not None else "system"
    return AuditEvent(
        actor=user,
        actor_label=actor_label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        family_id=family_id,
        old=old,
        new=new,
        request_id=current_request_id() or "",
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    family_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Write one audit row. ``actor`` is a user, or None for the system (say who in actor_label)."""
    event = audit_event(
        actor=actor,
        action=action,
        subject=subject,
        subject_type=subject_type,
        subject_id=subject_id,
        family_id=family_id,
        old=old,
        new=new,
        actor_label=actor_label,
    )
    event.save(force_insert=True)
    return event
