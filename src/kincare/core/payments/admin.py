"""Operator console: payment orders, refunds and the notification log, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kincare.core.payments.models import (
    PaymentNotification,
    PaymentOrder,
    PaymentRefund,
    SandboxNotification,
    SandboxTransaction,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records change only through services (and the ledger); the console only reads."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentRefundInline(admin.TabularInline):
    model = PaymentRefund
    extra = 0
    can_delete = False
    fields = (
        "refund_no",
        "kind",
        "status",
        "amount_fen",
        "reason",
        "provider_refund_id",
        "reserve_entry_id",
        "ledger_entry_id",
        "failure_message",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = (
        "out_trade_no",
        "purpose",
        "provider",
        "amount_fen",
        "refunded_fen",
        "status",
        "family_id",
        "created_at",
        "paid_at",
    )
    list_filter = ("status", "provider", "purpose", "created_at")
    search_fields = ("out_trade_no", "provider_transaction_id", "idempotency_key")
    date_hierarchy = "created_at"
    inlines = (PaymentRefundInline,)
    list_select_related = ("payer",)


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "provider",
        "event",
        "out_trade_no",
        "amount_fen",
        "signature_valid",
        "duplicate",
        "result",
    )
    list_filter = ("provider", "signature_valid", "duplicate", "result", "event")
    search_fields = ("out_trade_no", "transaction_id")
    date_hierarchy = "received_at"


@admin.register(PaymentRefund)
class PaymentRefundAdmin(ReadOnlyAdmin):
    list_display = ("refund_no", "order", "out_trade_no", "kind", "status", "amount_fen", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("refund_no", "out_trade_no", "transaction_id", "order__out_trade_no")


@admin.register(SandboxTransaction)
class SandboxTransactionAdmin(ReadOnlyAdmin):
    list_display = ("out_trade_no", "state", "scenario", "amount_fen", "refunded_fen", "created_at")
    list_filter = ("state", "scenario")
    search_fields = ("out_trade_no", "transaction_id", "provider_order_id")


@admin.register(SandboxNotification)
class SandboxNotificationAdmin(ReadOnlyAdmin):
    list_display = ("transaction", "event", "not_before", "delivered_at", "attempts", "last_status")
    list_filter = ("event",)
