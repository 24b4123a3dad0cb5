"""Cooling-off cancellation (犹豫期退保): the full premium back through the provider, cover ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, NotFound, PermissionDenied
from kincare.core.fsm import status_history
from kincare.core.ledger.checks import reconcile
from kincare.core.models import AuditEvent, Notification
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.providers import RefundResult
from kincare.core.payments.sandbox import SandboxProvider
from kincare.families.models import Member
from kincare.policies import selectors, services
from kincare.policies.models import Policy
from kincare.policies.policies import policy_policy
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


def test_only_the_policyholder_may_cancel(guardian, guardian_member, grandparent, adult_member, outsider, sandbox_pay):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    with pytest.raises(PermissionDenied) as exc:
        services.policy_cancel(actor=adult_member, policy=policy)
    assert exc.value.code == "cancel_not_allowed"
    with pytest.raises(NotFound):
        services.policy_cancel(actor=outsider, policy=policy)
    # the guardian cancels a policy he holds himself
    assert services.policy_cancel(actor=guardian, policy=policy).status == Policy.Status.CANCELLED


def test_the_guardian_may_not_cancel_a_policy_another_adult_holds(
    guardian, adult_member, adult_row, sandbox_pay, django_capture_on_commit_callbacks
):
    """投保人 alone may cancel: the guardian sees the spouse's own policy but is refused (403)."""
    [hers] = buy(adult_member, sandbox_pay, code=CHRONIC, policyholder=adult_row, insured=[adult_row])
    assert policy_policy.can(guardian, "view", hers)
    with pytest.raises(PermissionDenied) as exc:
        services.policy_cancel(actor=guardian, policy=hers)
    assert exc.value.code == "cancel_not_allowed"
    hers.refresh_from_db()
    assert hers.status == Policy.Status.ACTIVE
    assert not PaymentRefund.objects.exists()
    # she cancels her own
    with django_capture_on_commit_callbacks(execute=True):
        assert services.policy_cancel(actor=adult_member, policy=hers).status == Policy.Status.CANCELLED
    assert PaymentRefund.objects.get().status == PaymentRefund.Status.SUCCEEDED


def test_the_guardian_acts_for_a_policyholder_without_an_account_of_their_own(
    guardian, adult_member, adult_row, sandbox_pay
):
    [hers] = buy(adult_member, sandbox_pay, code=CHRONIC, policyholder=adult_row, insured=[adult_row])
    Member.objects.filter(pk=adult_row.pk).update(user=None)  # her account is gone
    assert services.policy_cancel(actor=guardian, policy=hers).status == Policy.Status.CANCELLED


