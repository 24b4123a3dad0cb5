from __future__ import annotations

from datetime import datetime

from ninja import Schema


class PaymentOrderOut(Schema):
    out_trade_no: str
    provider: str
    purpose: str
    description: str
    amount_fen: int
    refunded_fen: int
    status: str
    pay_url: str | None
    expires_at: datetime
    paid_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_pay_url(obj: object) -> str | None:
        # only an order that can still be paid shows where to pay it
        return getattr(obj, "pay_url", "") or None if getattr(obj, "status", "") == "created" else None


class NotifyReply(Schema):
    code: str
    message: str = ""
    field: str | None = None
