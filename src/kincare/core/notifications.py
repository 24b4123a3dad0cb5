"""Notifications to users (no signals: services call ``notify`` explicitly)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kincare.core.models import Notification


def notify(
    *,
    recipient: Any,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    family_id: int | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Send one notification; with ``dedupe_key``, a repeat returns the first and sends nothing."""
    if recipient is None:
        return None
    row = Notification(
        recipient=recipient,
        kind=kind,
        title=str(title)[:200],
        body=str(body),
        link=link,
        family_id=family_id,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        row.save(force_insert=True)
        return row
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin must not abort the caller's transaction
            row.save(force_insert=True)
    except IntegrityError:
        return Notification.objects.filter(dedupe_key=dedupe_key).first()
    return row


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notifications_mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    qs = notification_list(user=user, unread_only=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
