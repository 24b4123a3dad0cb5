"""Payments test helpers: an account to credit, people, orders, and the sandbox's hands."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kincare.accounts.models import User
from kincare.core.ledger.models import Account
from kincare.core.ledger.services import account_ensure
from kincare.core.payments.models import PaymentOrder, SandboxTransaction
from kincare.core.payments.sandbox import sandbox_signed, sandbox_transaction_pay
from kincare.core.payments.services import (
    NotificationResult,
    payment_notification_handle,
    payment_order_create,
)
from kincare.core.payments.tests.helpers import CREDIT, make_user

_keys = itertools.count(1)


@pytest.fixture
def credit_account(db: None) -> Account:
    # a liability that may not go negative, like a campaign escrow or a wallet
    return account_ensure(code=CREDIT, kind="liability", allow_negative=False, name="test wallet")


@pytest.fixture
def payer(db: None) -> User:
    return make_user(display_name="payer")


@pytest.fixture
def other_user(db: None) -> User:
    return make_user(display_name="other")


@pytest.fixture
def make_order(credit_account: Account, payer: User) -> Callable[..., PaymentOrder]:
    def make(amount_fen: int = 12_345, **kwargs: Any) -> PaymentOrder:
        kwargs.setdefault("payer", payer)
        kwargs.setdefault("idempotency_key", f"test-order-{next(_keys)}")
        return payment_order_create(purpose="test", amount_fen=amount_fen, credit_account=CREDIT, **kwargs)

    return make


@pytest.fixture
def order(make_order: Callable[..., PaymentOrder]) -> PaymentOrder:
    return make_order()


@pytest.fixture
def sandbox_pay(django_capture_on_commit_callbacks: Any) -> Callable[..., SandboxTransaction]:
    """Press "pay" on the sandbox checkout; due notifications are delivered (Celery eager)."""

    def pay(order: PaymentOrder, *, succeed: bool = True, scenario: str = "") -> SandboxTransaction:
        if scenario:
            SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(scenario=scenario)
        with django_capture_on_commit_callbacks(execute=True):
            return sandbox_transaction_pay(provider_order_id=order.provider_order_id, succeed=succeed)

    return pay


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Callable[..., NotificationResult]:
    """Hand a payload (or a body and headers) to the notification handler, as the endpoint does."""

    def send(payload: dict[str, Any] | bytes, headers: dict[str, str] | None = None, **sign: Any) -> NotificationResult:
        if headers is None:
            body, headers = sandbox_signed(payload, **sign)
        else:
            assert isinstance(payload, bytes)
            body = payload
        with django_capture_on_commit_callbacks(execute=True):
            return payment_notification_handle(provider_name="sandbox", body=body, headers=headers)

    return send


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def build(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return build
