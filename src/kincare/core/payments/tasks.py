"""Celery tasks of payments (names are referenced by the beat schedule in settings)."""

from __future__ import annotations

from celery import shared_task

# queued by the sandbox's outbox, so defined there (the sandbox never imports this module)
from kincare.core.payments.sandbox import sandbox_notification_deliver_task

__all__ = [
    "payment_orders_expire_task",
    "payment_purposes_retry_task",
    "payment_refunds_settle_task",
    "sandbox_deliver_due_task",
    "sandbox_notification_deliver_task",
]


@shared_task(name="kincare.core.payments.tasks.payment_orders_expire_task")
def payment_orders_expire_task() -> int:
    from kincare.core.payments.services import payment_orders_expire

    return payment_orders_expire()


@shared_task(name="kincare.core.payments.tasks.payment_refunds_settle_task")
def payment_refunds_settle_task() -> int:
    """Ask the provider again about refunds pending for over a minute (every minute)."""
    from kincare.core.payments.services import payment_refunds_settle

    return payment_refunds_settle()


@shared_task(name="kincare.core.payments.tasks.payment_purposes_retry_task")
def payment_purposes_retry_task() -> int:
    """Re-run purpose handlers that failed for paid orders (every minute)."""
    from kincare.core.payments.services import payment_purposes_retry

    return payment_purposes_retry()


@shared_task(name="kincare.core.payments.tasks.sandbox_deliver_due_task")
def sandbox_deliver_due_task() -> int:
    """Release held ("late") and retry refused sandbox notifications that are due."""
    from kincare.core.payments.sandbox import sandbox_deliver_due

    return sandbox_deliver_due()
