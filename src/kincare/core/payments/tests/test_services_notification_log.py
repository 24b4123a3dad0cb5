"""The notification log: written first, kept whatever processing does, bounded for strangers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentNotification, PaymentOrder
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.services import payment_purposes_retry
from kincare.core.payments.tasks import payment_purposes_retry_task
from kincare.core.payments.tests.helpers import paid_payload, payment_entries, provider_paid


def test_an_unverified_notification_stores_at_most_one_kilobyte(order, deliver):
    body, headers = sandbox_signed(paid_payload(order, padding="x" * 60_000), secret="forged")
    result = deliver(body, headers)
    assert result.status == 400
    log = PaymentNotification.objects.get()
    assert log.signature_valid is False
    assert len(log.raw_body) <= 1024


def test_a_verified_notification_keeps_its_body(order, deliver):
    provider_paid(order)
    deliver(paid_payload(order, padding="x" * 5_000))
    assert len(PaymentNotification.objects.get().raw_body) > 5_000


def test_the_log_of_a_verified_notification_survives_a_failure_to_apply_it(order, deliver, monkeypatch):
    from kincare.core.payments.services import notifications

    real = notifications.settle_paid
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(notifications, "settle_paid", flaky)
    provider_paid(order)
    first = deliver(paid_payload(order))
    assert (first.status, first.outcome, first.body["code"]) == (500, "error", "FAIL")
    log = PaymentNotification.objects.get()
    assert (log.signature_valid, log.result, log.out_trade_no) == (True, "error", order.out_trade_no)
    assert "deadlock detected" in log.detail
    assert payment_entries() == 0
    # the provider retries; the failed attempt does not make the retry a "duplicate"
    again = deliver(paid_payload(order))
    assert (again.status, again.outcome) == (200, "paid")
    assert PaymentNotification.objects.get(pk=again.notification_id).duplicate is False
    assert payment_entries() == 1


def test_a_failed_purpose_handler_is_retried_by_the_beat_task(order, deliver, monkeypatch):
    from kincare.core.payments import handlers

    calls = []

    def broken_once(o):
        calls.append(o.pk)
        if len(calls) == 1:
            raise RuntimeError("downstream is down")

    monkeypatch.setitem(handlers.purpose_handlers.entries, "test", broken_once)
    provider_paid(order)
    assert deliver(paid_payload(order)).outcome == "paid"
    order.refresh_from_db()
    assert order.purpose_handled_at is None
    assert payment_purposes_retry() == 0  # paid under a minute ago: the paying request may still be on it
    PaymentOrder.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(minutes=2))
    assert payment_purposes_retry_task.delay().get() == 1
    order.refresh_from_db()
    assert order.purpose_handled_at is not None
    assert calls == [order.pk, order.pk]
    assert payment_purposes_retry(now=timezone.now() + timedelta(hours=1)) == 0
    assert AuditEvent.objects.filter(action="payments.purpose_handler_failed").count() == 1
