"""Refunds of paid orders through the provider, idempotent by refund number."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.ledger.services import ledger_post
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.providers import (
    ProviderError,
    get_provider,
)
from kincare.core.payments.services.settlement import (
    check_amount,
    clearing_account,
    locked_order,
)

Status = PaymentOrder.Status


def payment_refund(
    *, order: PaymentOrder, amount_fen: int, refund_no: str, reason: str = "", actor: Any = None
) -> PaymentRefund:
    """Give (part of) a paid order back through the provider; idempotent by ``refund_no``.

    The ledger entry is posted before the provider is asked, in one transaction: if the credit
    account cannot give the money back (``insufficient_funds``) the provider is never called,
    and if the provider refuses, the entry is rolled back.
    """
    amount_fen = check_amount(amount_fen)
    if not isinstance(refund_no, str) or not refund_no.strip() or len(refund_no) > 64:
        raise ValidationFailed(_("退款单号不能为空且不超过 64 个字符"), code="invalid_refund_no", field="refund_no")
    with transaction.atomic():
        locked = locked_order(order.provider, order.out_trade_no)
        if locked is None:
            raise ValidationFailed(_("订单不存在"), code="unknown_order")
        existing = PaymentRefund.objects.filter(refund_no=refund_no).first()
        if existing is not None:
            if (
                existing.order_id != locked.pk
                or existing.amount_fen != amount_fen
                or existing.kind != PaymentRefund.Kind.REFUND
            ):
                raise Conflict(
                    _("同一退款单号已用于另一笔退款"),
                    code="idempotency_conflict",
                    field="refund_no",
                )
            return existing
        if locked.status not in (Status.PAID, Status.PARTIALLY_REFUNDED):
            raise Conflict(_("只有已支付的订单可以退款"), code="not_refundable")
        if amount_fen > locked.refundable_fen:
            raise ValidationFailed(_("退款金额不能超过可退金额"), code="refund_exceeds_paid", field="amount_fen")
        channel = get_provider(locked.provider)
        refund = PaymentRefund.objects.create(
            order=locked,
            kind=PaymentRefund.Kind.REFUND,
            refund_no=refund_no,
            amount_fen=amount_fen,
            reason=reason[:200],
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        entry = ledger_post(
            kind="payment_refund",
            idempotency_key=f"refund:{channel.name}:{refund_no}",
            postings=[
                (locked.credit_account, amount_fen),
                (clearing_account(channel.name), -amount_fen),
            ],
            memo=f"refund {refund_no} of {locked.out_trade_no}",
            subject=locked,
            actor=actor,
        )
        result = channel.refund(locked, amount_fen=amount_fen, refund_no=refund_no)
        if not result.succeeded:
            raise ProviderError(
                _("支付渠道拒绝退款：%(message)s") % {"message": result.message},
                code="refund_refused",
            )
        refund.provider_refund_id = result.provider_refund_id
        refund.ledger_entry_id = entry.pk
        refund.save(update_fields=["provider_refund_id", "ledger_entry_id"])
        refunded = locked.refunded_fen + amount_fen
        target = Status.REFUNDED if refunded == locked.amount_fen else Status.PARTIALLY_REFUNDED
        if target != locked.status:
            transition(
                locked,
                to=target,
                actor=actor,
                reason=reason,
                extra_updates={"refunded_fen": refunded},
            )
        else:
            PaymentOrder.objects.filter(pk=locked.pk).update(refunded_fen=refunded)
        audit_record(
            actor=actor,
            action="payments.refunded",
            subject=locked,
            new={"refund_no": refund_no, "amount_fen": amount_fen, "reason": reason[:200]},
        )
    return refund
