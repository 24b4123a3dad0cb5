"""Refunds through the provider, in two phases, idempotent by refund number.

A provider call is never made inside a database transaction: if it were, a timeout after
the provider had refunded would roll back every record of the attempt, and a retry would
refund twice. So:

(a) reserve — one transaction: lock the order, check what is still refundable (pending
    refunds count), create ``PaymentRefund(status=pending)`` and post the amount from the
    paying account (the order's credit account, or suspense) to ``platform:refunds:pending``
    (the non-negative guard of the paying account is checked here, up front); commit.
(b) ask the provider, outside any transaction (``payment_refund_execute`` refuses to run
    inside one).
(c) settle — a new transaction: success posts pending → clearing (the money left us) and
    marks the refund ``succeeded``; a definite refusal reverses the reservation and marks it
    ``failed`` (logged at ERROR and audited for an operator); an exception or timeout leaves
    it ``pending``.

A pending refund is settled later by the provider's ``refunded`` notification
(``refund_notification_apply``) or by ``payment_refunds_settle`` (beat task
``payment_refunds_settle_task``), which asks the provider again with the same refund
number — the provider refunds a refund number at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.ledger.models import JournalEntry
from kincare.core.ledger.services import ledger_post, ledger_reverse
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.providers import (
    Notification,
    ProviderError,
    RefundResult,
    get_provider,
)
from kincare.core.payments.services.settlement import (
    check_amount,
    clearing_account,
    locked_order,
    refunds_pending_account,
)

logger = logging.getLogger(__name__)

Status = PaymentOrder.Status
RefundStatus = PaymentRefund.Status
#: a pending refund younger than this is still being handled by the request that made it
SETTLE_AFTER = timedelta(minutes=1)


def outside_transaction() -> bool:
    """True when no transaction is open (a test case's own wrapping transaction aside)."""
    return not connection.in_atomic_block or all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def after_transaction(action: Callable[[], Any]) -> bool:
    """Run ``action`` now if no transaction is open, else once it commits; True if it ran now."""
    if outside_transaction():
        action()
        return True
    transaction.on_commit(action)
    return False


def _provider_name(refund: PaymentRefund) -> str:
    if refund.provider:
        return refund.provider
    assert refund.order is not None
    return refund.order.provider


def _out_trade_no(refund: PaymentRefund) -> str:
    if refund.out_trade_no:
        return refund.out_trade_no
    return refund.order.out_trade_no if refund.order is not None else ""


# ---------------------------------------------------------------------------------------------
# (a) reserve


def payment_refund(
    *, order: PaymentOrder, amount_fen: int, refund_no: str, reason: str = "", actor: Any = None
) -> PaymentRefund:
    """Give (part of) a paid order back through the provider; idempotent by ``refund_no``.

    Returns the refund: ``succeeded``, or ``pending`` when the provider's answer is not known
    yet (it is settled later). A refund the provider refused raises ``ProviderError``
    (``refund_refused``), also when the same ``refund_no`` is asked again. Called inside a
    transaction, the reservation joins it and the provider is asked after it commits.
    """
    amount_fen = check_amount(amount_fen)
    if not isinstance(refund_no, str) or not refund_no.strip() or len(refund_no) > 64:
        raise ValidationFailed(_("退款单号不能为空且不超过 64 个字符"), code="invalid_refund_no", field="refund_no")
    with transaction.atomic():
        locked = locked_order(order.provider, order.out_trade_no)
        if locked is None:
            raise ValidationFailed(_("订单不存在"), code="unknown_order")
        refund = PaymentRefund.objects.filter(refund_no=refund_no).first()
        if refund is not None:
            if (
                refund.order_id != locked.pk
                or refund.amount_fen != amount_fen
                or refund.kind != PaymentRefund.Kind.REFUND
            ):
                raise Conflict(
                    _("同一退款单号已用于另一笔退款"),
                    code="idempotency_conflict",
                    field="refund_no",
                )
        else:
            refund = _refund_reserve(locked, amount_fen=amount_fen, refund_no=refund_no, reason=reason, actor=actor)
    if refund.status == RefundStatus.PENDING:
        after_transaction(partial(payment_refund_execute, refund_pk=refund.pk))
        refund.refresh_from_db()
    if refund.status == RefundStatus.FAILED:
        raise ProviderError(
            _("支付渠道拒绝退款：%(message)s") % {"message": refund.failure_message},
            code="refund_refused",
        )
    return refund


def _refund_reserve(locked: PaymentOrder, *, amount_fen: int, refund_no: str, reason: str, actor: Any) -> PaymentRefund:
    if locked.status not in (Status.PAID, Status.PARTIALLY_REFUNDED):
        raise Conflict(_("只有已支付的订单可以退款"), code="not_refundable")
    pending_fen = (
        PaymentRefund.objects.filter(
            order=locked, kind=PaymentRefund.Kind.REFUND, status=RefundStatus.PENDING
        ).aggregate(total=Sum("amount_fen"))["total"]
        or 0
    )
    if amount_fen > locked.refundable_fen - pending_fen:
        raise ValidationFailed(_("退款金额不能超过可退金额"), code="refund_exceeds_paid", field="amount_fen")
    user = actor if getattr(actor, "is_authenticated", False) else None
    refund = PaymentRefund.objects.create(
        order=locked,
        provider=locked.provider,
        out_trade_no=locked.out_trade_no,
        transaction_id=locked.provider_transaction_id or "",
        kind=PaymentRefund.Kind.REFUND,
        status=RefundStatus.PENDING,
        refund_no=refund_no,
        amount_fen=amount_fen,
        source_account=locked.credit_account,
        reason=reason[:200],
        actor=user,
    )
    entry = ledger_post(
        kind="payment_refund_reserve",
        idempotency_key=f"refund-reserve:{locked.provider}:{refund_no}",
        postings=[(locked.credit_account, amount_fen), (refunds_pending_account(), -amount_fen)],
        memo=f"refund {refund_no} of {locked.out_trade_no} (reserved)",
        subject=locked,
        actor=actor,
    )
    PaymentRefund.objects.filter(pk=refund.pk).update(reserve_entry_id=entry.pk)
    refund.reserve_entry_id = entry.pk
    audit_record(
        actor=actor,
        action="payments.refund_requested",
        subject=locked,
        new={"refund_no": refund_no, "amount_fen": amount_fen, "reason": reason[:200]},
    )
    return refund


def _reserve_parked(refund_pk: int) -> None:
    """Reserve a suspense refund (late / unmatched payment) in a transaction of its own."""
    with transaction.atomic():
        refund = PaymentRefund.objects.select_for_update(of=("self",)).select_related("order").get(pk=refund_pk)
        if refund.status != RefundStatus.PENDING or refund.reserve_entry_id is not None:
            return
        entry = ledger_post(
            kind="payment_refund_reserve",
            idempotency_key=f"refund-reserve:{_provider_name(refund)}:{refund.refund_no}",
            postings=[(refund.source_account, refund.amount_fen), (refunds_pending_account(), -refund.amount_fen)],
            memo=f"refund {refund.refund_no} of {_out_trade_no(refund)} (reserved)",
            subject=refund.order if refund.order is not None else refund,
        )
        PaymentRefund.objects.filter(pk=refund.pk).update(reserve_entry_id=entry.pk)


# ---------------------------------------------------------------------------------------------
# (b) ask the provider, (c) settle


def payment_refund_execute(*, refund_pk: int) -> PaymentRefund:
    """Ask the provider for a pending refund (outside any transaction) and settle the answer."""
    if not outside_transaction():
        raise RuntimeError("payment_refund_execute calls the provider: run it outside a database transaction")
    refund = PaymentRefund.objects.select_related("order").get(pk=refund_pk)
    if refund.status != RefundStatus.PENDING:
        return refund
    if refund.reserve_entry_id is None:
        _reserve_parked(refund.pk)
    channel = get_provider(_provider_name(refund))
    target = refund.order or PaymentOrder(
        provider=channel.name,
        out_trade_no=refund.out_trade_no,
        amount_fen=refund.amount_fen,
        provider_transaction_id=refund.transaction_id or None,
    )
    PaymentRefund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1)
    try:
        result: RefundResult | None = channel.refund(target, amount_fen=refund.amount_fen, refund_no=refund.refund_no)
    except Exception:
        # Unknown outcome (timeout, 5xx): keep it pending; the settle task or the provider's
        # notification finishes it with the same refund number.
        logger.warning("refund %s: provider outcome unknown, left pending", refund.refund_no, exc_info=True)
        result = None
    if result is not None:
        _refund_settle(refund.pk, result)
    refund.refresh_from_db()
    return refund


