"""Paying: only the verified notification issues policies, exactly once, whatever the provider does."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.selectors import account_balance
from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.services import SUSPENSE_ACCOUNT, payment_orders_expire
from kincare.core.payments.tests.helpers import paid_payload, provider_paid
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.tests.services_helpers import (
    CHRONIC,
    apply,
    clearing_balance,
    hypertension,
    insurer_balance,
    pay,
)
from kincare.underwriting.form_schemas import conditions_parsed

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status


@pytest.fixture
def ready(guardian, guardian_member, grandparent) -> Application:
    application = apply(
        guardian,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[grandparent],
        answers={grandparent.pk: [hypertension()]},
    )
    assert application.status == Status.READY
    return application


def _nothing_issued(application: Application) -> None:
    application.refresh_from_db()
    assert application.status == Status.PENDING_PAYMENT
    assert not Policy.objects.filter(application=application, status=Policy.Status.ACTIVE).exists()
    assert not Policy.objects.filter(number__isnull=False).exists()
    assert insurer_balance(CHRONIC) == 0


def test_a_double_clicked_pay_button_returns_one_order(guardian, ready):
    first = services.application_pay(actor=guardian, application=ready)
    second = services.application_pay(actor=guardian, application=ready)
    assert first.pk == second.pk
    assert PaymentOrder.objects.filter(purpose="premium").count() == 1
    assert Policy.objects.filter(application=ready).count() == 1
    ready.refresh_from_db()
    assert (ready.status, ready.order_id) == (Status.PENDING_PAYMENT, first.pk)
    assert first.idempotency_key == f"application:{ready.pk}:premium:1"
    assert first.amount_fen == ready.premium_fen


def test_a_duplicate_notification_issues_one_policy(guardian, ready, sandbox_pay):
    order = pay(guardian, ready, sandbox_pay, scenario="duplicate")
    assert order.status == PaymentOrder.Status.PAID
    policy = Policy.objects.get(application=ready)
    assert policy.status == Policy.Status.ACTIVE and policy.number
    assert Policy.objects.filter(number__isnull=False).count() == 1
    assert insurer_balance(CHRONIC) == order.amount_fen
    # the handler run again (a retry) changes nothing
    services.premium_on_paid(order)
    assert Policy.objects.get(application=ready).number == policy.number
    assert reconcile() == []


def test_a_forged_notification_issues_nothing(guardian, ready, deliver):
    order = services.application_pay(actor=guardian, application=ready)
    provider_paid(order)
    result = deliver(paid_payload(order), secret="not-the-sandbox-key")
    assert result.status == 400 and result.body["code"] == "invalid_signature"
    stale = deliver(paid_payload(order), timestamp=int(time.time()) - 301)
    assert stale.status == 400
    _nothing_issued(ready)


def test_an_amount_mismatch_issues_nothing_and_parks_the_money(guardian, ready, deliver):
    order = services.application_pay(actor=guardian, application=ready)
    provider_paid(order)
    result = deliver(paid_payload(order, amount_fen=order.amount_fen - 100))
    assert (result.status, result.outcome) == (200, "amount_mismatch")
    _nothing_issued(ready)
    refund = PaymentRefund.objects.get(kind=PaymentRefund.Kind.UNMATCHED)
    assert refund.amount_fen == order.amount_fen - 100
    assert account_balance(SUSPENSE_ACCOUNT) == 0  # sent back
    assert reconcile() == []


def test_an_expired_order_issues_nothing_and_the_policy_lapses(guardian, ready, deliver):
    order = services.application_pay(actor=guardian, application=ready)
    later = timezone.now() + timedelta(hours=1)
    assert payment_orders_expire(now=later) == 1
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.EXPIRED
    assert services.policies_lapse_unpaid() == 1
    ready.refresh_from_db()
    assert ready.status == Status.PAYMENT_EXPIRED
    assert Policy.objects.get(application=ready).status == Policy.Status.LAPSED
    # money the provider took anyway for the expired order is refunded, never issued
    provider_paid(order)
    result = deliver(paid_payload(order))
    assert result.outcome == "late_payment_refunded"
    assert not Policy.objects.filter(application=ready, status=Policy.Status.ACTIVE).exists()
    assert insurer_balance(CHRONIC) == 0
    assert services.policies_lapse_unpaid() == 0  # idempotent


def test_paying_again_after_expiry_opens_a_new_order(guardian, ready, sandbox_pay):
    first = services.application_pay(actor=guardian, application=ready)
    payment_orders_expire(now=timezone.now() + timedelta(hours=1))
    # pressing pay again finds the expired order itself (no job needed) and starts attempt 2
    second = pay(guardian, ready, sandbox_pay)
    assert second.pk != first.pk
    assert second.idempotency_key == f"application:{ready.pk}:premium:2"
    assert ready.status == Status.ISSUED
    statuses = sorted(Policy.objects.filter(application=ready).values_list("status", flat=True))
    assert statuses == ["active", "lapsed"]


def test_an_application_not_ready_cannot_be_paid(guardian, guardian_member, grandparent):
    application = apply(
        guardian,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[grandparent],
        answers={grandparent.pk: [hypertension(complications=True)]},
    )
    assert application.status == Status.DECLINED
    with pytest.raises(Conflict) as exc:
        services.application_pay(actor=guardian, application=application)
    assert exc.value.code == "application_not_payable"
    assert not PaymentOrder.objects.exists()


def test_an_issued_application_cannot_be_paid_again(guardian, ready, sandbox_pay):
    order = pay(guardian, ready, sandbox_pay)
    with pytest.raises(Conflict):
        services.application_pay(actor=guardian, application=ready)
    assert PaymentOrder.objects.count() == 1 and order.status == PaymentOrder.Status.PAID


def test_an_expired_underwriting_decision_must_be_answered_again(guardian, ready, grandparent):
    decision = ready.insured.get().decision
    decision.valid_until = timezone.localdate() - timedelta(days=1)
    decision.save(update_fields=["valid_until"])
    with pytest.raises(Conflict) as exc:
        services.application_pay(actor=guardian, application=ready)
    assert exc.value.code == "decision_expired"
    services.application_answer(
        actor=guardian, application=ready, member=grandparent, conditions=conditions_parsed([]), consent=True
    )
    assert services.application_pay(actor=guardian, application=ready).amount_fen == ready.premium_fen


def test_a_paid_order_the_application_does_not_expect_issues_nothing_and_alerts(guardian, ready):
    order = services.application_pay(actor=guardian, application=ready)
    Application.objects.filter(pk=ready.pk).update(status=Status.WITHDRAWN)
    services.premium_on_paid(order)
    assert not Policy.objects.filter(number__isnull=False).exists()
    assert AuditEvent.objects.filter(action="policies.premium_not_issued").exists()


def test_the_premium_entry_is_clearing_to_the_insurer(guardian, ready, sandbox_pay):
    order = pay(guardian, ready, sandbox_pay)
    assert clearing_balance() == insurer_balance(CHRONIC) == order.amount_fen
