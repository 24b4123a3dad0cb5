"""Writes of the payment domain (see ``settlement`` for the ledger postings and locking).

Other apps call only these names.
"""

from kincare.core.payments.services.notifications import (
    NotificationResult,
    payment_notification_handle,
)
from kincare.core.payments.services.orders import (
    payment_order_create,
    payment_order_query_sync,
    payment_orders_expire,
    payment_purposes_retry,
)
from kincare.core.payments.services.refunds import (
    payment_refund,
    payment_refund_execute,
    payment_refunds_settle,
)
from kincare.core.payments.services.settlement import (
    REFUNDS_PENDING_ACCOUNT,
    SUSPENSE_ACCOUNT,
    clearing_account_code,
)

__all__ = [
    "REFUNDS_PENDING_ACCOUNT",
    "SUSPENSE_ACCOUNT",
    "NotificationResult",
    "clearing_account_code",
    "payment_notification_handle",
    "payment_order_create",
    "payment_order_query_sync",
    "payment_orders_expire",
    "payment_purposes_retry",
    "payment_refund",
    "payment_refund_execute",
    "payment_refunds_settle",
]
