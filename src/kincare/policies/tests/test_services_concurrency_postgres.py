"""On PostgreSQL: concurrent pay presses open one order; concurrent deliveries issue one set of
policies; two applications for the same child paid at once cannot both pass the minors' cap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kincare.core.errors import ValidationFailed
from kincare.core.ledger.checks import reconcile
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.services import payment_notification_handle
from kincare.core.payments.tests.helpers import paid_payload, provider_paid
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.services import quotes
from kincare.policies.tests.services_helpers import (
    CHILD_ACCIDENT,
    CHILD_ACCIDENT_CAPPED,
    CHRONIC,
    apply,
    insurer_balance,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalog")]

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


@pytest.fixture
def ready(guardian, guardian_member, grandparent, child) -> Application:
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent, child])
    assert application.status == Application.Status.READY
    return application


def test_concurrent_pay_presses_open_one_order(guardian, ready):
    def press(_i):
        return services.application_pay(actor=guardian, application=ready).pk

    order_ids = _together(press, range(THREADS))
    assert len(set(order_ids)) == 1
    assert PaymentOrder.objects.filter(purpose="premium").count() == 1
    assert Policy.objects.filter(application=ready).count() == 2
    ready.refresh_from_db()
    assert (ready.status, ready.order_id) == (Application.Status.PENDING_PAYMENT, order_ids[0])


def test_concurrent_deliveries_of_one_paid_notification_issue_one_set_of_policies(guardian, ready):
    order = services.application_pay(actor=guardian, application=ready)
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order))

    def deliver(_i):
        return payment_notification_handle(provider_name="sandbox", body=body, headers=headers)

    results = _together(deliver, range(THREADS))
    assert sorted(r.outcome for r in results) == ["duplicate"] * (THREADS - 1) + ["paid"]
    issued = Policy.objects.filter(application=ready, status=Policy.Status.ACTIVE)
    assert issued.count() == 2
    assert Policy.objects.filter(number__isnull=False).count() == 2
    ready.refresh_from_db()
    assert ready.status == Application.Status.ISSUED
    assert insurer_balance(CHRONIC) == order.amount_fen
    assert reconcile() == []


@pytest.mark.parametrize("slow_check", [False, True], ids=["as_is", "slow_cap_check"])
def test_two_applications_for_one_child_paid_at_once_cannot_both_pass_the_minors_cap(
    guardian, guardian_member, child, monkeypatch, slow_check
):
    # 200,000 yuan of accidental death cover each; an 8-year-old may have 200,000 in all
    first = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    second = apply(guardian, code=CHILD_ACCIDENT_CAPPED, policyholder=guardian_member, insured=[child])
    assert first.status == second.status == Application.Status.READY
    if slow_check:
        real = quotes.check_minor_death_cap

        def slow(*args, **kwargs):
            real(*args, **kwargs)
            time.sleep(0.3)  # widen the window between the check and the insert

        monkeypatch.setattr(quotes, "check_minor_death_cap", slow)

    def press(application):
        try:
            return services.application_pay(actor=guardian, application=application)
        except ValidationFailed as exc:
            return exc

    results = _together(press, [first, second])
    orders = [r for r in results if isinstance(r, PaymentOrder)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(orders) == 1 and len(refused) == 1
    assert refused[0].code == "minor_death_cap_exceeded"
    assert Policy.objects.filter(insured=child, status=Policy.Status.PENDING_PAYMENT).count() == 1
