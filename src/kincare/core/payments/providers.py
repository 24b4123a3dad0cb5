"""The ``PaymentProvider`` interface and the provider registry (``settings.PAYMENT_PROVIDERS``).

A real provider (WeChat Pay, Alipay) is one more class behind this interface, configured as

    PAYMENT_PROVIDERS = {"wechat": {"class": "kincare.core.payments.wechat.WechatProvider", ...}}

The platform never believes a client that says "I paid": money moves only on a notification
that ``verify_notification`` accepted, or on what ``query_order`` reports.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kincare.core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from kincare.core.payments.models import PaymentOrder


class InvalidSignature(DomainError):
    """The notification is not provably from the provider: nothing is posted."""

    status = 400
    default_code = "invalid_signature"


class InvalidNotification(DomainError):
    """Signed correctly, but not a notification we understand."""

    status = 400
    default_code = "invalid_notification"


class ProviderError(DomainError):
    """The provider refused or failed a request (e.g. a refund)."""

    status = 502
    default_code = "provider_error"


class NotificationEvent(StrEnum):
    PAID = "paid"
    FAILED = "failed"
    CLOSED = "closed"
    REFUNDED = "refunded"


class TradeState(StrEnum):
    CREATED = "created"  # the provider knows the order, nobody paid yet
    PAID = "paid"
    FAILED = "failed"
    CLOSED = "closed"
    REFUNDED = "refunded"  # paid, then (partly) refunded
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ProviderOrder:
    """What a client needs to pay: the provider's order id and where to pay it."""

    provider: str
    provider_order_id: str
    pay_url: str


@dataclass(frozen=True)
class Notification:
    event: NotificationEvent
    out_trade_no: str
    transaction_id: str
    amount_fen: int
    refund_no: str = ""
    notification_id: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        return f"{self.event}:{self.out_trade_no}:{self.transaction_id}:{self.refund_no}"


@dataclass(frozen=True)
class ProviderOrderState:
    out_trade_no: str
    state: TradeState
    transaction_id: str = ""
    amount_fen: int = 0
    refunded_fen: int = 0


@dataclass(frozen=True)
class RefundResult:
    refund_no: str
    provider_refund_id: str
    amount_fen: int
    succeeded: bool
    message: str = ""


class PaymentProvider(ABC):
    """One payment channel. Instances are cheap; ``get_provider`` builds one per call."""

    def __init__(self, name: str, **config: Any) -> None:
        self.name = name
        self.config = config

    @abstractmethod
    def create_order(self, order: PaymentOrder) -> ProviderOrder:
        """Register the order with the provider (统一下单) and say how the client pays it."""

    @abstractmethod
    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Check the signature over the raw body; ``InvalidSignature`` unless it is genuine."""

    @abstractmethod
    def query_order(self, out_trade_no: str) -> ProviderOrderState:
        """Ask the provider what became of an order (查询订单)."""

    @abstractmethod
    def close_order(self, out_trade_no: str) -> ProviderOrderState:
        """Close an unpaid order so it can no longer be paid (关闭订单); returns the state after.

        An order that was paid in the meantime stays paid: the answer then says ``PAID`` (and
        the caller settles it) instead of ``CLOSED``.
        """

    @abstractmethod
    def refund(self, order: PaymentOrder, *, amount_fen: int, refund_no: str) -> RefundResult:
        """Give money back; the same ``refund_no`` twice refunds once (申请退款).

        ``succeeded=False`` must mean a *definite* refusal (nothing was or will be refunded);
        a timeout or any answer whose outcome is unknown is an exception instead, so the
        caller keeps the refund pending and asks again later with the same ``refund_no``.
        ``order`` may be an unsaved ``PaymentOrder`` (``out_trade_no``, ``amount_fen``,
        ``provider_transaction_id``) for money collected against an order we do not know.
        """


def provider_names() -> list[str]:
    return list(settings.PAYMENT_PROVIDERS)


def get_provider(name: str) -> PaymentProvider:
    config = dict(settings.PAYMENT_PROVIDERS.get(name) or {})
    if not config:
        raise NotFound(
            _("未知的支付渠道：%(name)s") % {"name": name[:32]},
            code="unknown_provider",
            field="provider",
        )
    cls = import_string(config.pop("class"))
    if not (isinstance(cls, type) and issubclass(cls, PaymentProvider)):
        raise TypeError(f"{cls!r} is not a PaymentProvider")
    return cls(name, **config)


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers by lower-case name, from a dict, Django's ``request.headers`` or ``META``."""
    out: dict[str, str] = {}
    for key, value in headers.items():
        name = str(key).lower()
        if name.startswith("http_"):
            name = name[5:]
        out[name.replace("_", "-")] = str(value)
    return out
