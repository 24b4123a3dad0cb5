"""Cooling-off cancellation (犹豫期退保): the full premium back through the provider, cover ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, NotFound, PermissionDenied
from kincare.core.fsm import status_history
from kincare.core.ledger.checks import reconcile
from kincare.core.models import Notification
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.policies import services
from kincare.policies.models import Policy
from kincare.policies.services.common import local_midnight
from kincare.policies.tests.services_helpers import (
    ADULT_ACCIDENT,
    CHRONIC,
    buy,
    clearing_balance,
    insurer_balance,
    product,
)

pytestmark = pytest.mark.usefixtures("catalog")


def _issued_days_ago(policy: Policy, days: int) -> Policy:
    """Move the issue back in time (local noon ``days`` days ago)."""
    day = timezone.localdate() - dt.timedelta(days=days)
    Policy.objects.filter(pk=policy.pk).update(issued_at=local_midnight(day) + dt.timedelta(hours=12))
    policy.refresh_from_db()
    return policy


def test_a_cancellation_in_the_cooling_off_period_refunds_the_premium_and_balances_the_ledger(
    guardian, guardian_member, grandparent, sandbox_pay, django_capture_on_commit_callbacks
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    assert insurer_balance(CHRONIC) == policy.premium_fen
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.policy_cancel(actor=guardian, policy=policy, reason="想再比较一下")
    assert cancelled.status == Policy.Status.CANCELLED
    assert cancelled.cancelled_at is not None and cancelled.ends_at == cancelled.cancelled_at
    refund = PaymentRefund.objects.get(refund_no=f"policy-{policy.pk}-cooling-off")
    assert (refund.status, refund.amount_fen) == (PaymentRefund.Status.SUCCEEDED, policy.premium_fen)
    order = PaymentOrder.objects.get(pk=policy.application.order_id)
    assert order.status == PaymentOrder.Status.REFUNDED
    # the insurer's premium account is back to what it was, the money left through clearing
    assert insurer_balance(CHRONIC) == 0
    assert clearing_balance() == 0
    assert reconcile() == []
    assert [c.to_status for c in status_history(cancelled)] == ["active", "cancelled"]
    assert Notification.objects.filter(kind="policies.cancelled", recipient=guardian).count() == 1


def test_only_this_policys_premium_is_refunded_from_a_family_order(
    guardian, guardian_member, grandparent, child, sandbox_pay, django_capture_on_commit_callbacks
):
    grandparents, childs = buy(
        guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent, child]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_cancel(actor=guardian, policy=childs)
    order = PaymentOrder.objects.get(pk=grandparents.application.order_id)
    assert order.status == PaymentOrder.Status.PARTIALLY_REFUNDED
    assert order.refunded_fen == childs.premium_fen
    assert insurer_balance(CHRONIC) == grandparents.premium_fen
    grandparents.refresh_from_db()
    assert grandparents.status == Policy.Status.ACTIVE
    assert reconcile() == []


def test_the_last_day_of_the_window_is_still_inside(guardian, guardian_member, grandparent, sandbox_pay):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    days = product(CHRONIC).cooling_off_days
    policy = _issued_days_ago(policy, days)
    assert services.cooling_off_last_day(policy) == timezone.localdate()
    assert services.policy_cancel(actor=guardian, policy=policy).status == Policy.Status.CANCELLED


def test_after_the_cooling_off_period_a_cancellation_is_refused(guardian, guardian_member, grandparent, sandbox_pay):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    policy = _issued_days_ago(policy, product(CHRONIC).cooling_off_days + 1)
    with pytest.raises(Conflict) as exc:
        services.policy_cancel(actor=guardian, policy=policy)
    assert exc.value.code == "cooling_off_over"
    policy.refresh_from_db()
    assert policy.status == Policy.Status.ACTIVE
    assert not PaymentRefund.objects.exists()
    assert insurer_balance(CHRONIC) == policy.premium_fen


def test_a_product_without_cooling_off_refuses_at_once(adult_member, adult_row, sandbox_pay):
    assert product(ADULT_ACCIDENT).cooling_off_days == 0
    [policy] = buy(adult_member, sandbox_pay, code=ADULT_ACCIDENT, policyholder=adult_row, insured=[adult_row])
    with pytest.raises(Conflict) as exc:
        services.policy_cancel(actor=adult_member, policy=policy)
    assert exc.value.code == "cooling_off_over"


def test_only_the_policyholder_or_the_guardian_may_cancel(
    guardian, guardian_member, grandparent, adult_member, adult_row, outsider, sandbox_pay
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    with pytest.raises(PermissionDenied) as exc:
        services.policy_cancel(actor=adult_member, policy=policy)
    assert exc.value.code == "cancel_not_allowed"
    with pytest.raises(NotFound):
        services.policy_cancel(actor=outsider, policy=policy)
    # the guardian may cancel a policy another adult holds
    [hers] = buy(adult_member, sandbox_pay, code=CHRONIC, policyholder=adult_row, insured=[adult_row])
    assert services.policy_cancel(actor=guardian, policy=hers).status == Policy.Status.CANCELLED


def test_a_cancelled_policy_cannot_be_cancelled_twice(
    guardian, guardian_member, grandparent, sandbox_pay, django_capture_on_commit_callbacks
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_cancel(actor=guardian, policy=policy)
    with pytest.raises(Conflict) as exc:
        services.policy_cancel(actor=guardian, policy=policy)
    assert exc.value.code == "policy_not_active"
    assert PaymentRefund.objects.count() == 1
