"""Planning tables: the family's stored plans, and the nightly batch's runs and partitions.

A plan keeps the inputs it was computed from and the engine's result, both encrypted (they
hold declared conditions and underwriting outcomes), so a family can see what changed since
the previous plan. The family's current plan is its latest row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import EncryptedJSONField


class Trigger(models.TextChoices):
    FIRST = "first", _("首次规划")
    MANUAL = "manual", _("手动重新规划")
    BUDGET = "budget", _("调整预算")
    MEMBER_ADDED = "member_added", _("新增家庭成员")
    MEMBER_REMOVED = "member_removed", _("移除家庭成员")
    MEMBER_CHANGED = "member_changed", _("成员信息变化")
    INCOME_CHANGED = "income_changed", _("收入变化")
    FINANCES_CHANGED = "finances_changed", _("家庭收支变化")
    DECLARATION_CHANGED = "declaration_changed", _("健康告知变化")
    POLICY_ISSUED = "policy_issued", _("新保单生效")
    POLICY_ENDED = "policy_ended", _("保单退保、失效或满期")
    EXTERNAL_CHANGED = "external_changed", _("托管的外部保单变化")
    NIGHTLY = "nightly", _("每日例行规划")


class FamilyPlan(models.Model):
    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: why this plan was computed; several triggers of one transaction are joined by ","
    trigger = models.CharField(_("原因"), max_length=120)
    as_of = models.DateField(_("规划日期"))
    budget_fen = models.BigIntegerField(_("年度预算（分）"))
    budget_is_default = models.BooleanField(_("默认预算"), default=True)
    total_premium_fen = models.BigIntegerField(_("年保费合计（分）"))
    objective_micro = models.BigIntegerField(_("目标值（百万分之一）"))
    premium_to_close_all_gaps_fen = models.BigIntegerField(_("补齐缺口所需保费（分）"))
    catalog_version = models.CharField(max_length=80)
    inputs: Any = EncryptedJSONField(compress=True)
    result: Any = EncryptedJSONField(compress=True)
    run = models.ForeignKey("ReplanRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="plans")

    class Meta:
        verbose_name = _("保障规划")
        verbose_name_plural = _("保障规划")
        ordering = ["-id"]
        indexes = [models.Index(fields=["family", "-id"], name="planning_family_latest")]

    def __str__(self) -> str:
        return f"plan {self.pk} of family {self.family_id}"


class ReplanRun(models.Model):
    """One ``kincare replan-all``: its partitions are materialised at the start, done one by one."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")

    TRANSITIONS = {"running": {"done"}}

    as_of = models.DateField()
    partition_size = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    families_total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    catalog_version = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("批量重新规划")
        verbose_name_plural = _("批量重新规划")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"replan run {self.pk} ({self.as_of})"


class ReplanPartition(models.Model):
    """Families with ``first_family_id <= id <= last_family_id``; ``done_at`` is set in the same
    transaction that writes their plans, so a restarted run never redoes a finished partition."""

    run = models.ForeignKey(ReplanRun, on_delete=models.CASCADE, related_name="partitions")
    first_family_id = models.BigIntegerField()
    last_family_id = models.BigIntegerField()
    families = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "first_family_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_family_id"], name="planning_partition_start"),
            models.CheckConstraint(
                condition=models.Q(last_family_id__gte=models.F("first_family_id")), name="planning_partition_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_family_id}–{self.last_family_id}"


class PlanSettings(models.Model):
    """The family's own choices for planning (one row per family, created when first set)."""

    family = models.OneToOneField("families.Family", on_delete=models.CASCADE, related_name="+")
    #: the annual premium budget the family chose; None: the default (8% of household income)
    budget_fen = models.BigIntegerField(_("年度保费预算（分）"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("规划设置")
        verbose_name_plural = _("规划设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_fen__isnull=True) | models.Q(budget_fen__gte=0), name="planning_budget_range"
            )
        ]

    def __str__(self) -> str:
        return f"plan settings of family {self.family_id}"
