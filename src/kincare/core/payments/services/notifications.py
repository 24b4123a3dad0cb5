"""Provider notifications: verify first, log first, apply idempotently, refund after commit."""

from __future__ import annotations

import logging
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
from kincare.core.payments.services.refunds import refund_notification_apply, refunds_after_transaction
from kincare.core.payments.services.settlement import (
    apply_provider_state,
    locked_order,
    park_in_suspense,
    settle_paid,
    unmatched_amount_park,
)

logger = logging.getLogger(__name__)

MAX_STORED_BODY = 64 * 1024
#: an unverified body is anyone's: keep enough to diagnose, not enough to fill the database
MAX_UNVERIFIED_BODY = 1024


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


#: verified outcomes an operator should see (the money is parked and sent back, not lost)
ALERT_OUTCOMES = {"unknown_order", "amount_mismatch", "suspense_conflict"}


def _stored(body: bytes, limit: int) -> str:
    # as received, minus what a text column cannot hold (PostgreSQL refuses NUL)
    return body[:limit].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def payment_notification_handle(*, provider_name: str, body: bytes, headers: Any) -> NotificationResult:
    """Verify, log and apply one provider notification (the HTTP endpoint and the sandbox use it).

    The signature is checked before anything else; an unverified notification is logged (at
    most 1 KB of it: anyone can send one) and answered 400, and moves nothing. A verified one
    is logged first, in its own transaction, so the log survives whatever processing does;
    then it is applied under the order's lock; then its result is written. Money collected
    for an unknown order or with a wrong amount is parked in suspense and sent back, and the
    provider is answered SUCCESS so it stops. Refunds to the payer run after the commit.
    """
    channel = get_provider(provider_name)
    try:
        note = channel.verify_notification(body, headers)
    except (InvalidSignature, InvalidNotification) as exc:
        verified = isinstance(exc, InvalidNotification)
        log = PaymentNotification.objects.create(
            provider=provider_name,
            raw_body=_stored(body, MAX_STORED_BODY if verified else MAX_UNVERIFIED_BODY),
            signature_valid=verified,
            result=exc.code,
            detail=exc.message[:500],
        )
        return NotificationResult(
            status=400,
            outcome=exc.code,
            body={"code": exc.code, "message": exc.message, "field": exc.field},
            notification_id=log.pk,
        )

    with transaction.atomic():
        log = PaymentNotification.objects.create(
            provider=provider_name,
            raw_body=_stored(body, MAX_STORED_BODY),
            signature_valid=True,
            event=note.event,
            out_trade_no=note.out_trade_no[:64],
            transaction_id=note.transaction_id[:128],
            amount_fen=note.amount_fen,
            refund_no=note.refund_no[:64],
            dedupe_key=note.dedupe_key[:300],
        )
    followups: list[int] = []
    try:
        outcome = _process(channel, note, log, followups)
    except Exception as exc:
        logger.exception("notification #%s from %s could not be applied", log.pk, provider_name)
        PaymentNotification.objects.filter(pk=log.pk).update(
            result="error", detail=f"{type(exc).__name__}: {exc}"[:500]
        )
        return NotificationResult(
            status=500,
            outcome="error",
            body={"code": "FAIL", "message": str(gettext_lazy("处理失败，请稍后重试"))},
            notification_id=log.pk,
        )
    if followups:
        outcome = _after_refunds(outcome, refunds_after_transaction(followups), log.pk)
    return NotificationResult(status=200, outcome=outcome, notification_id=log.pk)


def _process(channel: PaymentProvider, note: Notification, log: PaymentNotification, followups: list[int]) -> str:
    # A "failed"/"closed" notification is only a hint: ask the provider before acting (outside
    # the lock), so a stale "closed" arriving before "paid" cannot lose the payment.
    state: ProviderOrderState | None = None
    if note.event in (NotificationEvent.FAILED, NotificationEvent.CLOSED):
        state = channel.query_order(note.out_trade_no)
    with transaction.atomic():
        order = locked_order(channel.name, note.out_trade_no)
        # under the order's lock, an earlier copy that was applied is visible: this one is a repeat
        duplicate = (
            PaymentNotification.objects.filter(provider=channel.name, signature_valid=True, dedupe_key=log.dedupe_key)
            .exclude(pk=log.pk)
            .exclude(result__in=("", "error"))
            .exists()
        )
        outcome = _apply_notification(order, channel, note, state, followups)
        PaymentNotification.objects.filter(pk=log.pk).update(result=outcome, order=order, duplicate=duplicate)
        if outcome in ALERT_OUTCOMES:
            logger.error(
                "verified notification #%s from %s: %s (%s, %s fen) — parked in suspense",
                log.pk,
                channel.name,
                outcome,
                note.out_trade_no,
                note.amount_fen,
            )
            audit_record(
                actor=None,
                actor_label=f"provider:{channel.name}",
                action=f"payments.notification_{outcome}",
                subject=log,
                family_id=order.family_id if order is not None else None,
                new={"out_trade_no": note.out_trade_no[:64], "amount_fen": note.amount_fen},
            )
    return outcome


def _after_refunds(outcome: str, refunds: list[PaymentRefund], log_pk: int) -> str:
    """Say in the log what became of the refunds this notification caused."""
    if not refunds:
        return outcome
    statuses = {refund.status for refund in refunds}
    if outcome == "late_payment_refund_pending":
        if statuses == {PaymentRefund.Status.SUCCEEDED}:
            outcome = "late_payment_refunded"
        elif PaymentRefund.Status.FAILED in statuses:
            outcome = "late_payment_in_suspense"
    detail = "; ".join(f"refund {refund.refund_no}: {refund.status}" for refund in refunds)
    PaymentNotification.objects.filter(pk=log_pk).update(result=outcome, detail=detail[:500])
    return outcome


def _apply_notification(
    order: PaymentOrder | None,
    channel: PaymentProvider,
    note: Notification,
    state: ProviderOrderState | None,
    followups: list[int],
) -> str:
    if note.event == NotificationEvent.REFUNDED:
        return refund_notification_apply(order, channel.name, note)
    if order is None:
        if note.event == NotificationEvent.PAID:
            park_in_suspense(
                None,
                channel,
                out_trade_no=note.out_trade_no,
                transaction_id=note.transaction_id,
                amount_fen=note.amount_fen,
                kind=PaymentRefund.Kind.UNMATCHED,
                reason="unknown_order",
                followups=followups,
            )
        return "unknown_order"
    if note.amount_fen != order.amount_fen:
        if note.event == NotificationEvent.PAID:
            return unmatched_amount_park(order, channel, note.transaction_id, note.amount_fen, followups)
        return "amount_mismatch"
    if note.event == NotificationEvent.PAID:
        return settle_paid(
            order,
            channel,
            transaction_id=note.transaction_id,
            amount_fen=note.amount_fen,
            source="notification",
            followups=followups,
        )
    assert state is not None
    if state.out_trade_no != order.out_trade_no:
        return "unchanged"
    return apply_provider_state(order, channel, state, followups)
