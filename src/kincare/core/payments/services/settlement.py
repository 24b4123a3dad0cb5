"""Settlement: the one place a payment, a late or unmatched payment is posted.

Ledger postings (debit positive, credit negative; see ``kincare.core.ledger``):

* paid: clearing ``platform:clearing:<provider>`` (asset) +amount, ``order.credit_account``
  −amount, key ``pay:<provider>:<transaction_id>`` — the same key whichever path
  (notification, duplicate notification, query, expiry) sees the payment first, so it posts once.
* late payment (the order expired / closed / was already paid by another transaction) and
  unmatched payment (unknown ``out_trade_no``, or an amount that is not the order's): clearing
  +amount, ``platform:payments:suspense`` (liability) −amount under the same key, plus a
  pending ``PaymentRefund`` that ``services.refunds`` sends back *after* this transaction
  commits (its reservation debits suspense in a transaction of its own: crediting and then
  debiting one non-negative account inside one transaction can deadlock on PostgreSQL).
* refunds: see ``services.refunds`` (credit account or suspense → ``platform:refunds:pending``
  → clearing).

Every order row is locked (``select_for_update``) while a notification, a query result, a
refund or the expiry job changes it, so these never interleave on one order. Provider calls
happen outside these transactions.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import ValidationFailed
from kincare.core.fsm import transition
from kincare.core.ledger.errors import IdempotencyConflict
from kincare.core.ledger.models import Account
from kincare.core.ledger.services import account_ensure, ledger_post
from kincare.core.money import MAX_FEN
from kincare.core.payments.handlers import handler_name, purpose_handler
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.providers import (
    PaymentProvider,
    ProviderOrderState,
    TradeState,
)

logger = logging.getLogger(__name__)


SUSPENSE_ACCOUNT = "platform:payments:suspense"
REFUNDS_PENDING_ACCOUNT = "platform:refunds:pending"
#: every payment platform-wide credits clearing, every refund debits pending: spread the rows
HOT_ACCOUNT_BUCKETS = 16
Status = PaymentOrder.Status


def clearing_account_code(provider_name: str) -> str:
    return f"platform:clearing:{provider_name}"


def clearing_account(provider_name: str) -> Account:
    return account_ensure(
        code=clearing_account_code(provider_name),
        kind=Account.Kind.ASSET,
        allow_negative=False,
        name=f"支付渠道待清算：{provider_name}",
        buckets=HOT_ACCOUNT_BUCKETS,
    )


def suspense_account() -> Account:
    return account_ensure(
        code=SUSPENSE_ACCOUNT,
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name="支付暂挂（待退回）",
    )


def refunds_pending_account() -> Account:
    """Refunds asked of the provider and not yet confirmed: reserved, no longer spendable."""
    return account_ensure(
        code=REFUNDS_PENDING_ACCOUNT,
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name="退款处理中",
        buckets=HOT_ACCOUNT_BUCKETS,
    )


def check_amount(amount_fen: Any, *, field: str = "amount_fen") -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationFailed(_("金额必须是整数（分）"), code="invalid_amount", field=field)
    if amount_fen <= 0:
        raise ValidationFailed(_("金额必须大于 0"), code="invalid_amount", field=field)
    if amount_fen > MAX_FEN:
        raise ValidationFailed(_("金额过大"), code="invalid_amount", field=field)
    return amount_fen


# ---------------------------------------------------------------------------------------------
# settle: the one place a payment is posted


def run_purpose_handler(order: PaymentOrder) -> bool:
    handler = purpose_handler(order.purpose)
    if handler is None:
        return False
    path = handler_name(handler)
    try:
        with transaction.atomic():
            handler(order)
            now = timezone.now()
            PaymentOrder.objects.filter(pk=order.pk).update(purpose_handled_at=now)
            order.purpose_handled_at = now
    except Exception as exc:
        # The money is recorded whatever the purpose does; the next duplicate notification or
        # query sync retries the handler (handlers are idempotent).
        logger.exception("purpose handler %s failed for order %s", path, order.out_trade_no)
        audit_record(
            actor=None,
            actor_label="payments",
            action="payments.purpose_handler_failed",
            subject=order,
            new={"handler": path, "error": str(exc)[:300]},
        )
        return False
    return True


def suspense_refund_no(provider_name: str, transaction_id: str) -> str:
    """One refund per provider transaction parked in suspense (≤ 32 characters, like WeChat)."""
    return "L" + hashlib.sha256(f"{provider_name}:{transaction_id}".encode()).hexdigest()[:31]


def park_in_suspense(
    order: PaymentOrder | None,
    channel: PaymentProvider,
    *,
    out_trade_no: str,
    transaction_id: str,
    amount_fen: int,
    kind: str,
    reason: str,
    followups: list[int],
) -> str:
    """Money the provider collected that no order may keep: post it to suspense, queue its refund.

    Returns ``parked``, ``duplicate`` (already parked) or ``suspense_conflict`` (the
    transaction id is already posted with other content: nothing is stranded, an operator
    looks). The refund itself runs after the caller's transaction (``followups``).
    """
    try:
        ledger_post(
            kind="payment_suspense",
            idempotency_key=f"pay:{channel.name}:{transaction_id}",
            postings=[(clearing_account(channel.name), amount_fen), (suspense_account(), -amount_fen)],
            memo=f"{kind} {out_trade_no} ({reason})"[:500],
            subject=order,
        )
    except IdempotencyConflict:
        logger.error(
            "payment %s of %s (%s) conflicts with an earlier posting of the same transaction",
            transaction_id,
            out_trade_no,
            reason,
        )
        audit_record(
            actor=None,
            actor_label=f"provider:{channel.name}",
            action="payments.suspense_conflict",
            subject=order,
            new={"out_trade_no": out_trade_no, "transaction_id": transaction_id, "amount_fen": amount_fen},
        )
        return "suspense_conflict"
    refund, created = PaymentRefund.objects.get_or_create(
        refund_no=suspense_refund_no(channel.name, transaction_id),
        defaults={
            "order": order,
            "provider": channel.name,
            "out_trade_no": out_trade_no[:64],
            "transaction_id": transaction_id[:128],
            "kind": kind,
            "status": PaymentRefund.Status.PENDING,
            "amount_fen": amount_fen,
            "source_account": SUSPENSE_ACCOUNT,
            "reason": f"{reason} {transaction_id}"[:200],
        },
    )
    if refund.status == PaymentRefund.Status.PENDING:
        followups.append(refund.pk)
    if created:
        audit_record(
            actor=None,
            actor_label=f"provider:{channel.name}",
            action="payments.payment_parked_in_suspense",
            subject=order if order is not None else refund,
            new={"reason": reason, "transaction_id": transaction_id, "amount_fen": amount_fen},
        )
    return "parked" if created else "duplicate"


def late_payment_park(
    order: PaymentOrder, channel: PaymentProvider, transaction_id: str, amount_fen: int, followups: list[int]
) -> str:
    """Money arrived for an order we no longer sell: park it in suspense, send it back after commit."""
    parked = park_in_suspense(
        order,
        channel,
        out_trade_no=order.out_trade_no,
        transaction_id=transaction_id,
        amount_fen=amount_fen,
        kind=PaymentRefund.Kind.LATE_PAYMENT,
        reason=f"late payment ({order.status})",
        followups=followups,
    )
    return "late_payment_refund_pending" if parked == "parked" else parked


def settle_paid(
    order: PaymentOrder,
    channel: PaymentProvider,
    *,
    transaction_id: str,
    amount_fen: int,
    source: str,
    followups: list[int],
) -> str:
    """Record that the provider collected ``amount_fen`` for ``order`` (locked by the caller)."""
    if order.status == Status.CREATED:
        ledger_post(
            kind="payment",
            idempotency_key=f"pay:{channel.name}:{transaction_id}",
            postings=[
                (clearing_account(channel.name), amount_fen),
                (order.credit_account, -amount_fen),
            ],
            memo=f"{order.purpose} {order.out_trade_no}",
            subject=order,
        )
        transition(
            order,
            to=Status.PAID,
            reason=source,
            extra_updates={"provider_transaction_id": transaction_id, "paid_at": timezone.now()},
        )
        run_purpose_handler(order)
        return "paid"
    if order.provider_transaction_id == transaction_id:
        if order.purpose_handled_at is None and order.status == Status.PAID:
            run_purpose_handler(order)
        return "duplicate"
    # expired / closed / failed, or a second payment of a paid order: the money did move.
    return late_payment_park(order, channel, transaction_id, amount_fen, followups)


def unmatched_amount_park(
    order: PaymentOrder, channel: PaymentProvider, transaction_id: str, amount_fen: int, followups: list[int]
) -> str:
    """The provider collected another amount than the order's: never credit it, send it back."""
    if order.provider_transaction_id != transaction_id:
        park_in_suspense(
            order,
            channel,
            out_trade_no=order.out_trade_no,
            transaction_id=transaction_id,
            amount_fen=amount_fen,
            kind=PaymentRefund.Kind.UNMATCHED,
            reason="amount_mismatch",
            followups=followups,
        )
    return "amount_mismatch"


def apply_provider_state(
    order: PaymentOrder, channel: PaymentProvider, state: ProviderOrderState, followups: list[int]
) -> str:
    """What a provider query says about ``order`` (locked by the caller), applied idempotently."""
    if state.state in (TradeState.PAID, TradeState.REFUNDED) and state.transaction_id:
        if state.amount_fen != order.amount_fen:
            return unmatched_amount_park(order, channel, state.transaction_id, state.amount_fen, followups)
        return settle_paid(
            order,
            channel,
            transaction_id=state.transaction_id,
            amount_fen=state.amount_fen,
            source="query",
            followups=followups,
        )
    if order.status != Status.CREATED:
        return "unchanged"
    if state.state == TradeState.FAILED:
        transition(order, to=Status.FAILED, reason="provider")
        return "failed"
    if state.state == TradeState.CLOSED:
        transition(order, to=Status.CLOSED, reason="provider")
        return "closed"
    return "pending"


def locked_order(provider_name: str, out_trade_no: str) -> PaymentOrder | None:
    return PaymentOrder.objects.select_for_update().filter(provider=provider_name, out_trade_no=out_trade_no).first()
