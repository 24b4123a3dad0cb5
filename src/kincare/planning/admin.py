"""Operator console: the nightly re-planning runs and their progress (plans hold health data and
are not shown here; families see theirs on the protection page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kincare.planning.models import ReplanRun


@admin.register(ReplanRun)
class ReplanRunAdmin(admin.ModelAdmin):
    list_display = ("id", "as_of", "status", "families_total", "partitions_done", "started_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = (
        "as_of",
        "status",
        "families_total",
        "partition_size",
        "catalog_version",
        "started_at",
        "finished_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReplanRun]:
        return (
            super()
            .get_queryset(request)
            .annotate(done=Count("partitions", filter=Q(partitions__done_at__isnull=False)), total=Count("partitions"))
        )

    @admin.display(description=_("已完成分区"))
    def partitions_done(self, run: Any) -> str:
        return f"{run.done} / {run.total}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
