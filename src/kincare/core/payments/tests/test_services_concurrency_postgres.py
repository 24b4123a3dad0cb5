"""On PostgreSQL: the same notification delivered by many threads at once posts once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kincare.core.ledger.models import JournalEntry
from kincare.core.payments.models import PaymentNotification, PaymentOrder
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.services import (
    payment_notification_handle,
    payment_order_query_sync,
    payment_orders_expire,
)
from kincare.core.payments.tests.helpers import CREDIT, balances, paid_payload, provider_paid

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def _together(fn, jobs):
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        try:
            barrier.wait(timeout=10)
            return fn(job)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(worker, jobs))


def test_concurrent_duplicate_notifications_post_once(order):
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order))

    def deliver(_i):
        return payment_notification_handle(provider_name="sandbox", body=body, headers=headers)

    results = _together(deliver, range(THREADS))
    assert all(r.status == 200 for r in results)
    assert sorted(r.outcome for r in results) == ["duplicate"] * (THREADS - 1) + ["paid"]
    assert JournalEntry.objects.filter(idempotency_key="pay:sandbox:4200TESTTXN").count() == 1
    assert PaymentNotification.objects.filter(duplicate=False).count() == 1
    assert balances()[CREDIT] == order.amount_fen


def test_notification_query_and_expiry_racing_post_once(order):
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order))

    def step(i):
        if i % 3 == 0:
            return payment_notification_handle(provider_name="sandbox", body=body, headers=headers)
        if i % 3 == 1:
            return payment_order_query_sync(order=order)
        return payment_orders_expire(now=order.expires_at)

    _together(step, range(THREADS))
    order.refresh_from_db()
    assert JournalEntry.objects.filter(idempotency_key="pay:sandbox:4200TESTTXN").count() == 1
    assert order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.EXPIRED)
    expected = order.amount_fen if order.status == PaymentOrder.Status.PAID else 0
    assert balances()[CREDIT] == expected


def test_concurrent_settle_runs_refund_a_pending_refund_once(make_order, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from kincare.core.payments.models import PaymentRefund, SandboxTransaction
    from kincare.core.payments.sandbox import SandboxProvider
    from kincare.core.payments.services import payment_order_query_sync, payment_refund, payment_refunds_settle

    order = make_order(amount_fen=10_000)
    provider_paid(order)
    payment_order_query_sync(order=order)
    real = SandboxProvider.refund

    def timeout(self, target, *, amount_fen, refund_no):
        raise TimeoutError("read timed out")

    monkeypatch.setattr(SandboxProvider, "refund", timeout)
    assert payment_refund(order=order, amount_fen=4_000, refund_no="R-race").status == "pending"
    monkeypatch.setattr(SandboxProvider, "refund", real)
    later = timezone.now() + timedelta(minutes=2)
    _together(lambda _i: payment_refunds_settle(now=later), range(THREADS))
    assert PaymentRefund.objects.get().status == "succeeded"
    assert JournalEntry.objects.filter(kind="payment_refund").count() == 1
    assert SandboxTransaction.objects.get(out_trade_no=order.out_trade_no).refunded_fen == 4_000
    order.refresh_from_db()
    assert order.refunded_fen == 4_000
    assert balances()[CREDIT] == 6_000
