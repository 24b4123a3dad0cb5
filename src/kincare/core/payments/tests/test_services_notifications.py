"""Notifications: only a verified "paid" moves money, exactly once, whatever the provider does."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kincare.core.ledger.models import JournalEntry
from kincare.core.models import AuditEvent
from kincare.core.payments.models import (
    PaymentNotification,
    PaymentOrder,
    PaymentRefund,
    SandboxNotification,
    SandboxTransaction,
)
from kincare.core.payments.sandbox import sandbox_deliver_due, sandbox_notification_queue
from kincare.core.payments.services import payment_orders_expire
from kincare.core.payments.tests.helpers import (
    CLEARING,
    CREDIT,
    SUSPENSE_ACCOUNT,
    balances,
    paid_payload,
    payment_entries,
    provider_paid,
)

Status = PaymentOrder.Status


def _nothing_posted(before_entries: int) -> None:
    assert JournalEntry.objects.count() == before_entries
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}


def test_a_sandbox_payment_posts_once_and_runs_the_purpose_handler(order, sandbox_pay):
    txn = sandbox_pay(order)
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.provider_transaction_id == txn.transaction_id
    assert order.purpose_handled_at is not None
    assert payment_entries(txn.transaction_id) == 1
    assert balances() == {CREDIT: order.amount_fen, CLEARING: order.amount_fen, SUSPENSE_ACCOUNT: 0}
    assert AuditEvent.objects.filter(action="payments.test_purpose_paid").count() == 1
    log = PaymentNotification.objects.get()
    assert (log.signature_valid, log.result, log.duplicate) == (True, "paid", False)
    assert SandboxNotification.objects.get().delivered_at is not None


@pytest.mark.parametrize(
    "tamper",
    ["body", "amount", "wrong_key", "stale", "no_headers"],
)
def test_it_refuses_a_forged_notification_and_posts_nothing(order, deliver, tamper):
    provider_paid(order)
    before = JournalEntry.objects.count()
    payload = paid_payload(order)
    if tamper == "wrong_key":
        result = deliver(payload, secret="not-the-sandbox-key")
    elif tamper == "stale":
        result = deliver(payload, timestamp=int(time.time()) - 301)
    else:
        from kincare.core.payments.sandbox import sandbox_signed

        body, headers = sandbox_signed(payload)
        if tamper == "body":
            body = body.replace(b"4200TESTTXN", b"4200EVILTXN")
        elif tamper == "amount":
            body = body.replace(str(order.amount_fen).encode(), b"1")
        else:
            headers = {}
        result = deliver(body, headers)
    assert result.status == 400
    assert result.body["code"] == "invalid_signature"
    _nothing_posted(before)
    order.refresh_from_db()
    assert order.status == Status.CREATED
    log = PaymentNotification.objects.get()
    assert (log.signature_valid, log.result, log.order_id) == (False, "invalid_signature", None)


def test_a_duplicate_notification_changes_nothing_and_answers_success(order, sandbox_pay):
    txn = sandbox_pay(order, scenario="duplicate")
    assert payment_entries(txn.transaction_id) == 1
    logs = list(PaymentNotification.objects.order_by("pk"))
    assert [(n.result, n.duplicate) for n in logs] == [("paid", False), ("duplicate", True)]
    assert all(n.delivered_at for n in SandboxNotification.objects.all())
    assert balances()[CREDIT] == order.amount_fen
    assert AuditEvent.objects.filter(action="payments.test_purpose_paid").count() == 1


def test_a_payment_whose_notification_is_held_past_the_deadline_is_settled_not_refunded(order, sandbox_pay):
    # paid before the deadline, notified after it: the expiry job asks the provider first
    txn = sandbox_pay(order, scenario="late")
    assert SandboxNotification.objects.get().delivered_at is None  # held by the provider
    later = order.expires_at + timedelta(minutes=2)
    assert payment_orders_expire(now=later) == 0
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.provider_transaction_id == txn.transaction_id
    assert sandbox_deliver_due(now=later) == 1
    assert payment_entries(txn.transaction_id) == 1
    assert JournalEntry.objects.get(idempotency_key=f"pay:sandbox:{txn.transaction_id}").kind == "payment"
    assert not PaymentRefund.objects.exists()
    assert balances() == {CREDIT: order.amount_fen, CLEARING: order.amount_fen, SUSPENSE_ACCOUNT: 0}
    assert AuditEvent.objects.filter(action="payments.test_purpose_paid").count() == 1
    assert list(PaymentNotification.objects.values_list("result", flat=True)) == ["duplicate"]


def test_a_late_payment_goes_to_suspense_and_is_refunded_without_issuing(order, deliver):
    payment_orders_expire(now=order.expires_at + timedelta(seconds=1))
    order.refresh_from_db()
    assert order.status == Status.EXPIRED
    txn = provider_paid(order)  # the provider took the money anyway (its own lag)
    result = deliver(paid_payload(order))
    assert (result.status, result.outcome) == (200, "late_payment_refunded")
    order.refresh_from_db()
    assert order.status == Status.EXPIRED
    assert payment_entries() == 1
    entry = JournalEntry.objects.get(idempotency_key="pay:sandbox:4200TESTTXN")
    assert entry.kind == "payment_suspense"
    refund = PaymentRefund.objects.get(order=order)
    assert refund.kind == PaymentRefund.Kind.LATE_PAYMENT
    assert (refund.status, refund.amount_fen) == (PaymentRefund.Status.SUCCEEDED, order.amount_fen)
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}
    txn.refresh_from_db()
    assert txn.state == SandboxTransaction.State.REFUND
    assert txn.refunded_fen == order.amount_fen
    assert not AuditEvent.objects.filter(action="payments.test_purpose_paid").exists()
    results = list(PaymentNotification.objects.order_by("pk").values_list("result", flat=True))
    assert results == ["late_payment_refunded", "refund_confirmed"]


def test_a_late_duplicate_is_refunded_only_once(order, deliver):
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    payment_orders_expire()
    provider_paid(order)
    first = deliver(paid_payload(order))
    second = deliver(paid_payload(order))
    assert (first.outcome, second.outcome) == ("late_payment_refunded", "duplicate")
    assert PaymentRefund.objects.filter(order=order).count() == 1
    assert payment_entries() == 1
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}


def test_a_stale_closed_before_paid_does_not_lose_the_payment(order, sandbox_pay):
    txn = sandbox_pay(order, scenario="out_of_order")
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert payment_entries(txn.transaction_id) == 1
    results = list(PaymentNotification.objects.order_by("pk").values_list("event", "result"))
    assert results == [("closed", "paid"), ("paid", "duplicate")]
    assert balances()[CREDIT] == order.amount_fen


def test_a_refund_notification_before_paid_moves_nothing(order, deliver):
    provider_paid(order)
    early = deliver(paid_payload(order, event="refunded", refund_no="R1", amount_fen=100))
    assert (early.status, early.outcome) == (200, "refund_unknown")
    assert payment_entries() == 0
    paid = deliver(paid_payload(order))
    assert paid.outcome == "paid"
    assert payment_entries() == 1


def test_a_closed_notification_closes_an_unpaid_order_after_asking_the_provider(order, deliver):
    SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(state="CLOSED")
    result = deliver(paid_payload(order, event="closed", transaction_id=""))
    assert result.outcome == "closed"
    order.refresh_from_db()
    assert order.status == Status.CLOSED


def test_a_closed_notification_the_provider_contradicts_is_ignored(order, deliver):
    result = deliver(paid_payload(order, event="closed", transaction_id=""))
    assert result.outcome == "pending"
    order.refresh_from_db()
    assert order.status == Status.CREATED


def test_a_paid_notification_for_a_closed_order_is_refunded(order, deliver):
    SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(state="CLOSED")
    deliver(paid_payload(order, event="closed", transaction_id=""))
    provider_paid(order)
    result = deliver(paid_payload(order))
    assert result.outcome == "late_payment_refunded"
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}


def test_a_failed_payment_fails_the_order_and_posts_nothing(order, sandbox_pay):
    before = JournalEntry.objects.count()
    txn = sandbox_pay(order, succeed=False)
    assert txn.state == SandboxTransaction.State.PAYERROR
    order.refresh_from_db()
    assert order.status == Status.FAILED
    _nothing_posted(before)
    assert PaymentNotification.objects.get().result == "failed"


def test_the_fail_scenario_fails_even_when_pay_is_pressed(order, sandbox_pay):
    sandbox_pay(order, scenario="fail")
    order.refresh_from_db()
    assert order.status == Status.FAILED


def test_an_amount_mismatch_is_parked_in_suspense_sent_back_and_answered_success(order, deliver):
    provider_paid(order)
    result = deliver(paid_payload(order, amount_fen=order.amount_fen - 1))
    assert (result.status, result.body["code"], result.outcome) == (200, "SUCCESS", "amount_mismatch")
    assert JournalEntry.objects.get(idempotency_key="pay:sandbox:4200TESTTXN").kind == "payment_suspense"
    order.refresh_from_db()
    assert order.status == Status.CREATED
    refund = PaymentRefund.objects.get()
    assert (refund.kind, refund.status, refund.amount_fen) == ("unmatched", "succeeded", order.amount_fen - 1)
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}
    log = PaymentNotification.objects.filter(event="paid").get()
    assert (log.signature_valid, log.result) == (True, "amount_mismatch")
    assert AuditEvent.objects.filter(action="payments.notification_amount_mismatch").exists()


def test_an_unknown_out_trade_no_is_parked_in_suspense_and_answered_success(order, deliver, caplog):
    result = deliver(paid_payload(order, out_trade_no="KC-NOT-OURS"))
    assert (result.status, result.body["code"], result.outcome) == (200, "SUCCESS", "unknown_order")
    entry = JournalEntry.objects.get(idempotency_key="pay:sandbox:4200TESTTXN")
    assert entry.kind == "payment_suspense"
    # the sandbox has no such order, so it refuses the refund: the money waits in suspense
    refund = PaymentRefund.objects.get()
    assert (refund.order_id, refund.out_trade_no, refund.status) == (None, "KC-NOT-OURS", "failed")
    assert refund.failure_message == "ORDER_NOT_EXIST"
    assert balances() == {CREDIT: 0, CLEARING: order.amount_fen, SUSPENSE_ACCOUNT: order.amount_fen}
    assert PaymentNotification.objects.get().result == "unknown_order"
    assert AuditEvent.objects.filter(action="payments.refund_failed").exists()
    assert any(r.levelname == "ERROR" and "refused" in r.getMessage() for r in caplog.records)
    # the same notification again parks and refunds nothing more
    assert deliver(paid_payload(order, out_trade_no="KC-NOT-OURS")).status == 200
    assert PaymentRefund.objects.count() == 1
    assert balances()[SUSPENSE_ACCOUNT] == order.amount_fen


def test_a_second_payment_with_another_transaction_is_sent_back(order, deliver):
    provider_paid(order)
    assert deliver(paid_payload(order)).outcome == "paid"
    second = deliver(paid_payload(order, transaction_id="4200SECOND"))
    assert second.outcome == "late_payment_refunded"
    assert balances() == {CREDIT: order.amount_fen, CLEARING: order.amount_fen, SUSPENSE_ACCOUNT: 0}


def test_a_failing_purpose_handler_keeps_the_payment_and_a_duplicate_retries_it(order, deliver, monkeypatch):
    from kincare.core.payments import handlers

    calls = []

    def broken(o):
        calls.append(o.pk)
        if len(calls) == 1:
            raise RuntimeError("downstream is down")

    monkeypatch.setitem(handlers.purpose_handlers.entries, "test", broken)
    provider_paid(order)
    assert deliver(paid_payload(order)).outcome == "paid"
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert order.purpose_handled_at is None
    assert AuditEvent.objects.filter(action="payments.purpose_handler_failed").exists()
    assert deliver(paid_payload(order)).outcome == "duplicate"
    order.refresh_from_db()
    assert order.purpose_handled_at is not None
    assert calls == [order.pk, order.pk]
    assert payment_entries() == 1


def test_the_outbox_retries_a_refused_delivery(order):
    txn = provider_paid(order)
    sandbox_notification_queue(txn, "paid", overrides={"event": "bogus"}, not_before=timezone.now())
    assert sandbox_deliver_due() == 1
    row = SandboxNotification.objects.get()
    assert (row.attempts, row.last_status, row.delivered_at) == (1, 400, None)
    assert sandbox_deliver_due() == 1
    row.refresh_from_db()
    assert row.attempts == 2


def test_the_outbox_gives_up_after_the_retry_budget(order):
    from kincare.core.payments.sandbox import MAX_DELIVERY_ATTEMPTS

    txn = provider_paid(order)
    sandbox_notification_queue(txn, "paid", overrides={"event": "bogus"}, not_before=timezone.now())
    SandboxNotification.objects.update(attempts=MAX_DELIVERY_ATTEMPTS)
    assert sandbox_deliver_due() == 0


def test_a_scenario_can_only_be_set_on_an_unpaid_sandbox_order(order, sandbox_pay):
    from kincare.core.errors import Conflict, ValidationFailed
    from kincare.core.payments.sandbox import sandbox_scenario_set

    with pytest.raises(ValidationFailed):
        sandbox_scenario_set(out_trade_no=order.out_trade_no, scenario="chaos")
    assert sandbox_scenario_set(out_trade_no=order.out_trade_no, scenario="late").scenario == "late"
    sandbox_pay(order)
    with pytest.raises(Conflict):
        sandbox_scenario_set(out_trade_no=order.out_trade_no, scenario="normal")
