"""Purpose handlers: what happens once an order for a purpose is paid (no signals).

Each app that sells something registers its handler for its purpose in its ``AppConfig.ready``
(core imports no app):

    register_purpose("premium", premium_on_paid)       # kincare.policies
    register_purpose("donation", donation_on_paid)     # kincare.crowdfunding

``payment_order_create`` refuses a purpose nobody registered (``unknown_purpose``). A handler
runs inside the transaction that recorded the payment, in its own savepoint: if it raises, the
payment stays recorded, the failure is audited, and the next duplicate notification, query sync
or the beat task ``payment_purposes_retry_task`` (a minute later) runs it again — so it must be
idempotent. A late payment (the order had expired or was closed) never reaches a handler: the
money is refunded instead. The "test" purpose is core's own (``PaymentsConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kincare.core.audit import audit_record
from kincare.core.registry import Registry

if TYPE_CHECKING:
    from kincare.core.payments.models import PaymentOrder

PurposeHandler = Callable[["PaymentOrder"], None]

#: ``PaymentOrder.purpose`` → ``on_paid(order)``, filled by the apps in ``AppConfig.ready``
purpose_handlers: Registry[PurposeHandler] = Registry("payment purpose")


def register_purpose(purpose: str, on_paid: PurposeHandler) -> None:
    """``on_paid(order)`` runs when an order of ``purpose`` is paid (idempotent, see above)."""
    purpose_handlers.register(purpose, on_paid)


def purpose_handler(purpose: str) -> PurposeHandler | None:
    return purpose_handlers.get(purpose)


def handler_name(handler: PurposeHandler) -> str:
    """The dotted name an audit row records for a handler."""
    module = getattr(handler, "__module__", "") or ""
    name = getattr(handler, "__qualname__", None) or repr(handler)
    return f"{module}.{name}" if module else name


def test_on_paid(order: PaymentOrder) -> None:
    """The "test" purpose: leaves a trace that tests (and demos) can look for."""
    audit_record(
        actor=None,
        actor_label="payments.test_on_paid",
        action="payments.test_purpose_paid",
        subject=order,
        new={"amount_fen": order.amount_fen},
    )