def _refund_settle(refund_pk: int, result: RefundResult) -> None:
    with transaction.atomic():
        order_id = PaymentRefund.objects.filter(pk=refund_pk).values_list("order_id", flat=True).first()
        if order_id is not None:
            # lock order: the order row first, then the refund (as the notification path does)
            list(PaymentOrder.objects.select_for_update().filter(pk=order_id).values_list("pk"))
        refund = PaymentRefund.objects.select_for_update(of=("self",)).select_related("order").get(pk=refund_pk)
        if refund.status != RefundStatus.PENDING:
            return
        if result.succeeded:
            refund_mark_succeeded(refund, provider_refund_id=result.provider_refund_id, source="provider")
        else:
            _refund_mark_failed(refund, message=result.message)


def refund_mark_succeeded(refund: PaymentRefund, *, provider_refund_id: str, source: str) -> None:
    """The provider refunded: pending → clearing. ``refund`` (and its order) locked by the caller."""
    provider = _provider_name(refund)
    entry = ledger_post(
        kind="payment_refund",
        idempotency_key=f"refund:{provider}:{refund.refund_no}",
        postings=[(refunds_pending_account(), refund.amount_fen), (clearing_account(provider), -refund.amount_fen)],
        memo=f"refund {refund.refund_no} of {_out_trade_no(refund)}",
        subject=refund.order if refund.order is not None else refund,
    )
    now = timezone.now()
    transition(
        refund,
        to=RefundStatus.SUCCEEDED,
        reason=source,
        extra_updates={
            "provider_refund_id": provider_refund_id[:128] or refund.provider_refund_id,
            "ledger_entry_id": entry.pk,
            "settled_at": now,
        },
    )
    order = PaymentOrder.objects.get(pk=refund.order_id) if refund.order_id is not None else None
    if order is not None and refund.kind == PaymentRefund.Kind.REFUND:
        refunded = order.refunded_fen + refund.amount_fen
        target = Status.REFUNDED if refunded == order.amount_fen else Status.PARTIALLY_REFUNDED
        if target != order.status:
            transition(
                order, to=target, actor=refund.actor, reason=refund.reason, extra_updates={"refunded_fen": refunded}
            )
        else:
            PaymentOrder.objects.filter(pk=order.pk).update(refunded_fen=refunded)
    audit_record(
        actor=refund.actor,
        actor_label="payments",
        action="payments.refunded" if refund.kind == PaymentRefund.Kind.REFUND else f"payments.{refund.kind}_refunded",
        subject=order if order is not None else refund,
        new={"refund_no": refund.refund_no, "amount_fen": refund.amount_fen, "source": source},
    )