def test_nobody_acts_for_a_policyholder_who_left_the_family(guardian, adult_member, adult_row, sandbox_pay):
    [hers] = buy(adult_member, sandbox_pay, code=CHRONIC, policyholder=adult_row, insured=[adult_row])
    Member.objects.filter(pk=adult_row.pk).update(user=None, removed_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.policy_cancel(actor=guardian, policy=hers)
    hers.refresh_from_db()
    assert hers.status == Policy.Status.ACTIVE


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


# -- a refund the provider refuses --------------------------------------------------------------


@pytest.fixture
def provider_refuses(monkeypatch):
    """The sandbox definitely refuses every refund (``monkeypatch.undo()`` brings it back)."""

    def refuse(self, order, *, amount_fen, refund_no):
        return RefundResult(refund_no, "", amount_fen, succeeded=False, message="SYSTEMERROR")

    monkeypatch.setattr(SandboxProvider, "refund", refuse)
    return monkeypatch


def test_a_refused_refund_can_be_asked_again_with_a_new_refund_number(
    guardian, guardian_member, grandparent, sandbox_pay, django_capture_on_commit_callbacks, provider_refuses
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    assert selectors.policy_refund_state(policy) is None
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.policy_cancel(actor=guardian, policy=policy)
    assert cancelled.status == Policy.Status.CANCELLED
    state = selectors.policy_refund_state(cancelled)
    assert (state.status, state.label, state.amount_fen) == ("failed", "退款失败，请重试", policy.premium_fen)
    # the reservation was released: the premium is still with the insurer, nothing left us
    assert insurer_balance(CHRONIC) == policy.premium_fen
    assert reconcile() == []

    provider_refuses.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.policy_cancel(actor=guardian, policy=cancelled, reason="重新退款")
    assert again.status == Policy.Status.CANCELLED
    refunds = list(PaymentRefund.objects.order_by("id").values_list("refund_no", "status"))
    assert refunds == [
        (f"policy-{policy.pk}-cooling-off", "failed"),
        (f"policy-{policy.pk}-cooling-off-2", "succeeded"),
    ]
    state = selectors.policy_refund_state(again)
    assert (state.status, state.label, state.attempts) == ("succeeded", "已退款", 2)
    # the status changed once; the money is back; the ledger balances
    assert [c.to_status for c in status_history(again)] == ["active", "cancelled"]
    assert PaymentOrder.objects.get(pk=policy.application.order_id).status == PaymentOrder.Status.REFUNDED
    assert insurer_balance(CHRONIC) == 0 and clearing_balance() == 0
    assert reconcile() == []
    assert AuditEvent.objects.filter(action="policy.cooling_off_refund_retried", subject_id=str(policy.pk)).count() == 1
    # refunded now: nothing more to ask
    with pytest.raises(Conflict) as exc:
        services.policy_cancel(actor=guardian, policy=again)
    assert exc.value.code == "policy_not_active"
    assert PaymentRefund.objects.count() == 2


def test_each_retry_takes_the_next_refund_number(
    guardian, guardian_member, grandparent, sandbox_pay, django_capture_on_commit_callbacks, provider_refuses
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.policy_cancel(actor=guardian, policy=policy)
    assert list(PaymentRefund.objects.order_by("id").values_list("refund_no", flat=True)) == [
        f"policy-{policy.pk}-cooling-off",
        f"policy-{policy.pk}-cooling-off-2",
        f"policy-{policy.pk}-cooling-off-3",
    ]
    assert selectors.policy_refund_state(policy).status == "failed"
    assert insurer_balance(CHRONIC) == policy.premium_fen
    assert reconcile() == []


def test_a_retry_is_possible_after_the_cooling_off_days(
    guardian, guardian_member, grandparent, sandbox_pay, django_capture_on_commit_callbacks, provider_refuses
):
    """The cancellation was made in time: asking for the money again later is not a new cancellation."""
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_cancel(actor=guardian, policy=policy)
    policy = _issued_days_ago(policy, product(CHRONIC).cooling_off_days + 30)
    provider_refuses.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_cancel(actor=guardian, policy=policy)
    assert selectors.policy_refund_state(policy).status == "succeeded"


def test_a_refund_still_pending_is_not_asked_again(guardian, guardian_member, grandparent, sandbox_pay):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    services.policy_cancel(actor=guardian, policy=policy)  # the provider is asked only after commit
    state = selectors.policy_refund_state(policy)
    assert (state.status, state.label) == ("pending", "退款处理中")
    with pytest.raises(Conflict) as exc:
        services.policy_cancel(actor=guardian, policy=policy)
    assert exc.value.code == "refund_pending"
    assert PaymentRefund.objects.count() == 1


def test_only_the_policyholder_asks_for_a_refused_refund_again(
    guardian,
    guardian_member,
    grandparent,
    adult_member,
    outsider,
    sandbox_pay,
    django_capture_on_commit_callbacks,
    provider_refuses,
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_cancel(actor=guardian, policy=policy)
    provider_refuses.undo()
    with pytest.raises(PermissionDenied):
        services.policy_cancel(actor=adult_member, policy=policy)
    with pytest.raises(NotFound):
        services.policy_cancel(actor=outsider, policy=policy)
    assert PaymentRefund.objects.count() == 1
