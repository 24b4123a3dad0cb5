"""Payment tables: orders, refunds, the notification log, and the sandbox provider's state.

A ``PaymentOrder`` is what the platform asks a provider to collect. Money only moves in the
ledger when a *verified* provider notification (or a provider query) says the order was
paid; ``PaymentNotification`` logs every notification received, valid or not.

``SandboxTransaction`` / ``SandboxNotification`` are the *provider side* of the local sandbox
(the state WeChat Pay / Alipay would keep on their servers); the platform never reads them
except through the ``PaymentProvider`` interface.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_expires_at() -> dt.datetime:
    """An order can be paid for ``settings.PAYMENT_ORDER_TTL_SECONDS`` after it is created."""
    return timezone.now() + dt.timedelta(seconds=settings.PAYMENT_ORDER_TTL_SECONDS)


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("待支付")
        PAID = "paid", _("已支付")
        FAILED = "failed", _("支付失败")
        EXPIRED = "expired", _("已过期")
        CLOSED = "closed", _("已关闭")
        PARTIALLY_REFUNDED = "partially_refunded", _("部分退款")
        REFUNDED = "refunded", _("已退款")

    TRANSITIONS = {
        "created": {"paid", "failed", "expired", "closed"},
        "paid": {"partially_refunded", "refunded"},
        "partially_refunded": {"refunded"},
    }

    out_trade_no = models.CharField(_("商户订单号"), max_length=64, unique=True)
    provider = models.CharField(_("支付渠道"), max_length=32)
    provider_order_id = models.CharField(_("渠道预支付单号"), max_length=128, blank=True)
    pay_url = models.CharField(_("支付链接"), max_length=500, blank=True)
    purpose = models.CharField(_("用途"), max_length=50, db_index=True)
    description = models.CharField(_("商品描述"), max_length=128, blank=True)
    subject_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_content_type", "subject_id")
    family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_orders",
        verbose_name=_("付款人"),
    )
    amount_fen = models.BigIntegerField(_("金额（分）"))
    refunded_fen = models.BigIntegerField(_("已退款（分）"), default=0)
    credit_account = models.CharField(_("入账账户"), max_length=120)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.CREATED)
    provider_transaction_id = models.CharField(_("渠道交易号"), max_length=128, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=128, unique=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True, default=default_expires_at)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    #: set once the purpose handler (``handlers.purpose_handlers``) ran successfully
    purpose_handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("支付订单")
        verbose_name_plural = _("支付订单")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_order_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("amount_fen")),
                name="payments_order_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.out_trade_no

    @property
    def refundable_fen(self) -> int:
        return self.amount_fen - self.refunded_fen


class PaymentRefund(models.Model):
    """Money given back through the provider, in two phases (see ``services.refunds``).

    ``pending``: the amount is reserved in the ledger (moved from the paying account to
    ``platform:refunds:pending``, entry ``reserve_entry_id``) and the provider may or may not
    have refunded it yet; ``succeeded``: the provider refunded it (pending → clearing, entry
    ``ledger_entry_id``); ``failed``: the provider definitely refused and the reservation was
    reversed (``ledger_entry_id`` is the reversal).
    """

    class Kind(models.TextChoices):
        REFUND = "refund", _("退款")
        LATE_PAYMENT = "late_payment", _("逾期到账退回")
        UNMATCHED = "unmatched", _("无法匹配的到账退回")

    class Status(models.TextChoices):
        PENDING = "pending", _("处理中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("退款失败")

    TRANSITIONS = {"pending": {"succeeded", "failed"}}

    #: null for money the provider collected for an order we do not know
    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    provider = models.CharField(_("支付渠道"), max_length=32, blank=True)
    out_trade_no = models.CharField(_("商户订单号"), max_length=64, blank=True)
    #: the provider transaction a late / unmatched payment came with
    transaction_id = models.CharField(max_length=128, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REFUND)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    refund_no = models.CharField(_("退款单号"), max_length=64, unique=True)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    #: the account the money is given back from (the order's credit account, or suspense)
    source_account = models.CharField(max_length=120, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    provider_refund_id = models.CharField(max_length=128, blank=True)
    reserve_entry_id = models.BigIntegerField(null=True, blank=True)
    ledger_entry_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    failure_message = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_refund_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.refund_no


class PaymentNotification(models.Model):
    """Every asynchronous notification a provider sent us, as received, and what we did with it."""

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    provider = models.CharField(max_length=32)
    raw_body = models.TextField(blank=True)
    signature_valid = models.BooleanField(default=False)
    event = models.CharField(max_length=20, blank=True)
    out_trade_no = models.CharField(max_length=64, blank=True, db_index=True)
    transaction_id = models.CharField(max_length=128, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    refund_no = models.CharField(max_length=64, blank=True)
    #: same event about the same order and transaction → same key (marks duplicates)
    dedupe_key = models.CharField(max_length=300, blank=True, db_index=True)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    #: what handling did: paid, duplicate, late_payment_refunded, amount_mismatch, …
    result = models.CharField(max_length=40, blank=True)
    duplicate = models.BooleanField(default=False)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.event} {self.out_trade_no} → {self.result}"


class SandboxTransaction(models.Model):
    """The sandbox provider's own record of an order (what WeChat Pay would store server-side)."""

    class State(models.TextChoices):
        NOTPAY = "NOTPAY", _("未支付")
        SUCCESS = "SUCCESS", _("支付成功")
        PAYERROR = "PAYERROR", _("支付失败")
        CLOSED = "CLOSED", _("已关闭")
        REFUND = "REFUND", _("转入退款")

    class Scenario(models.TextChoices):
        NORMAL = "normal", _("正常：支付后立即通知一次")
        DUPLICATE = "duplicate", _("重复：同一通知送达两次")
        LATE = "late", _("延迟：订单过期后才送达通知")
        OUT_OF_ORDER = "out_of_order", _("乱序：先送达“已关闭”，再送达“已支付”")
        FAIL = "fail", _("失败：支付失败")

    provider_order_id = models.CharField(max_length=64, unique=True)
    out_trade_no = models.CharField(max_length=64, unique=True)
    transaction_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    amount_fen = models.BigIntegerField()
    description = models.CharField(max_length=128, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NOTPAY)
    scenario = models.CharField(max_length=20, choices=Scenario.choices, default=Scenario.NORMAL)
    refunded_fen = models.BigIntegerField(default=0)
    #: [{"refund_no", "refund_id", "amount_fen", "at"}], in order
    refunds = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱交易")
        verbose_name_plural = _("沙箱交易")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_sandbox_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__gte=0) & Q(refunded_fen__lte=F("amount_fen")),
                name="payments_sandbox_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.state}"


class SandboxNotification(models.Model):
    """An outbound notification of the sandbox provider (its outbox), delivered when due."""

    transaction = models.ForeignKey(SandboxTransaction, on_delete=models.CASCADE, related_name="outbox")
    event = models.CharField(max_length=20)
    payload = models.JSONField()
    not_before = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱通知")
        verbose_name_plural = _("沙箱通知")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.event}"
