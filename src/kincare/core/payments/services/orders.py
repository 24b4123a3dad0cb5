"""Payment orders: create (idempotently), settle by query, expire, retry purpose handlers."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.ledger.models import Account
from kincare.core.payments.handlers import purpose_handlers
from kincare.core.payments.models import PaymentOrder, default_expires_at
from kincare.core.payments.providers import PaymentProvider, TradeState, get_provider
from kincare.core.payments.services.refunds import refunds_after_transaction
from kincare.core.payments.services.settlement import (
    apply_provider_state,
    check_amount,
    locked_order,
    run_purpose_handler,
)

logger = logging.getLogger(__name__)

Status = PaymentOrder.Status
#: a handler that has not run this long after payment failed (the paying request runs it at once)
PURPOSE_RETRY_AFTER = timedelta(minutes=1)


def _new_out_trade_no() -> str:
    # ≤ 32 characters, the limit of WeChat Pay's out_trade_no
    return f"KC{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}"


def _same_request(order: PaymentOrder, wanted: dict[str, Any]) -> bool:
    return all(getattr(order, name) == value for name, value in wanted.items())


def payment_order_create(
    *,
    purpose: str,
    amount_fen: int,
    credit_account: str,
    idempotency_key: str,
    payer: Any = None,
    subject: models.Model | None = None,
    family_id: int | None = None,
    provider: str | None = None,
    description: str = "",
) -> PaymentOrder:
    """Open an order with the provider; retrying with the same key returns the same order."""
    if purpose not in purpose_handlers:
        raise ValidationFailed(_("未知的支付用途"), code="unknown_purpose", field="purpose")
    amount_fen = check_amount(amount_fen)
    if not isinstance(idempotency_key, str) or not idempotency_key.strip() or len(idempotency_key) > 128:
        raise ValidationFailed(
            _("幂等键不能为空且不超过 128 个字符"),
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    provider_name = provider or settings.PAYMENT_DEFAULT_PROVIDER
    channel = get_provider(provider_name)
    if not Account.objects.filter(code=credit_account).exists():
        raise ValidationFailed(_("入账账户不存在"), code="unknown_account", field="credit_account")
    if family_id is None and subject is not None:
        family_id = getattr(subject, "family_id", None)
    payer_user = payer if getattr(payer, "is_authenticated", False) else None
    wanted: dict[str, Any] = {
        "purpose": purpose,
        "amount_fen": amount_fen,
        "credit_account": credit_account,
        "provider": provider_name,
        "payer_id": payer_user.pk if payer_user is not None else None,
        "subject_content_type_id": ContentType.objects.get_for_model(subject).pk if subject is not None else None,
        "subject_id": str(subject.pk) if subject is not None else "",
        "family_id": family_id,
    }

    def existing_or_conflict() -> PaymentOrder | None:
        existing = PaymentOrder.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None and not _same_request(existing, wanted):
            raise Conflict(
                _("同一幂等键已用于另一笔不同的订单"),
                code="idempotency_conflict",
                field="idempotency_key",
            )
        return existing

    order = existing_or_conflict()
    if order is None:
        try:
            with transaction.atomic():
                order = PaymentOrder.objects.create(
                    out_trade_no=_new_out_trade_no(),
                    idempotency_key=idempotency_key,
                    description=description[:128],
                    expires_at=default_expires_at(),
                    **wanted,
                )
                audit_record(
                    actor=payer_user,
                    action="payments.order_created",
                    subject=order,
                    new={"purpose": purpose, "amount_fen": amount_fen, "credit_account": credit_account},
                )
        except IntegrityError:
            # a concurrent retry with the same key won the race
            order = existing_or_conflict()
            if order is None:
                raise
    if not order.provider_order_id and order.status == Status.CREATED:
        order = _order_register(order, channel)
    return order


def _order_register(order: PaymentOrder, channel: PaymentProvider) -> PaymentOrder:
    """Register a committed order with the provider, outside the transaction that created it.

    If the provider fails, the order stays without a provider order id and the error goes to
    the caller; retrying with the same idempotency key registers it (providers accept the same
    ``out_trade_no`` again). Called inside a caller's transaction, the provider call happens
    within it — call ``payment_order_create`` outside one.
    """
    provider_order = channel.create_order(order)
    PaymentOrder.objects.filter(pk=order.pk, provider_order_id="").update(
        provider_order_id=provider_order.provider_order_id,
        pay_url=provider_order.pay_url,
        updated_at=timezone.now(),
    )
    order.refresh_from_db()
    return order


# ---------------------------------------------------------------------------------------------
# query, refund, expiry


def payment_order_query_sync(*, order: PaymentOrder, actor: Any = None) -> PaymentOrder:
    """Settle an order from the provider's own answer (a notification may never come)."""
    channel = get_provider(order.provider)
    state = channel.query_order(order.out_trade_no)
    followups: list[int] = []
    with transaction.atomic():
        locked = locked_order(order.provider, order.out_trade_no)
        assert locked is not None
        before = locked.status
        outcome = apply_provider_state(locked, channel, state, followups)
        audit_record(
            actor=actor,
            action="payments.order_synced",
            subject=locked,
            old={"status": before},
            new={"status": locked.status, "outcome": outcome, "provider_state": str(state.state)},
        )
    refunds_after_transaction(followups)
    locked.refresh_from_db()
    return locked


