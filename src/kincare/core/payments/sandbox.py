"""The local sandbox provider: behaves like WeChat Pay / Alipay, entirely inside this database.

Provider side: ``SandboxTransaction`` is what the provider stores; a person pays (or fails)
on the checkout page ``/pay/sandbox/<provider_order_id>/``; the provider then sends signed
asynchronous notifications from its outbox (``SandboxNotification``) through a Celery task
that calls ``payment_notification_handle`` — the same code path as ``POST
/api/v1/payments/notify/sandbox``.

Signature: ``X-Sandbox-Signature = hex(HMAC-SHA256(secret, "<timestamp>\\n" + raw body))`` with
``X-Sandbox-Timestamp`` in Unix seconds; a timestamp more than five minutes away from now is
refused (replay protection), as is any change to the body.

Fault injection (``SandboxTransaction.scenario``, settable per order on the checkout page or
with ``sandbox_scenario_set``): ``duplicate`` delivers the paid notification twice, ``late``
holds it until after the order expired (``sandbox_deliver_due`` releases it), ``out_of_order``
sends a stale "closed" before "paid", ``fail`` makes the payment fail. Tests compose any other
sequence with ``sandbox_notification_queue`` and ``sandbox_signed``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.errors import Conflict, NotFound, ValidationFailed
from kincare.core.money import MAX_AMOUNT_FEN
from kincare.core.payments.models import SandboxNotification, SandboxTransaction
from kincare.core.payments.providers import (
    InvalidNotification,
    InvalidSignature,
    Notification,
    NotificationEvent,
    PaymentProvider,
    ProviderError,
    ProviderOrder,
    ProviderOrderState,
    RefundResult,
    TradeState,
    lower_headers,
)

if TYPE_CHECKING:
    from kincare.core.payments.models import PaymentOrder
    from kincare.core.payments.services import NotificationResult

SIGNATURE_HEADER = "X-Sandbox-Signature"
TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
MAX_CLOCK_SKEW_SECONDS = 5 * 60
#: a "late" notification is held until this long after the order expired
LATE_DELAY = timedelta(minutes=1)
#: like WeChat Pay, a notification the merchant keeps refusing is retried a bounded number of times
MAX_DELIVERY_ATTEMPTS = 15
#: the secret shipped for the embedded demo: public, so anyone can forge notifications with it
DEFAULT_SANDBOX_SECRET = "kincare-sandbox-secret"
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")

State = SandboxTransaction.State
Scenario = SandboxTransaction.Scenario

_TRADE_STATES = {
    State.NOTPAY: TradeState.CREATED,
    State.SUCCESS: TradeState.PAID,
    State.PAYERROR: TradeState.FAILED,
    State.CLOSED: TradeState.CLOSED,
    State.REFUND: TradeState.REFUNDED,
}


def sandbox_enabled() -> bool:
    """The sandbox lets anyone "pay" without money: deployments that take real money turn it off."""
    from django.conf import settings

    return bool(getattr(settings, "PAYMENT_SANDBOX_ENABLED", True))


def sandbox_signature(body: bytes, timestamp: str, secret: str) -> str:
    message = timestamp.encode("ascii") + b"\n" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sandbox_secret(provider_name: str = "sandbox") -> str:
    from django.conf import settings

    return str(settings.PAYMENT_PROVIDERS[provider_name]["secret"])


def sandbox_signed(
    payload: Mapping[str, Any] | bytes, *, secret: str | None = None, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers the sandbox would send (tests tamper with either)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, sort_keys=True).encode("utf-8")
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = sandbox_signature(body, stamp, secret if secret is not None else sandbox_secret())
    return body, {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature,
        "Content-Type": "application/json",
    }


class SandboxProvider(PaymentProvider):
    """The shipped provider. ``secret`` comes from ``settings.PAYMENT_PROVIDERS["sandbox"]``.

    Usable only while ``settings.PAYMENT_SANDBOX_ENABLED`` is true.
    """

    def __init__(self, name: str, **config: Any) -> None:
        if not sandbox_enabled():
            raise NotFound(_("沙箱支付已停用"), code="sandbox_disabled", field="provider")
        super().__init__(name, **config)

    @property
    def secret(self) -> str:
        return str(self.config["secret"])

    def create_order(self, order: PaymentOrder) -> ProviderOrder:
        txn, created = SandboxTransaction.objects.get_or_create(
            out_trade_no=order.out_trade_no,
            defaults={
                "provider_order_id": "sbx_" + secrets.token_hex(12),
                "amount_fen": order.amount_fen,
                "description": order.description,
                "expires_at": order.expires_at,
            },
        )
        if not created and txn.amount_fen != order.amount_fen:
            raise ProviderError(_("订单号重复且金额不同"), code="provider_duplicate_order")
        pay_url = reverse("payments:sandbox_checkout", args=[txn.provider_order_id])
        return ProviderOrder(provider=self.name, provider_order_id=txn.provider_order_id, pay_url=pay_url)

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        found = lower_headers(headers)
        stamp = found.get(TIMESTAMP_HEADER.lower(), "")
        signature = found.get(SIGNATURE_HEADER.lower(), "")
        if not stamp or not signature:
            raise InvalidSignature(_("缺少签名"), code="invalid_signature")
        if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
            raise InvalidSignature(_("时间戳格式错误"), code="invalid_signature")
        # exactly 64 lower-case hex digits, compared as bytes: any other header (non-ASCII
        # included) is refused before compare_digest could raise on it
        if not _HEX_SIGNATURE.fullmatch(signature):
            raise InvalidSignature(_("签名格式错误"), code="invalid_signature")
        expected = sandbox_signature(body, stamp, self.secret)
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            raise InvalidSignature(_("签名校验失败"), code="invalid_signature")
        # Checked after the signature so that a forged stamp cannot even be judged for age.
        if abs(time.time() - int(stamp)) > MAX_CLOCK_SKEW_SECONDS:
            raise InvalidSignature(_("通知已过期（时间戳超过 5 分钟）"), code="invalid_signature")
        return _parse_notification(body)

    def query_order(self, out_trade_no: str) -> ProviderOrderState:
        txn = SandboxTransaction.objects.filter(out_trade_no=out_trade_no).first()
        if txn is None:
            return ProviderOrderState(out_trade_no=out_trade_no, state=TradeState.NOT_FOUND)
        return ProviderOrderState(
            out_trade_no=out_trade_no,
            state=_TRADE_STATES[State(txn.state)],
            transaction_id=txn.transaction_id or "",
            amount_fen=txn.amount_fen,
            refunded_fen=txn.refunded_fen,
        )

    def close_order(self, out_trade_no: str) -> ProviderOrderState:
        with transaction.atomic():
            txn = SandboxTransaction.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
            if txn is not None and txn.state == State.NOTPAY:
                txn.state = State.CLOSED
                txn.save(update_fields=["state"])
        return self.query_order(out_trade_no)

    def refund(self, order: PaymentOrder, *, amount_fen: int, refund_no: str) -> RefundResult:
        with transaction.atomic():
            txn = SandboxTransaction.objects.select_for_update().filter(out_trade_no=order.out_trade_no).first()
            if txn is None:
                return RefundResult(refund_no, "", amount_fen, succeeded=False, message="ORDER_NOT_EXIST")
            for done in txn.refunds:
                if done["refund_no"] == refund_no:
                    if done["amount_fen"] != amount_fen:
                        return RefundResult(refund_no, "", amount_fen, succeeded=False, message="PARAM_ERROR")
                    return RefundResult(refund_no, done["refund_id"], amount_fen, succeeded=True)
            if txn.state not in (State.SUCCESS, State.REFUND):
                return RefundResult(refund_no, "", amount_fen, succeeded=False, message="TRADE_NOT_PAID")
            if amount_fen <= 0 or txn.refunded_fen + amount_fen > txn.amount_fen:
                return RefundResult(refund_no, "", amount_fen, succeeded=False, message="NOT_ENOUGH")
            refund_id = "5030" + secrets.token_hex(10)
            txn.refunds = [
                *txn.refunds,
                {
                    "refund_no": refund_no,
                    "refund_id": refund_id,
                    "amount_fen": amount_fen,
                    "at": timezone.now().isoformat(),
                },
            ]
            txn.refunded_fen += amount_fen
            txn.state = State.REFUND
            txn.save(update_fields=["refunds", "refunded_fen", "state"])
            sandbox_notification_queue(txn, NotificationEvent.REFUNDED, refund_no=refund_no, refund_fen=amount_fen)
        return RefundResult(refund_no, refund_id, amount_fen, succeeded=True)


#: identifiers as providers issue them (WeChat: letters, digits, _-|*@), never control characters
_IDENTIFIER = re.compile(r"[A-Za-z0-9_\-|*@.:]{0,64}")


def _parse_notification(body: bytes) -> Notification:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidNotification(_("通知内容不是有效的 JSON")) from None
    if not isinstance(data, dict):
        raise InvalidNotification(_("通知内容格式错误"))
    try:
        event = NotificationEvent(str(data.get("event")))
    except ValueError:
        raise InvalidNotification(_("未知的通知类型"), field="event") from None
    amount = data.get("amount_fen")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidNotification(_("通知金额无效"), field="amount_fen")
    if amount > MAX_AMOUNT_FEN:  # logged and refused: nothing is stored, nothing goes to suspense
        raise InvalidNotification(_("通知金额超出允许范围"), code="amount_out_of_range", field="amount_fen")
    texts = {name: data.get(name, "") for name in ("out_trade_no", "transaction_id", "refund_no", "id")}
    if not all(isinstance(v, str) and _IDENTIFIER.fullmatch(v) for v in texts.values()) or not texts["out_trade_no"]:
        raise InvalidNotification(_("通知字段无效"))
    if event == NotificationEvent.PAID and not texts["transaction_id"]:
        raise InvalidNotification(_("支付通知缺少渠道交易号"), field="transaction_id")
    return Notification(
        event=event,
        out_trade_no=texts["out_trade_no"],
        transaction_id=texts["transaction_id"],
        amount_fen=amount,
        refund_no=texts["refund_no"],
        notification_id=texts["id"],
        payload=data,
    )


# ---------------------------------------------------------------------------------------------
# provider-side actions (the checkout page, the outbox, fault injection)


def sandbox_transaction_get(provider_order_id: str) -> SandboxTransaction:
    txn = SandboxTransaction.objects.filter(provider_order_id=provider_order_id).first()
    if txn is None:
        raise NotFound(_("找不到该支付订单"))
    return txn


def sandbox_scenario_set(*, out_trade_no: str, scenario: str) -> SandboxTransaction:
    if scenario not in Scenario.values:
        raise ValidationFailed(_("未知的沙箱场景"), code="unknown_scenario", field="scenario")
    updated = SandboxTransaction.objects.filter(out_trade_no=out_trade_no, state=State.NOTPAY).update(scenario=scenario)
    if updated != 1:
        raise Conflict(_("只能为未支付的订单设置场景"), code="sandbox_already_settled")
    return SandboxTransaction.objects.get(out_trade_no=out_trade_no)


def sandbox_notification_queue(
    txn: SandboxTransaction,
    event: str,
    *,
    copies: int = 1,
    not_before: datetime | None = None,
    refund_no: str = "",
    refund_fen: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> list[SandboxNotification]:
    """Put a notification in the outbox ``copies`` times; due ones are sent after commit."""
    payload: dict[str, Any] = {
        "id": secrets.token_hex(8),
        "event": str(event),
        "out_trade_no": txn.out_trade_no,
        "transaction_id": txn.transaction_id or "",
        "amount_fen": refund_fen if refund_fen is not None else txn.amount_fen,
        "trade_state": txn.state,
        "refund_no": refund_no,
        **(overrides or {}),
    }
    now = timezone.now()
    due_at = not_before or now
    rows = [
        SandboxNotification.objects.create(transaction=txn, event=str(event), payload=payload, not_before=due_at)
        for _copy in range(copies)
    ]
    if due_at <= now:
        for row in rows:
            transaction.on_commit(partial(sandbox_notification_deliver_task.delay, row.pk))
    return rows


def sandbox_transaction_pay(*, provider_order_id: str, succeed: bool = True) -> SandboxTransaction:
    """A person pressed "pay" (or "fail") on the checkout page."""
    with transaction.atomic():
        txn = SandboxTransaction.objects.select_for_update().filter(provider_order_id=provider_order_id).first()
        if txn is None:
            raise NotFound(_("找不到该支付订单"))
        if txn.state != State.NOTPAY:
            raise Conflict(_("该订单已处理，请勿重复支付"), code="sandbox_already_settled")
        now = timezone.now()
        if txn.expires_at <= now:
            txn.state = State.CLOSED
            txn.save(update_fields=["state"])
            sandbox_notification_queue(txn, NotificationEvent.CLOSED)
            return txn
        if not succeed or txn.scenario == Scenario.FAIL:
            txn.state = State.PAYERROR
            txn.save(update_fields=["state"])
            sandbox_notification_queue(txn, NotificationEvent.FAILED)
            return txn
        txn.state = State.SUCCESS
        txn.transaction_id = "4200" + now.strftime("%Y%m%d") + secrets.token_hex(10)
        txn.paid_at = now
        txn.save(update_fields=["state", "transaction_id", "paid_at"])
        if txn.scenario == Scenario.DUPLICATE:
            sandbox_notification_queue(txn, NotificationEvent.PAID, copies=2)
        elif txn.scenario == Scenario.LATE:
            sandbox_notification_queue(txn, NotificationEvent.PAID, not_before=txn.expires_at + LATE_DELAY)
        elif txn.scenario == Scenario.OUT_OF_ORDER:
            sandbox_notification_queue(
                txn,
                NotificationEvent.CLOSED,
                overrides={"transaction_id": "", "trade_state": State.CLOSED},
            )
            sandbox_notification_queue(txn, NotificationEvent.PAID)
        else:
            sandbox_notification_queue(txn, NotificationEvent.PAID)
    return txn


def sandbox_notification_body(notification: SandboxNotification) -> bytes:
    return json.dumps(notification.payload, sort_keys=True).encode("utf-8")


def sandbox_notification_deliver(notification_id: int, *, provider_name: str = "sandbox") -> NotificationResult | None:
    """Send one outbox notification, signed now, to the platform's notification handler."""
    from kincare.core.payments.services import payment_notification_handle

    row = SandboxNotification.objects.filter(pk=notification_id).first()
    if row is None:
        return None
    body, headers = sandbox_signed(sandbox_notification_body(row), secret=sandbox_secret(provider_name))
    result = payment_notification_handle(provider_name=provider_name, body=body, headers=headers)
    SandboxNotification.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1,
        last_status=result.status,
        last_response=json.dumps(result.body, ensure_ascii=False)[:200],
        delivered_at=timezone.now() if result.ok else None,
    )
    return result


@shared_task(name="kincare.core.payments.tasks.sandbox_notification_deliver_task")
def sandbox_notification_deliver_task(notification_id: int) -> int | None:
    """The sandbox provider sending one notification (eager in the embedded default). Defined
    here, next to the outbox that queues it, so the sandbox does not import ``tasks``;
    ``tasks`` imports it so a worker registers it under its name."""
    result = sandbox_notification_deliver(notification_id)
    return None if result is None else result.status


def sandbox_deliver_due(*, now: datetime | None = None) -> int:
    """Send every undelivered outbox notification that is due (held "late" ones included)."""
    now = now or timezone.now()
    due = list(
        SandboxNotification.objects.filter(
            delivered_at__isnull=True, not_before__lte=now, attempts__lt=MAX_DELIVERY_ATTEMPTS
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in due:
        sandbox_notification_deliver(pk)
    return len(due)