def _refund_mark_failed(refund: PaymentRefund, *, message: str) -> None:
    """The provider definitely refused: give the reservation back, tell an operator."""
    reversal_id = None
    if refund.reserve_entry_id is not None:
        reserve = JournalEntry.objects.get(pk=refund.reserve_entry_id)
        reversal_id = ledger_reverse(
            entry=reserve,
            idempotency_key=f"refund-release:{_provider_name(refund)}:{refund.refund_no}",
            memo=f"refund {refund.refund_no} refused: {message}"[:500],
        ).pk
    transition(
        refund,
        to=RefundStatus.FAILED,
        reason=message,
        extra_updates={"failure_message": message[:200], "ledger_entry_id": reversal_id, "settled_at": timezone.now()},
    )
    logger.error(
        "refund %s (%s, %s fen) of %s refused by the provider: %s",
        refund.refund_no,
        refund.kind,
        refund.amount_fen,
        _out_trade_no(refund),
        message,
    )
    audit_record(
        actor=None,
        actor_label="payments",
        action="payments.refund_failed",
        subject=refund.order if refund.order is not None else refund,
        new={
            "refund_no": refund.refund_no,
            "kind": refund.kind,
            "amount_fen": refund.amount_fen,
            "message": message[:200],
            "money_now_in": refund.source_account,
        },
    )