def payment_orders_expire(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Expire created orders past ``expires_at``, after asking the provider; returns how many.

    The provider is asked first (outside any transaction): an order paid just before the
    deadline whose notification is still on its way is settled as paid, not expired and
    refunded. An unpaid one is closed at the provider (so it cannot be paid any more), then
    expired here. An order the provider cannot answer for is left for the next run.
    """
    now = now or timezone.now()
    due = list(
        PaymentOrder.objects.filter(status=Status.CREATED, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for pk in due:
        order = PaymentOrder.objects.filter(pk=pk, status=Status.CREATED).first()
        if order is None:
            continue
        try:
            expired += _order_expire(order, now)
        except Exception:
            logger.exception("could not expire order %s; retried on the next run", order.out_trade_no)
    return expired


def _order_expire(order: PaymentOrder, now: datetime) -> int:
    channel = get_provider(order.provider)
    state = channel.query_order(order.out_trade_no)
    if state.state in (TradeState.CREATED, TradeState.NOT_FOUND):
        state = channel.close_order(order.out_trade_no)
    if state.state == TradeState.CREATED:
        logger.warning("provider did not close order %s; expiry retried later", order.out_trade_no)
        return 0
    followups: list[int] = []
    expired = 0
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().filter(pk=order.pk, status=Status.CREATED).first()
        if locked is None or locked.expires_at > now:
            return 0
        if state.state in (TradeState.PAID, TradeState.REFUNDED, TradeState.FAILED):
            apply_provider_state(locked, channel, state, followups)
        else:  # closed at the provider, or never registered there
            transition(locked, to=Status.EXPIRED, reason="ttl")
            expired = 1
    refunds_after_transaction(followups)
    return expired


def payment_purposes_retry(*, now: datetime | None = None, limit: int = 200) -> int:
    """Run again the purpose handlers that failed for paid orders (handlers are idempotent)."""
    cutoff = (now or timezone.now()) - PURPOSE_RETRY_AFTER
    due = list(
        PaymentOrder.objects.filter(status=Status.PAID, purpose_handled_at__isnull=True, paid_at__lte=cutoff)
        .order_by("paid_at")
        .values_list("pk", flat=True)[:limit]
    )
    handled = 0
    for pk in due:
        with transaction.atomic():
            order = (
                PaymentOrder.objects.select_for_update()
                .filter(pk=pk, status=Status.PAID, purpose_handled_at__isnull=True)
                .first()
            )
            if order is not None and run_purpose_handler(order):
                handled += 1
    return handled
