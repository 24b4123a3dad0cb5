"""Underwriting tables: versioned rule tables (JDM) and decisions.

Health data (answers, per-condition outcomes, exclusions, reasons, the underwriter's note) is
encrypted at rest; the outcome kind and the numbers that price a policy are not.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import EncryptedJSONField, EncryptedTextField


class RuleSet(models.Model):
    """One version of one decision table: (questionnaire, condition, version)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("生效中")
        RETIRED = "retired", _("已停用")

    TRANSITIONS = {"draft": {"active", "retired"}, "active": {"retired"}}

    questionnaire = models.CharField(_("健康告知"), max_length=60)
    condition = models.CharField(_("疾病"), max_length=30)
    version = models.PositiveIntegerField(_("版本"))
    content = models.TextField(_("规则表（JDM JSON）"))
    sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("修改说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("核保规则表")
        verbose_name_plural = _("核保规则表")
        ordering = ["questionnaire", "condition", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "condition", "version"], name="ruleset_version_unique"),
            models.UniqueConstraint(
                fields=["questionnaire", "condition"],
                condition=Q(status="active"),
                name="ruleset_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire}/{self.condition} v{self.version}"


class UnderwritingDecision(models.Model):
    """The decision for one insured member and one product (engine or underwriter)."""

    class Outcome(models.TextChoices):
        STANDARD = "standard", _("标准体承保")
        CONDITIONAL = "conditional", _("有条件承保")
        POSTPONE = "postpone", _("延期")
        MANUAL = "manual", _("转人工核保")
        DECLINE = "decline", _("拒保")

    class Status(models.TextChoices):
        PENDING = "pending", _("待人工核保")
        DECIDED = "decided", _("已决定")
        WITHDRAWN = "withdrawn", _("已撤回")

    class DecidedBy(models.TextChoices):
        ENGINE = "engine", _("自动核保")
        UNDERWRITER = "underwriter", _("人工核保")

    TRANSITIONS = {"pending": {"decided", "withdrawn"}}

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("families.Member", on_delete=models.CASCADE, related_name="underwriting_decisions")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    questionnaire = models.CharField(_("健康告知"), max_length=60, blank=True)
    ruleset_versions = models.JSONField(_("规则版本"), default=dict)
    answers: Any = EncryptedJSONField(_("告知内容"))
    engine_result: Any = EncryptedJSONField(_("自动核保结果"))
    engine_outcome = models.CharField(_("自动核保结论"), max_length=12, choices=Outcome.choices)
    outcome = models.CharField(_("结论"), max_length=12, choices=Outcome.choices)
    loading_pct = models.PositiveIntegerField(_("加费比例(%)"), default=0)
    exclusions: Any = EncryptedJSONField(_("除外责任"), default=list)
    postpone_months = models.PositiveIntegerField(_("延期月数"), default=0)
    reasons: Any = EncryptedJSONField(_("原因"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    decided_by = models.CharField(_("决定方"), max_length=12, choices=DecidedBy.choices, blank=True)
    underwriter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    underwriter_note = EncryptedTextField(_("核保意见"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("核保决定")
        verbose_name_plural = _("核保决定")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(loading_pct__lte=150), name="decision_loading_at_most_150"),
        ]

    def __str__(self) -> str:
        return f"decision {self.pk}"