def refunds_after_transaction(refund_pks: list[int]) -> list[PaymentRefund]:
    """Send back money parked in suspense once the transaction that parked it committed.

    Returns the refunds sent now (none when a transaction is still open: they go on commit).
    """
    done: list[PaymentRefund] = []
    for pk in refund_pks:
        after_transaction(partial(_execute_logged, pk, done))
    return done


def _execute_logged(refund_pk: int, done: list[PaymentRefund]) -> None:
    try:
        done.append(payment_refund_execute(refund_pk=refund_pk))
    except Exception:
        logger.exception("refund #%s could not be sent; the settle task retries it", refund_pk)


def payment_refunds_settle(*, now: datetime | None = None, limit: int = 200) -> int:
    """Ask the provider again about refunds pending for over a minute; returns how many settled."""
    cutoff = (now or timezone.now()) - SETTLE_AFTER
    due = list(
        PaymentRefund.objects.filter(status=RefundStatus.PENDING, created_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    settled = 0
    for pk in due:
        try:
            refund = payment_refund_execute(refund_pk=pk)
        except Exception:
            logger.exception("settling pending refund #%s failed; retried on the next run", pk)
            continue
        settled += refund.status != RefundStatus.PENDING
    return settled


def refund_notification_apply(order: PaymentOrder | None, provider_name: str, note: Notification) -> str:
    """The provider says it refunded ``note.refund_no``: settle our pending refund by it.

    ``order`` is locked by the caller (None for a refund of money no order matched).
    """
    refund = (
        PaymentRefund.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(refund_no=note.refund_no)
        .first()
        if note.refund_no
        else None
    )
    problem = ""
    if refund is None or _provider_name(refund) != provider_name or _out_trade_no(refund) != note.out_trade_no:
        problem = "refund_unknown"
    elif refund.amount_fen != note.amount_fen:
        problem = "refund_amount_mismatch"
    elif refund.status == RefundStatus.FAILED:
        problem = "refund_failed_but_provider_refunded"
    if problem:
        logger.error(
            "provider %s reports refund %r of %s (%s fen) that we cannot settle: %s",
            provider_name,
            note.refund_no,
            note.out_trade_no,
            note.amount_fen,
            problem,
        )
        audit_record(
            actor=None,
            actor_label=f"provider:{provider_name}",
            action=f"payments.notification_{problem}",
            subject=order if order is not None else refund,
            new={"refund_no": note.refund_no, "out_trade_no": note.out_trade_no, "amount_fen": note.amount_fen},
        )
        return problem
    assert refund is not None
    if refund.status == RefundStatus.SUCCEEDED:
        return "refund_confirmed"
    if refund.reserve_entry_id is None:
        # a suspense refund whose reservation has not run yet: it cannot be settled in this
        # transaction (suspense was just credited by the same notification stream); the
        # settle task finishes it, the provider answering "already refunded".
        return "refund_pending"
    refund_mark_succeeded(refund, provider_refund_id=str(note.payload.get("refund_id", "")), source="notification")
    return "refund_settled"
