"""Refunds in two phases: reserve, ask the provider outside any transaction, settle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kincare.core.ledger.models import Account
from kincare.core.ledger.selectors import account_balance
from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.sandbox import SandboxProvider
from kincare.core.payments.services import (
    REFUNDS_PENDING_ACCOUNT,
    payment_orders_expire,
    payment_refund,
    payment_refunds_settle,
)
from kincare.core.payments.tasks import payment_refunds_settle_task
from kincare.core.payments.tests.helpers import (
    CLEARING,
    CREDIT,
    SUSPENSE_ACCOUNT,
    balances,
    paid_payload,
    provider_paid,
)

Status = PaymentOrder.Status
real_refund = SandboxProvider.refund


def open_transactions() -> int:
    """Transactions open besides the test case's own wrapping one."""
    return sum(1 for block in connection.atomic_blocks if not getattr(block, "_from_testcase", False))


@pytest.fixture
def paid_order(make_order, sandbox_pay):
    order = make_order(amount_fen=10_000)
    sandbox_pay(order)
    order.refresh_from_db()
    return order


@pytest.fixture
def provider_times_out(monkeypatch):
    """The provider refunds, then the connection drops before we hear back."""
    calls = []

    def refund(self, order, *, amount_fen, refund_no):
        calls.append(refund_no)
        real_refund(self, order, amount_fen=amount_fen, refund_no=refund_no)
        raise TimeoutError("read timed out")

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    return calls


def test_the_provider_is_asked_outside_any_transaction_with_the_amount_already_reserved(paid_order, monkeypatch):
    seen = {}

    def refund(self, order, *, amount_fen, refund_no):
        seen["open_transactions"] = open_transactions()
        seen["credit"] = account_balance(CREDIT)
        seen["pending"] = account_balance(REFUNDS_PENDING_ACCOUNT)
        seen["row"] = PaymentRefund.objects.get(refund_no=refund_no).status
        return real_refund(self, order, amount_fen=amount_fen, refund_no=refund_no)

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    done = payment_refund(order=paid_order, amount_fen=3_000, refund_no="R-out")
    assert seen == {"open_transactions": 0, "credit": 7_000, "pending": 3_000, "row": "pending"}
    assert done.status == PaymentRefund.Status.SUCCEEDED
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == 0
    assert balances() == {CREDIT: 7_000, CLEARING: 7_000, SUSPENSE_ACCOUNT: 0}


def test_a_timeout_after_the_provider_refunded_leaves_it_pending_and_never_refunds_twice(
    paid_order, provider_times_out, monkeypatch
):
    first = payment_refund(order=paid_order, amount_fen=6_000, refund_no="R-timeout")
    assert first.status == PaymentRefund.Status.PENDING
    assert first.reserve_entry_id is not None
    # the record of the attempt survived: the money is reserved, not spendable, not yet gone
    assert balances() == {CREDIT: 4_000, CLEARING: 10_000, SUSPENSE_ACCOUNT: 0}
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == 6_000
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (Status.PAID, 0)
    # the pending refund counts: 6,000 pending + 5,000 more would exceed the 10,000 paid
    with pytest.raises(Exception) as exc:
        payment_refund(order=paid_order, amount_fen=5_000, refund_no="R-more")
    assert getattr(exc.value, "code", "") == "refund_exceeds_paid"
    # a retry with the same number returns the pending refund
    assert payment_refund(order=paid_order, amount_fen=6_000, refund_no="R-timeout").pk == first.pk
    monkeypatch.setattr(SandboxProvider, "refund", real_refund)
    # too young for the settle task
    assert payment_refunds_settle() == 0
    assert payment_refunds_settle(now=timezone.now() + timedelta(minutes=2)) == 1
    first.refresh_from_db()
    assert first.status == PaymentRefund.Status.SUCCEEDED
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (Status.PARTIALLY_REFUNDED, 6_000)
    assert balances() == {CREDIT: 4_000, CLEARING: 4_000, SUSPENSE_ACCOUNT: 0}
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == 0
    from kincare.core.payments.models import SandboxTransaction

    assert SandboxTransaction.objects.get(out_trade_no=paid_order.out_trade_no).refunded_fen == 6_000


def test_the_settle_task_runs_every_pending_refund(paid_order, provider_times_out, monkeypatch):
    payment_refund(order=paid_order, amount_fen=1_000, refund_no="R-task")
    monkeypatch.setattr(SandboxProvider, "refund", real_refund)
    PaymentRefund.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert payment_refunds_settle_task.delay().get() == 1
    assert PaymentRefund.objects.get().status == PaymentRefund.Status.SUCCEEDED


