"""Claims tables: claims, their documents, the member's year-to-date accumulators, reviews.

Health data (diagnoses, invoice items, the engine's explanation, document names) is
encrypted at rest. ``ClaimAccumulator`` is the row an adjudication locks (``FOR UPDATE``):
two claims of one member on one policy year never consume the same deductible.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import EncryptedJSONField, EncryptedTextField
from kincare.core.storage import private_storage


class ClaimType(models.TextChoices):
    INPATIENT = "inpatient", _("住院")
    SPECIAL_OUTPATIENT = "special_outpatient", _("特殊门诊")
    OUTPATIENT_SURGERY = "outpatient_surgery", _("门诊手术")
    PRE_POST_OUTPATIENT = "pre_post_outpatient", _("住院前后门急诊")
    CRITICAL_ILLNESS = "critical_illness", _("重疾确诊")
    ACCIDENT_MEDICAL = "accident_medical", _("意外医疗")


class Claim(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        MANUAL_REVIEW = "manual_review", _("人工审核中")
        AWAITING_SECOND_APPROVAL = "awaiting_second_approval", _("待复核")
        APPROVED = "approved", _("已核准")
        REJECTED = "rejected", _("已拒赔")
        PAID = "paid", _("已赔付")
        WITHDRAWN = "withdrawn", _("已撤回")

    class DecidedBy(models.TextChoices):
        ENGINE = "engine", _("自动理赔")
        ADJUSTER = "adjuster", _("人工理赔")

    TRANSITIONS = {
        "submitted": {"approved", "rejected", "manual_review", "withdrawn"},
        "manual_review": {"approved", "rejected", "awaiting_second_approval", "withdrawn"},
        "awaiting_second_approval": {"approved", "rejected", "manual_review"},
        "approved": {"paid"},
    }

    number = models.CharField(_("理赔编号"), max_length=32, unique=True)
    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("families.Member", on_delete=models.PROTECT, related_name="claims")
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="claims")
    claim_type = models.CharField(_("理赔类型"), max_length=24, choices=ClaimType.choices)
    is_accident = models.BooleanField(_("意外导致"), default=False)
    service_start = models.DateField(_("就诊/入院日期"))
    service_end = models.DateField(_("出院/结束日期"))
    hospital_code = models.CharField(_("医院"), max_length=40)
    #: the directory entry when the claim was made: {"code", "name", "level", "public", "city"}
    hospital: Any = models.JSONField(_("医院信息"), default=dict)
    special_needs_ward = models.BooleanField(_("特需病房"), default=False)
    #: ICD-10 codes (health data)
    diagnoses: Any = EncryptedJSONField(_("诊断"))
    #: [{"category", "amount_fen", "description"?}] (health data)
    items: Any = EncryptedJSONField(_("费用明细"))
    total_fen = models.BigIntegerField(_("发票总额（分）"))
    social_insurance_used = models.BooleanField(_("经社保结算"), default=False)
    social_insurance_paid_fen = models.BigIntegerField(_("社保统筹支付（分）"), default=0)
    other_insurance_paid_fen = models.BigIntegerField(_("其他保险已赔（分）"), default=0)
    #: for pre/post-hospital outpatient claims: {"admission", "discharge"}
    related_stay: Any = models.JSONField(_("关联住院"), null=True, blank=True)
    #: critical illness: "severe" | "moderate" | "mild"
    severity = models.CharField(_("重疾等级"), max_length=10, blank=True)
    #: keyed HMAC of each invoice number (duplicate detection without storing the numbers)
    invoice_hashes = models.JSONField(default=list, blank=True)
    status = models.CharField(_("状态"), max_length=26, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.CharField(_("决定方"), max_length=10, choices=DecidedBy.choices, blank=True)
    benefit = models.CharField(_("赔付责任"), max_length=30, blank=True)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    flags = models.JSONField(_("风险提示"), default=list, blank=True)
    #: the engine's full output incl. the explanation lines (health data)
    engine_result: Any = EncryptedJSONField(_("理算结果"), null=True, blank=True)
    proposed_payout_fen = models.BigIntegerField(_("理算金额（分）"), default=0)
    payout_fen = models.BigIntegerField(_("赔付金额（分）"), default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("理赔")
        verbose_name_plural = _("理赔")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["member", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_fen__gte=0)
                & Q(social_insurance_paid_fen__gte=0)
                & Q(other_insurance_paid_fen__gte=0)
                & Q(proposed_payout_fen__gte=0)
                & Q(payout_fen__gte=0),
                name="claim_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(service_end__gte=models.F("service_start")), name="claim_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.number


class ClaimDocument(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("医疗费用发票")
        SETTLEMENT = "settlement", _("医保结算单")
        DISCHARGE = "discharge", _("出院小结")
        DIAGNOSIS = "diagnosis", _("诊断证明")
        OTHER = "other", _("其他材料")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="claims/%Y/%m/", storage=private_storage)
    original_name = EncryptedTextField(_("文件名"), blank=True, default="")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("理赔材料")
        verbose_name_plural = _("理赔材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:8]}"


class ClaimAccumulator(models.Model):
    """Year-to-date amounts of one member on one policy term (locked during adjudication)."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("families.Member", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    deductible_used: Any = models.JSONField(default=dict)  # group → fen
    paid: Any = models.JSONField(default=dict)  # benefit → fen
    payouts: Any = models.JSONField(default=dict)  # critical illness: severity → count
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("理赔累计")
        verbose_name_plural = _("理赔累计")
        constraints = [
            models.UniqueConstraint(fields=["policy", "member", "period_start"], name="claim_accumulator_once"),
        ]

    def __str__(self) -> str:
        return f"accumulator {self.policy_id}/{self.member_id}/{self.period_start}"


class ClaimReview(models.Model):
    class Action(models.TextChoices):
        APPROVE = "approve", _("核准")
        ADJUST = "adjust", _("调整金额后核准")
        REJECT = "reject", _("拒赔")
        SECOND_APPROVE = "second_approve", _("复核通过")
        SECOND_RETURN = "second_return", _("复核退回")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"), null=True, blank=True)
    reason_code = models.CharField(_("原因代码"), max_length=40, blank=True)
    note = EncryptedTextField(_("说明"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("理赔审核")
        verbose_name_plural = _("理赔审核")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} on {self.claim_id}"
