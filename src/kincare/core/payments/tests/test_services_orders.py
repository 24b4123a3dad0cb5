"""Creating orders, settling them by query, and expiring them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, NotFound, ValidationFailed
from kincare.core.ledger.models import JournalEntry
from kincare.core.payments.models import PaymentOrder, SandboxTransaction
from kincare.core.payments.providers import PaymentProvider, get_provider
from kincare.core.payments.sandbox import SandboxProvider
from kincare.core.payments.services import (
    payment_order_create,
    payment_order_query_sync,
    payment_orders_expire,
)
from kincare.core.payments.tasks import payment_orders_expire_task
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


def test_an_order_is_registered_with_the_provider(order, settings):
    assert order.status == Status.CREATED
    assert order.provider == "sandbox"
    assert len(order.out_trade_no) <= 32
    assert order.pay_url == f"/pay/sandbox/{order.provider_order_id}/"
    txn = SandboxTransaction.objects.get(out_trade_no=order.out_trade_no)
    assert (txn.amount_fen, txn.state) == (order.amount_fen, "NOTPAY")
    ttl = (order.expires_at - order.created_at).total_seconds()
    assert abs(ttl - settings.PAYMENT_ORDER_TTL_SECONDS) < 5
    assert JournalEntry.objects.count() == 0  # creating an order moves no money


def test_retrying_with_the_same_key_returns_the_same_order(make_order):
    first = make_order(idempotency_key="client-retry-1")
    again = make_order(idempotency_key="client-retry-1")
    assert again.pk == first.pk
    assert PaymentOrder.objects.count() == 1
    assert SandboxTransaction.objects.count() == 1


def test_the_same_key_with_another_amount_is_an_idempotency_conflict(make_order):
    make_order(idempotency_key="client-retry-2", amount_fen=100)
    with pytest.raises(Conflict) as exc:
        make_order(idempotency_key="client-retry-2", amount_fen=200)
    assert exc.value.code == "idempotency_conflict"
    assert PaymentOrder.objects.count() == 1


def test_the_same_key_from_another_payer_is_an_idempotency_conflict(make_order, other_user):
    make_order(idempotency_key="client-retry-3")
    with pytest.raises(Conflict):
        make_order(idempotency_key="client-retry-3", payer=other_user)


def test_an_order_remembers_its_subject_and_family(make_order, other_user):
    order = make_order(subject=other_user, family_id=7)
    assert order.subject == other_user
    assert order.family_id == 7


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "100", None, 10**15])
def test_it_refuses_a_bad_amount(make_order, amount):
    with pytest.raises(ValidationFailed) as exc:
        make_order(amount_fen=amount)
    assert (exc.value.code, exc.value.field) == ("invalid_amount", "amount_fen")
    assert PaymentOrder.objects.count() == 0


@pytest.mark.parametrize("key", ["", "   ", "k" * 129, None, 12])
def test_it_refuses_a_bad_idempotency_key(make_order, key):
    with pytest.raises(ValidationFailed) as exc:
        make_order(idempotency_key=key)
    assert exc.value.field == "idempotency_key"


def test_it_refuses_an_unknown_purpose_account_or_provider(credit_account):
    base = {"amount_fen": 100, "credit_account": CREDIT, "idempotency_key": "k", "purpose": "test"}
    with pytest.raises(ValidationFailed) as exc:
        payment_order_create(**{**base, "purpose": "lottery"})
    assert exc.value.code == "unknown_purpose"
    with pytest.raises(ValidationFailed) as exc:
        payment_order_create(**{**base, "credit_account": "nowhere:1"})
    assert exc.value.code == "unknown_account"
    with pytest.raises(NotFound) as exc:
        payment_order_create(**{**base, "provider": "bitcoin"})
    assert exc.value.code == "unknown_provider"
    assert PaymentOrder.objects.count() == 0


def test_the_registry_builds_providers_from_settings(settings):
    provider = get_provider("sandbox")
    assert isinstance(provider, SandboxProvider)
    assert isinstance(provider, PaymentProvider)
    assert provider.secret == settings.PAYMENT_PROVIDERS["sandbox"]["secret"]


def test_the_query_path_settles_a_payment_whose_notification_was_lost(order):
    provider_paid(order)
    synced = payment_order_query_sync(order=order)
    assert synced.status == Status.PAID
    assert synced.provider_transaction_id == "4200TESTTXN"
    assert payment_entries() == 1
    assert balances()[CREDIT] == order.amount_fen
    # the late notification, and another sync, change nothing
    assert payment_order_query_sync(order=order).status == Status.PAID
    assert payment_entries() == 1


def test_a_notification_after_a_query_settlement_is_a_duplicate(order, deliver):
    provider_paid(order)
    payment_order_query_sync(order=order)
    result = deliver(paid_payload(order))
    assert (result.status, result.outcome) == (200, "duplicate")
    assert payment_entries() == 1


def test_the_query_path_leaves_an_unpaid_order_alone(order):
    assert payment_order_query_sync(order=order).status == Status.CREATED
    assert JournalEntry.objects.count() == 0


def test_the_query_path_records_a_provider_side_failure(order):
    SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(state="PAYERROR")
    assert payment_order_query_sync(order=order).status == Status.FAILED


def test_the_query_path_refunds_money_that_arrived_after_expiry(order):
    payment_orders_expire(now=order.expires_at + timedelta(seconds=1))
    provider_paid(order)
    synced = payment_order_query_sync(order=order)
    assert synced.status == Status.EXPIRED
    assert payment_entries() == 1
    assert balances() == {CREDIT: 0, CLEARING: 0, SUSPENSE_ACCOUNT: 0}


def test_expiry_closes_only_created_orders_past_their_time(make_order, sandbox_pay):
    due = make_order()
    paid = make_order()
    fresh = make_order()
    sandbox_pay(paid)
    past = timezone.now() - timedelta(seconds=1)
    PaymentOrder.objects.filter(pk__in=[due.pk, paid.pk]).update(expires_at=past)
    assert payment_orders_expire_task.delay().get() == 1
    statuses = dict(PaymentOrder.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "expired", paid.pk: "paid", fresh.pk: "created"}
    assert payment_orders_expire() == 0


def test_an_expired_order_cannot_be_paid_at_the_sandbox(order, sandbox_pay):
    SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    txn = sandbox_pay(order)
    assert txn.state == SandboxTransaction.State.CLOSED
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert JournalEntry.objects.count() == 0


def test_the_sandbox_refuses_to_be_paid_twice(order, sandbox_pay):
    sandbox_pay(order)
    with pytest.raises(Conflict):
        sandbox_pay(order)
    order.refresh_from_db()
    assert payment_entries(order.provider_transaction_id) == 1


def test_the_provider_is_asked_to_register_an_order_only_after_it_is_committed(make_order, monkeypatch):
    from django.db import connection

    seen = {}
    real = SandboxProvider.create_order

    def create_order(self, order):
        seen["open"] = sum(1 for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False))
        seen["stored"] = PaymentOrder.objects.filter(out_trade_no=order.out_trade_no).exists()
        return real(self, order)

    monkeypatch.setattr(SandboxProvider, "create_order", create_order)
    order = make_order()
    assert seen == {"open": 0, "stored": True}
    assert order.provider_order_id


def test_an_order_the_provider_failed_to_register_is_registered_on_retry(make_order, monkeypatch):
    from kincare.core.payments.providers import ProviderError

    real = SandboxProvider.create_order

    def down(self, order):
        raise ProviderError("timeout")

    monkeypatch.setattr(SandboxProvider, "create_order", down)
    with pytest.raises(ProviderError):
        make_order(idempotency_key="flaky-1")
    kept = PaymentOrder.objects.get(idempotency_key="flaky-1")
    assert (kept.status, kept.provider_order_id, kept.pay_url) == (Status.CREATED, "", "")
    monkeypatch.setattr(SandboxProvider, "create_order", real)
    again = make_order(idempotency_key="flaky-1")
    assert again.pk == kept.pk
    assert again.provider_order_id
    assert again.pay_url == f"/pay/sandbox/{again.provider_order_id}/"
    assert SandboxTransaction.objects.count() == 1


def test_expiry_asks_the_provider_and_settles_a_payment_made_before_the_deadline(order):
    provider_paid(order)  # paid at the provider, the notification still on its way
    assert payment_orders_expire(now=order.expires_at + timedelta(seconds=1)) == 0
    order.refresh_from_db()
    assert order.status == Status.PAID
    assert payment_entries() == 1
    assert balances() == {CREDIT: order.amount_fen, CLEARING: order.amount_fen, SUSPENSE_ACCOUNT: 0}
    assert not order.refunds.exists()


def test_expiry_closes_the_order_at_the_provider(order):
    assert payment_orders_expire(now=order.expires_at) == 1
    assert SandboxTransaction.objects.get(out_trade_no=order.out_trade_no).state == "CLOSED"
    order.refresh_from_db()
    assert order.status == Status.EXPIRED


def test_expiry_leaves_an_order_the_provider_cannot_answer_for(order, monkeypatch):
    def down(self, out_trade_no):
        raise TimeoutError("provider down")

    monkeypatch.setattr(SandboxProvider, "query_order", down)
    assert payment_orders_expire(now=order.expires_at) == 0
    order.refresh_from_db()
    assert order.status == Status.CREATED


def test_the_sandbox_closes_only_an_unpaid_order(order):
    provider = get_provider("sandbox")
    provider_paid(order)
    assert provider.close_order(order.out_trade_no).state == "paid"
    assert provider.close_order("KC-NOPE").state == "not_found"
