"""Reads of payment orders, always through ``PaymentOrderPolicy``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kincare.core.payments.models import PaymentOrder
from kincare.core.permissions import Policy, is_staff_with

#: the staff role (a group name, ``accounts.StaffRole.OPERATOR_ADMIN``) that may sync any order;
#: spelled out here because core imports no app
OPERATOR_ADMIN = "operator_admin"


class PaymentOrderPolicy(Policy[PaymentOrder]):
    """The payer sees, syncs and pays their own orders; payments operators may sync any order.

    ``view`` is payer-only: an operator looks orders up in the admin, not through the API.
    ``pay`` (the sandbox checkout page) is payer-only too.
    """

    model = PaymentOrder

    def scope(self, user: Any, action: str) -> QuerySet[PaymentOrder]:
        orders = PaymentOrder.objects.all()
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return orders.none()
        if action == "sync" and is_staff_with(user, OPERATOR_ADMIN):
            return orders
        if action in ("view", "sync", "pay"):
            return orders.filter(payer=user)
        return orders.none()


payment_order_policy = PaymentOrderPolicy()


def payment_order_get(*, user: Any, out_trade_no: str, action: str = "view") -> PaymentOrder:
    return payment_order_policy.get(user, action, out_trade_no=out_trade_no)


def payment_order_list(*, user: Any) -> QuerySet[PaymentOrder]:
    return payment_order_policy.scope(user, "view").order_by("-id")
