"""Settlement: the one place a payment, a late payment or its refund is posted.

Ledger postings (debit positive, credit negative; see ``kincare.core.ledger``):

* paid: clearing ``platform:clearing:<provider>`` (asset) +amount, ``order.credit_account``
  −amount, key ``pay:<provider>:<transaction_id>`` — the same key whichever path
  (notification, duplicate notification, query) sees the payment first, so it posts once.
* late payment: clearing +amount, ``platform:payments:suspense`` (liability) −amount under
  the same key; the provider then refunds it: suspense +amount, clearing −amount.
* refund: ``order.credit_account`` +amount, clearing −amount, key
  ``refund:<provider>:<refund_no>``.

Every order row is locked (``select_for_update``) while a notification, a query result, a
refund or the expiry job changes it, so these never interleave on one order.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import ValidationFailed
from kincare.core.fsm import transition
from kincare.core.ledger.models import Account
from kincare.core.ledger.services import account_ensure, ledger_post
from kincare.core.money import MAX_FEN
from kincare.core.payments.handlers import PURPOSE_HANDLERS
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.providers import (
    PaymentProvider,
    ProviderOrderState,
    TradeState,
)

logger = logging.getLogger(__name__)


SUSPENSE_ACCOUNT = "platform:payments:suspense"
Status = PaymentOrder.Status


def clearing_account_code(provider_name: str) -> str:
    return f"platform:clearing:{provider_name}"


def clearing_account(provider_name: str) -> Account:
    return account_ensure(
        code=clearing_account_code(provider_name),
        kind=Account.Kind.ASSET,
        allow_negative=False,
        name=f"支付渠道待清算：{provider_name}",
    )


def suspense_account() -> Account:
    return account_ensure(
        code=SUSPENSE_ACCOUNT,
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name="支付暂挂（待退回）",
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
    path = PURPOSE_HANDLERS.get(order.purpose)
    if path is None:
        return False
    try:
        with transaction.atomic():
            import_string(path)(order)
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


def late_payment_refund(order: PaymentOrder, channel: PaymentProvider, transaction_id: str, amount_fen: int) -> str:
    """Money arrived for an order we no longer sell: park it in suspense, send it straight back."""
    clearing, suspense = clearing_account(channel.name), suspense_account()
    ledger_post(
        kind="payment_suspense",
        idempotency_key=f"pay:{channel.name}:{transaction_id}",
        postings=[(clearing, amount_fen), (suspense, -amount_fen)],
        memo=f"late payment {order.out_trade_no} ({order.status})",
        subject=order,
    )
    refund_no = "L" + hashlib.sha256(f"{channel.name}:{transaction_id}".encode()).hexdigest()[:31]
    if PaymentRefund.objects.filter(refund_no=refund_no).exists():
        return "duplicate"
    result = channel.refund(order, amount_fen=amount_fen, refund_no=refund_no)
    if not result.succeeded:
        audit_record(
            actor=None,
            actor_label="payments",
            action="payments.late_payment_refund_failed",
            subject=order,
            new={
                "transaction_id": transaction_id,
                "amount_fen": amount_fen,
                "message": result.message,
            },
        )
        return "late_payment_in_suspense"
    refund = PaymentRefund.objects.create(
        order=order,
        kind=PaymentRefund.Kind.LATE_PAYMENT,
        refund_no=refund_no,
        amount_fen=amount_fen,
        reason=f"late payment {transaction_id}"[:200],
        provider_refund_id=result.provider_refund_id,
    )
    entry = ledger_post(
        kind="payment_refund",
        idempotency_key=f"refund:{channel.name}:{refund_no}",
        postings=[(suspense, amount_fen), (clearing, -amount_fen)],
        memo=f"refund of late payment {order.out_trade_no}",
        subject=order,
    )
    PaymentRefund.objects.filter(pk=refund.pk).update(ledger_entry_id=entry.pk)
    audit_record(
        actor=None,
        actor_label="payments",
        action="payments.late_payment_refunded",
        subject=order,
        new={"transaction_id": transaction_id, "amount_fen": amount_fen, "refund_no": refund_no},
    )
    return "late_payment_refunded"


def settle_paid(
    order: PaymentOrder,
    channel: PaymentProvider,
    *,
    transaction_id: str,
    amount_fen: int,
    source: str,
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
    return late_payment_refund(order, channel, transaction_id, amount_fen)


def apply_provider_state(order: PaymentOrder, channel: PaymentProvider, state: ProviderOrderState) -> str:
    """What a provider query says about ``order`` (locked by the caller), applied idempotently."""
    if state.state in (TradeState.PAID, TradeState.REFUNDED) and state.transaction_id:
        if state.amount_fen != order.amount_fen:
            return "amount_mismatch"
        return settle_paid(
            order,
            channel,
            transaction_id=state.transaction_id,
            amount_fen=state.amount_fen,
            source="query",
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
