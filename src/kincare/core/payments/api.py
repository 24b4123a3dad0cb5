"""Payments API: the providers' notification endpoint and the payer's view of an order."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from kincare.core.payments.schemas import NotifyReply, PaymentOrderOut
from kincare.core.payments.selectors import payment_order_get
from kincare.core.payments.services import payment_notification_handle, payment_order_query_sync

router = Router(tags=["payments"])


@router.post("/notify/{provider}", auth=None, response={200: NotifyReply, 400: NotifyReply, 500: NotifyReply})
def notify(request: HttpRequest, provider: str) -> Status[dict[str, str]]:
    """Asynchronous notification from a payment provider (signed; no session, no CSRF).

    Answers ``{"code": "SUCCESS"}`` once the notification is recorded (also for a duplicate, and
    for money we cannot match, which is parked and sent back); 400 with ``invalid_signature`` or
    ``invalid_notification`` (nothing is posted); 500 ``FAIL`` when applying it failed (the
    provider retries).
    """
    result = payment_notification_handle(provider_name=provider, body=request.body, headers=request.headers)
    body = result.body
    reply = {"code": body["code"], "message": str(body.get("message", "")), "field": body.get("field")}
    return Status(result.status, reply)


@router.get("/orders/{out_trade_no}", response=PaymentOrderOut)
def order_detail(request: HttpRequest, out_trade_no: str) -> object:
    """The payer's order (anyone else gets 404)."""
    return payment_order_get(user=request.user, out_trade_no=out_trade_no)


@router.post("/orders/{out_trade_no}/sync", response=PaymentOrderOut)
def order_sync(request: HttpRequest, out_trade_no: str) -> object:
    """Ask the provider what became of the order and settle it (when a notification got lost)."""
    order = payment_order_get(user=request.user, out_trade_no=out_trade_no, action="sync")
    return payment_order_query_sync(order=order, actor=request.user)
