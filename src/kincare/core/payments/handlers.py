"""Purpose handlers: what happens once an order for a purpose is paid (no signals).

``PURPOSE_HANDLERS`` maps a ``PaymentOrder.purpose`` to the dotted path of ``on_paid(order)``.
An app that sells something adds one line here, e.g.

    "donation": "kincare.crowdfunding.services.donation_on_paid",
    "premium": "kincare.policies.services.premium_on_paid",

A handler runs inside the transaction that recorded the payment, in its own savepoint: if it
raises, the payment stays recorded, the failure is audited, and the next duplicate
notification, query sync or the beat task ``payment_purposes_retry_task`` (a minute later)
runs it again — so it must be idempotent. A late payment (the
order had expired or was closed) never reaches a handler: the money is refunded instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kincare.core.audit import audit_record

if TYPE_CHECKING:
    from kincare.core.payments.models import PaymentOrder

PURPOSE_HANDLERS: dict[str, str] = {
    "test": "kincare.core.payments.handlers.test_on_paid",
    "premium": "kincare.policies.services.premium_on_paid",
    "donation": "kincare.crowdfunding.services.donation_on_paid",
}


def test_on_paid(order: PaymentOrder) -> None:
    """The "test" purpose: leaves a trace that tests (and demos) can look for."""
    audit_record(
        actor=None,
        actor_label="payments.test_on_paid",
        action="payments.test_purpose_paid",
        subject=order,
        new={"amount_fen": order.amount_fen},
    )