def test_the_providers_refunded_notification_settles_a_pending_refund(paid_order, provider_times_out, deliver):
    payment_refund(order=paid_order, amount_fen=2_500, refund_no="R-note")
    payload = paid_payload(paid_order, paid_order.provider_transaction_id, event="refunded", refund_no="R-note")
    result = deliver({**payload, "amount_fen": 2_500})
    assert (result.status, result.outcome) == (200, "refund_settled")
    refund = PaymentRefund.objects.get()
    assert refund.status == PaymentRefund.Status.SUCCEEDED
    paid_order.refresh_from_db()
    assert paid_order.refunded_fen == 2_500
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == 0
    # the settle task then has nothing to do, and a repeat notification is a confirmation
    assert payment_refunds_settle(now=timezone.now() + timedelta(minutes=2)) == 0
    assert deliver({**payload, "amount_fen": 2_500}).outcome == "refund_confirmed"
    assert paid_order.refunds.get().amount_fen == 2_500


def test_a_refunded_notification_we_know_nothing_of_is_alerted(paid_order, deliver, caplog):
    payload = paid_payload(paid_order, paid_order.provider_transaction_id, event="refunded", refund_no="R-ghost")
    result = deliver(payload)
    assert (result.status, result.outcome) == (200, "refund_unknown")
    assert AuditEvent.objects.filter(action="payments.notification_refund_unknown").exists()
    assert any(r.levelname == "ERROR" and "R-ghost" in r.getMessage() for r in caplog.records)
    assert balances()[CREDIT] == 10_000


def test_a_late_payment_refund_that_times_out_waits_in_suspense_for_the_settle_task(order, deliver, monkeypatch):
    payment_orders_expire(now=order.expires_at + timedelta(seconds=1))
    provider_paid(order)

    def refund(self, target, *, amount_fen, refund_no):
        raise TimeoutError("read timed out")

    monkeypatch.setattr(SandboxProvider, "refund", refund)
    result = deliver(paid_payload(order))
    assert (result.status, result.outcome) == (200, "late_payment_refund_pending")
    late = PaymentRefund.objects.get()
    assert (late.kind, late.status) == ("late_payment", "pending")
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == order.amount_fen
    assert balances() == {CREDIT: 0, CLEARING: order.amount_fen, SUSPENSE_ACCOUNT: 0}
    monkeypatch.setattr(SandboxProvider, "refund", real_refund)
    assert payment_refunds_settle(now=timezone.now() + timedelta(minutes=2)) == 1
    late.refresh_from_db()
    assert late.status == "succeeded"
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == 0


def test_no_transaction_both_credits_and_debits_suspense(order, deliver, monkeypatch):
    # crediting then debiting one non-negative account in one transaction deadlocks against a
    # concurrent debit on PostgreSQL; the late refund must reserve in a transaction of its own
    from kincare.core.ledger import services as ledger_services

    moves: dict[int, set[str]] = {}
    real_post = ledger_services.ledger_post

    tokens = iter(range(1, 1000))

    def spy(**kwargs):
        outer = next((b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)), None)
        # id() of a finished block can be reused by the next one: tag each block instead
        if outer is not None and not hasattr(outer, "_spy_token"):
            outer._spy_token = next(tokens)
        token = getattr(outer, "_spy_token", 0)
        for account, amount in kwargs["postings"]:
            code = account if isinstance(account, str) else account.code
            if code == SUSPENSE_ACCOUNT:
                moves.setdefault(token, set()).add("credit" if amount < 0 else "debit")
        return real_post(**kwargs)

    from kincare.core.payments.services import refunds, settlement

    monkeypatch.setattr(settlement, "ledger_post", spy)
    monkeypatch.setattr(refunds, "ledger_post", spy)
    payment_orders_expire(now=order.expires_at + timedelta(seconds=1))
    provider_paid(order)
    assert deliver(paid_payload(order)).outcome == "late_payment_refunded"
    assert sorted(sorted(v) for v in moves.values()) == [["credit"], ["debit"]]


def test_the_platform_accounts_are_spread_over_buckets(paid_order):
    payment_refund(order=paid_order, amount_fen=100, refund_no="R-b")
    clearing = Account.objects.get(code=CLEARING)
    pending = Account.objects.get(code=REFUNDS_PENDING_ACCOUNT)
    assert (clearing.buckets, clearing.allow_negative) == (16, False)
    assert (pending.buckets, pending.allow_negative, pending.kind) == (16, False, "liability")
