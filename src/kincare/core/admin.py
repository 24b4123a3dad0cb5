"""Operator console: the audit log and status history, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kincare.core.models import AuditEvent, StatusChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: visible to staff whose role allows it, never editable."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor_label", "subject_type", "subject_id", "family_id", "request_id")
    list_filter = ("action", "subject_type")
    search_fields = ("action", "subject_id", "request_id", "actor_label")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "subject_type", "subject_id", "from_status", "to_status", "actor", "reason")
    list_filter = ("subject_type", "to_status")
    search_fields = ("subject_id",)
    readonly_fields = [f.name for f in StatusChange._meta.fields]
