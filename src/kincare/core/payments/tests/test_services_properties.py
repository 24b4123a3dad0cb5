"""Properties: whatever order, duplication or delay the provider's notifications arrive in."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_order_query_sync, payment_orders_expire
from kincare.core.payments.tests.helpers import (
    CLEARING,
    CREDIT,
    SUSPENSE_ACCOUNT,
    balances,
    paid_payload,
    payment_entries,
    provider_paid,
)

STEPS = ["paid", "paid", "closed", "failed", "refunded", "sync", "expire"]
_txn = itertools.count(1)

sequences = st.lists(st.sampled_from(STEPS), max_size=7).flatmap(lambda steps: st.permutations([*steps, "paid"]))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=sequences, amount=st.integers(min_value=1, max_value=10**10))
def test_any_sequence_of_notifications_posts_the_payment_exactly_once(make_order, deliver, steps, amount):
    order = make_order(amount_fen=amount)
    transaction_id = f"4200PROP{next(_txn)}"
    provider_paid(order, transaction_id)
    before = balances()
    for step in steps:
        if step == "expire":
            payment_orders_expire(now=order.expires_at + timedelta(seconds=1))
        elif step == "sync":
            payment_order_query_sync(order=order)
        elif step == "paid":
            assert deliver(paid_payload(order, transaction_id)).status == 200
        elif step == "refunded":
            deliver(paid_payload(order, transaction_id, event="refunded", refund_no="R?"))
        else:  # a stale closed / failed: the provider says otherwise
            deliver(paid_payload(order, "", event=step))

    order.refresh_from_db()
    assert payment_entries(transaction_id) == 1
    after = balances()
    moved = {code: after[code] - before[code] for code in after}
    assert moved[SUSPENSE_ACCOUNT] == 0
    if order.status == PaymentOrder.Status.PAID:
        assert moved == {CREDIT: amount, CLEARING: amount, SUSPENSE_ACCOUNT: 0}
        assert order.provider_transaction_id == transaction_id
    else:
        # expired before any word of the payment arrived: the money went straight back
        assert order.status == PaymentOrder.Status.EXPIRED
        assert moved == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}
        assert order.refunds.count() == 1
