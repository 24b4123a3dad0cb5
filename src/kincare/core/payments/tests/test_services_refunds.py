"""Refunds: through the provider, idempotent by refund number, never more than was paid."""

from __future__ import annotations

import pytest

from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.ledger.models import JournalEntry
from kincare.core.ledger.selectors import account_balance
from kincare.core.ledger.services import ledger_post
from kincare.core.payments.models import (
    PaymentNotification,
    PaymentOrder,
    PaymentRefund,
    SandboxTransaction,
)
from kincare.core.payments.providers import ProviderError
from kincare.core.payments.services import REFUNDS_PENDING_ACCOUNT, payment_refund
from kincare.core.payments.tests.helpers import CLEARING, CREDIT, balances

Status = PaymentOrder.Status


@pytest.fixture
def paid_order(make_order, sandbox_pay):
    order = make_order(amount_fen=10_000)
    sandbox_pay(order)
    order.refresh_from_db()
    assert order.status == Status.PAID
    return order


@pytest.fixture
def refund(django_capture_on_commit_callbacks):
    def run(order, amount_fen, refund_no, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return payment_refund(order=order, amount_fen=amount_fen, refund_no=refund_no, reason="test", **kwargs)

    return run


def test_a_partial_then_a_full_refund(paid_order, refund, payer):
    first = refund(paid_order, 3_000, "R-1", actor=payer)
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (Status.PARTIALLY_REFUNDED, 3_000)
    assert first.provider_refund_id
    assert first.ledger_entry_id
    assert balances()[CREDIT] == 7_000
    refund(paid_order, 2_000, "R-2")
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (Status.PARTIALLY_REFUNDED, 5_000)
    refund(paid_order, 5_000, "R-3")
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (Status.REFUNDED, 10_000)
    assert balances() == {CREDIT: 0, CLEARING: 0, "platform:payments:suspense": 0}
    txn = SandboxTransaction.objects.get(out_trade_no=paid_order.out_trade_no)
    assert txn.refunded_fen == 10_000
    # the provider confirms each refund by notification; confirmations move nothing
    confirmations = PaymentNotification.objects.filter(event="refunded")
    assert set(confirmations.values_list("result", flat=True)) == {"refund_confirmed"}
    assert confirmations.count() == 3


def test_the_same_refund_number_refunds_once(paid_order, refund):
    one = refund(paid_order, 4_000, "R-same")
    two = refund(paid_order, 4_000, "R-same")
    assert one.pk == two.pk
    paid_order.refresh_from_db()
    assert paid_order.refunded_fen == 4_000
    assert JournalEntry.objects.filter(kind="payment_refund").count() == 1


def test_the_same_refund_number_with_another_amount_is_a_conflict(paid_order, refund):
    refund(paid_order, 4_000, "R-x")
    with pytest.raises(Conflict) as exc:
        refund(paid_order, 5_000, "R-x")
    assert exc.value.code == "idempotency_conflict"


@pytest.mark.parametrize("amount", [10_001, 10**12])
def test_it_never_refunds_more_than_was_paid(paid_order, refund, amount):
    with pytest.raises(ValidationFailed) as exc:
        refund(paid_order, amount, "R-big")
    assert exc.value.code == "refund_exceeds_paid"
    assert not PaymentRefund.objects.exists()
    assert balances()[CREDIT] == 10_000


def test_it_never_refunds_more_than_remains_after_earlier_refunds(paid_order, refund):
    refund(paid_order, 9_000, "R-a")
    with pytest.raises(ValidationFailed):
        refund(paid_order, 1_001, "R-b")
    refund(paid_order, 1_000, "R-c")
    with pytest.raises(Conflict) as exc:
        refund(paid_order, 1, "R-d")
    assert exc.value.code == "not_refundable"


@pytest.mark.parametrize("amount", [0, -5, True, "100"])
def test_it_refuses_a_bad_refund_amount(paid_order, refund, amount):
    with pytest.raises(ValidationFailed):
        refund(paid_order, amount, "R-bad")


@pytest.mark.parametrize("refund_no", ["", "  ", "r" * 65])
def test_it_refuses_a_bad_refund_number(paid_order, refund, refund_no):
    with pytest.raises(ValidationFailed):
        refund(paid_order, 100, refund_no)


def test_an_unpaid_order_cannot_be_refunded(order, refund):
    with pytest.raises(Conflict) as exc:
        refund(order, 100, "R-unpaid")
    assert exc.value.code == "not_refundable"


def test_a_refund_the_credit_account_cannot_cover_touches_neither_ledger_nor_provider(paid_order, refund):
    # the money was already spent (e.g. disbursed from an escrow)
    ledger_post(
        kind="disbursement",
        idempotency_key="spend-it",
        postings=[(CREDIT, 9_500), (CLEARING, -9_500)],
    )
    with pytest.raises(Conflict) as exc:
        refund(paid_order, 1_000, "R-broke")
    assert exc.value.code == "insufficient_funds"
    assert not PaymentRefund.objects.exists()
    assert SandboxTransaction.objects.get(out_trade_no=paid_order.out_trade_no).refunded_fen == 0


def test_a_refund_the_provider_refuses_releases_the_reservation(paid_order, refund, monkeypatch, caplog):
    from kincare.core.payments.providers import RefundResult
    from kincare.core.payments.sandbox import SandboxProvider

    monkeypatch.setattr(
        SandboxProvider,
        "refund",
        lambda self, order, *, amount_fen, refund_no: RefundResult(
            refund_no, "", amount_fen, succeeded=False, message="SYSTEMERROR"
        ),
    )
    with pytest.raises(ProviderError) as exc:
        refund(paid_order, 1_000, "R-refused")
    assert exc.value.code == "refund_refused"
    failed = PaymentRefund.objects.get()
    assert (failed.status, failed.failure_message) == ("failed", "SYSTEMERROR")
    assert JournalEntry.objects.filter(kind="payment_refund").count() == 0
    assert JournalEntry.objects.filter(kind="payment_refund_reserve_reversal").count() == 1
    assert balances() == {CREDIT: 10_000, CLEARING: 10_000, "platform:payments:suspense": 0}
    assert account_balance(REFUNDS_PENDING_ACCOUNT) == 0
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.refunded_fen) == (Status.PAID, 0)
    assert any(r.levelname == "ERROR" for r in caplog.records)
    # asking again with the same refund number says the same, and refunds nothing
    with pytest.raises(ProviderError):
        refund(paid_order, 1_000, "R-refused")
    assert PaymentRefund.objects.count() == 1
