"""Provider notifications: verify first, log everything, apply idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from kincare.core.audit import audit_record
from kincare.core.payments.models import PaymentNotification, PaymentOrder, PaymentRefund
from kincare.core.payments.providers import (
    InvalidNotification,
    InvalidSignature,
    Notification,
    NotificationEvent,
    PaymentProvider,
    ProviderOrderState,
    get_provider,
)
from kincare.core.payments.services.settlement import (
    apply_provider_state,
    locked_order,
    settle_paid,
)

MAX_STORED_BODY = 64 * 1024


# ---------------------------------------------------------------------------------------------
# notifications


@dataclass(frozen=True)
class NotificationResult:
    """What to answer the provider: ``status`` and ``body``; ``outcome`` says what happened."""

    status: int
    outcome: str
    body: dict[str, Any] = field(default_factory=lambda: {"code": "SUCCESS", "message": "OK"})
    notification_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


REFUSED_OUTCOMES = {
    "unknown_order": gettext_lazy("订单不存在"),
    "amount_mismatch": gettext_lazy("通知金额与订单金额不一致"),
}


def _refused(outcome: str, notification_id: int) -> NotificationResult:
    return NotificationResult(
        status=400,
        outcome=outcome,
        body={"code": outcome, "message": str(REFUSED_OUTCOMES[outcome])},
        notification_id=notification_id,
    )


def payment_notification_handle(*, provider_name: str, body: bytes, headers: Any) -> NotificationResult:
    """Verify, log and apply one provider notification (the HTTP endpoint and the sandbox use it).

    The signature is checked before anything else; an unverified notification is logged and
    answered 400, and moves nothing.
    """
    channel = get_provider(provider_name)
    # stored as received, minus what a text column cannot hold (PostgreSQL refuses NUL)
    raw_text = body[:MAX_STORED_BODY].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    try:
        note = channel.verify_notification(body, headers)
    except (InvalidSignature, InvalidNotification) as exc:
        log = PaymentNotification.objects.create(
            provider=provider_name,
            raw_body=raw_text,
            signature_valid=isinstance(exc, InvalidNotification),
            result=exc.code,
            detail=exc.message[:500],
        )
        return NotificationResult(
            status=400,
            outcome=exc.code,
            body={"code": exc.code, "message": exc.message},
            notification_id=log.pk,
        )

    # A "failed"/"closed" notification is only a hint: ask the provider before acting (outside
    # the lock), so a stale "closed" arriving before "paid" cannot lose the payment.
    state: ProviderOrderState | None = None
    if note.event in (NotificationEvent.FAILED, NotificationEvent.CLOSED):
        state = channel.query_order(note.out_trade_no)

    with transaction.atomic():
        order = locked_order(provider_name, note.out_trade_no)
        duplicate = PaymentNotification.objects.filter(
            provider=provider_name, signature_valid=True, dedupe_key=note.dedupe_key
        ).exists()
        log = PaymentNotification.objects.create(
            provider=provider_name,
            raw_body=raw_text,
            signature_valid=True,
            event=note.event,
            out_trade_no=note.out_trade_no[:64],
            transaction_id=note.transaction_id[:128],
            amount_fen=note.amount_fen,
            refund_no=note.refund_no[:64],
            dedupe_key=note.dedupe_key[:300],
            order=order,
            duplicate=duplicate,
        )
        outcome = _apply_notification(order, channel, note, state)
        PaymentNotification.objects.filter(pk=log.pk).update(result=outcome)
        if outcome in REFUSED_OUTCOMES:
            audit_record(
                actor=None,
                actor_label=f"provider:{provider_name}",
                action=f"payments.notification_{outcome}",
                subject=log,
                family_id=order.family_id if order is not None else None,
                new={"out_trade_no": note.out_trade_no[:64], "amount_fen": note.amount_fen},
            )
            return _refused(outcome, log.pk)
    return NotificationResult(status=200, outcome=outcome, notification_id=log.pk)


def _apply_notification(
    order: PaymentOrder | None,
    channel: PaymentProvider,
    note: Notification,
    state: ProviderOrderState | None,
) -> str:
    if order is None:
        return "unknown_order"
    if note.event == NotificationEvent.REFUNDED:
        # Refunds are posted when we ask for them (payment_refund); this only confirms one.
        known = PaymentRefund.objects.filter(order=order, refund_no=note.refund_no).exists()
        return "refund_confirmed" if known else "refund_unknown"
    if note.amount_fen != order.amount_fen:
        return "amount_mismatch"
    if note.event == NotificationEvent.PAID:
        return settle_paid(
            order,
            channel,
            transaction_id=note.transaction_id,
            amount_fen=note.amount_fen,
            source="notification",
        )
    assert state is not None
    if state.out_trade_no != order.out_trade_no:
        return "unchanged"
    return apply_provider_state(order, channel, state)
