"""Policies tables: applications (quote → underwriting → payment), policies, external policies.

One ``Policy`` per insured member and term: a family application for three people issues
three policies paid by one order. A renewal of a one-year product is a new ``Policy`` row
(``renewal_of``) that keeps ``first_effective_on``, so no new waiting period starts.

An ``Application`` is one of three kinds: new business, a renewal offer (``renewal_of`` the
policy it renews; paying it issues a new policy) or a yearly instalment (续期保费) of a
long-term policy paid over several years (``renewal_of`` the policy, ``instalment_year`` the
how-many-th annual premium; paying it issues nothing, it adds to ``Policy.premiums_paid``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import EncryptedJSONField


class Application(models.Model):
    class Status(models.TextChoices):
        UNDERWRITING = "underwriting", _("健康告知中")
        MANUAL_REVIEW = "manual_review", _("人工核保中")
        READY = "ready", _("待确认投保")
        PENDING_PAYMENT = "pending_payment", _("待支付")
        ISSUED = "issued", _("已承保")
        DECLINED = "declined", _("未通过核保")
        WITHDRAWN = "withdrawn", _("已撤回")
        PAYMENT_EXPIRED = "payment_expired", _("支付超时")
        #: paid, but a rule checked again at payment no longer held: nothing issued, money refunded
        REFUNDED = "refunded", _("未能承保，保费已退回")
        #: an instalment application that was paid
        PAID = "paid", _("已缴费")

    class Kind(models.TextChoices):
        NEW = "new", _("新投保")
        RENEWAL = "renewal", _("续保")
        INSTALMENT = "instalment", _("续期缴费")

    TRANSITIONS = {
        "underwriting": {"manual_review", "ready", "declined", "withdrawn"},
        "manual_review": {"underwriting", "ready", "declined", "withdrawn"},
        "ready": {"underwriting", "pending_payment", "withdrawn"},
        "pending_payment": {"issued", "paid", "payment_expired", "withdrawn", "refunded"},
        # answering again (e.g. after the decision expired) goes back through underwriting
        "payment_expired": {"pending_payment", "underwriting", "withdrawn"},
    }

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("catalog.Plan", on_delete=models.PROTECT, related_name="+")
    payment_years = models.PositiveIntegerField(_("缴费年期"), default=1)
    policyholder = models.ForeignKey("families.Member", on_delete=models.PROTECT, related_name="+")
    #: ``{"kind": "legal"}`` or ``{"kind": "named", "named": [{"name", "relationship", "share_pct", "member_id"}]}``
    beneficiaries: Any = EncryptedJSONField(_("身故受益人"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UNDERWRITING)
    premium_fen = models.BigIntegerField(_("首期保费（分）"), default=0)
    order = models.ForeignKey(
        "payments.PaymentOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.NEW)
    #: the policy this application renews, or (kind ``instalment``) whose yearly premium it collects
    renewal_of = models.ForeignKey(
        "policies.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal_applications"
    )
    #: kind ``instalment``: the how-many-th annual premium (2 … payment_years)
    instalment_year = models.PositiveIntegerField(_("第几期保费"), null=True, blank=True)
    #: cover of the current payment attempt starts at 00:00 of this day (set when pay is pressed)
    effective_on = models.DateField(_("计划生效日"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("投保单")
        verbose_name_plural = _("投保单")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(premium_fen__gte=0), name="application_premium_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="instalment", renewal_of__isnull=False, instalment_year__gte=2)
                | (~Q(kind="instalment") & Q(instalment_year__isnull=True)),
                name="application_instalment_has_policy_and_year",
            ),
            models.UniqueConstraint(
                fields=["renewal_of", "instalment_year"],
                condition=Q(kind="instalment"),
                name="application_instalment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"application {self.pk}"


class ApplicationInsured(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="insured")
    member = models.ForeignKey("families.Member", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        "underwriting.UnderwritingDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    base_premium_fen = models.BigIntegerField(_("标准保费（分）"))
    loading_pct = models.PositiveIntegerField(_("加费比例(%)"), default=0)
    premium_fen = models.BigIntegerField(_("保费（分）"))
    death_benefit_fen = models.BigIntegerField(_("身故保额（分）"), default=0)

    class Meta:
        verbose_name = _("被保险人")
        verbose_name_plural = _("被保险人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="application_insured_once"),
            models.CheckConstraint(
                condition=Q(base_premium_fen__gte=0) & Q(premium_fen__gte=0) & Q(death_benefit_fen__gte=0),
                name="application_insured_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"insured {self.member_id} on application {self.application_id}"


class Policy(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("待支付")
        ACTIVE = "active", _("保障中")
        CANCELLED = "cancelled", _("犹豫期退保")
        LAPSED = "lapsed", _("已失效")
        EXPIRED = "expired", _("已满期")
        TERMINATED = "terminated", _("已终止")

    TRANSITIONS = {
        "pending_payment": {"active", "lapsed"},
        "active": {"cancelled", "lapsed", "expired", "terminated"},
    }

    number = models.CharField(_("保单号"), max_length=32, unique=True, null=True, blank=True)
    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="policies")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("catalog.Plan", on_delete=models.PROTECT, related_name="+")
    policyholder = models.ForeignKey("families.Member", on_delete=models.PROTECT, related_name="+")
    insured = models.ForeignKey("families.Member", on_delete=models.PROTECT, related_name="policies")
    beneficiaries: Any = EncryptedJSONField(_("身故受益人"), default=dict)
    decision = models.ForeignKey(
        "underwriting.UnderwritingDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sum_insured_fen = models.BigIntegerField(_("保额/限额（分）"))
    death_benefit_fen = models.BigIntegerField(_("身故保额（分）"), default=0)
    base_premium_fen = models.BigIntegerField(_("标准保费（分）"))
    loading_pct = models.PositiveIntegerField(_("加费比例(%)"), default=0)
    premium_fen = models.BigIntegerField(_("年保费（分）"))
    payment_years = models.PositiveIntegerField(_("缴费年期"), default=1)
    #: annual premiums paid so far, the first one included (payment_years: paid up)
    premiums_paid = models.PositiveIntegerField(_("已缴保费期数"), default=1)
    #: ``[{"icd10": [...], "description": "..."}]`` from underwriting (health data: encrypted)
    exclusions: Any = EncryptedJSONField(_("除外责任"), default=list)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING_PAYMENT)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("满期时间"), null=True, blank=True)
    #: the first day of continuous cover with this product: waiting periods count from here
    first_effective_on = models.DateField(_("首次生效日"), null=True, blank=True)
    renewal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_by"
    )
    issued_at = models.DateTimeField(_("承保时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    renewal_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保单")
        verbose_name_plural = _("保单")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["family", "insured"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sum_insured_fen__gte=0)
                & Q(death_benefit_fen__gte=0)
                & Q(base_premium_fen__gte=0)
                & Q(premium_fen__gte=0),
                name="policy_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(premiums_paid__gte=1) & Q(premiums_paid__lte=models.F("payment_years")),
                name="policy_premiums_paid_within_term",
            ),
            models.CheckConstraint(
                condition=Q(status="pending_payment")
                | Q(status="lapsed", number__isnull=True)
                | Q(number__isnull=False),
                name="policy_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"policy {self.pk}"


class ExternalPolicy(models.Model):
    """保单托管: a policy bought elsewhere, recorded by the family (unverified)."""

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="+")
    insured = models.ForeignKey("families.Member", on_delete=models.CASCADE, related_name="external_policies")
    insurer_name = models.CharField(_("保险公司"), max_length=120)
    product_name = models.CharField(_("产品名称"), max_length=120)
    category = models.CharField(_("类别"), max_length=24)
    policy_number = models.CharField(_("保单号"), max_length=64, blank=True)
    sum_insured_fen = models.BigIntegerField(_("保额/年度限额（分）"))
    premium_fen = models.BigIntegerField(_("年保费（分）"), default=0)
    starts_on = models.DateField(_("生效日"))
    ends_on = models.DateField(_("满期日"), null=True, blank=True)
    verified = models.BooleanField(_("已核实"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("外部保单")
        verbose_name_plural = _("外部保单")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sum_insured_fen__gt=0) & Q(premium_fen__gte=0), name="external_policy_amounts_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="external_policy_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer_name} {self.product_name}"
