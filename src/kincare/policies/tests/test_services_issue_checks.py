"""What a paid order issues: the rules checked again at the day cover starts, a refund when one
no longer holds, the day kept when pay was pressed, and renewals paid after the old policy ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import ValidationFailed
from kincare.core.ledger.checks import reconcile
from kincare.core.models import Notification
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.families.tests import factories
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.services import applications as application_services
from kincare.policies.services.common import add_years, local_date, local_midnight
from kincare.policies.tests.services_helpers import (
    ADULT_ACCIDENT,
    CHILD_ACCIDENT,
    CHILD_ACCIDENT_CAPPED,
    CHRONIC,
    STANDARD_MEDICAL,
    apply,
    buy,
    hepatitis_b_carrier,
    insurer_balance,
    pay,
)

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status


def _refunded(application: Application, order: PaymentOrder, code: str) -> None:
    application.refresh_from_db()
    order.refresh_from_db()
    assert application.status == Status.REFUNDED
    assert not Policy.objects.filter(application=application, number__isnull=False).exists()
    assert set(Policy.objects.filter(application=application).values_list("status", flat=True)) == {"lapsed"}
    refund = PaymentRefund.objects.get(order=order)
    assert (refund.amount_fen, refund.status) == (order.amount_fen, PaymentRefund.Status.SUCCEEDED)
    assert order.status == PaymentOrder.Status.REFUNDED
    notice = Notification.objects.get(kind="policies.not_issued")
    assert notice.recipient == application.created_by and "退回" in notice.title
    assert reconcile() == []


# -- the minors' cap and duplicate cover, checked again when the payment arrives ---------------


def test_a_child_insured_elsewhere_meanwhile_gets_the_premium_back_instead_of_cover_over_the_cap(
    guardian, guardian_member, child, sandbox_pay
):
    application = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    order = services.application_pay(actor=guardian, application=application)
    # while the order is open the family records an accident policy bought elsewhere for the child
    services.external_policy_add(
        actor=guardian,
        insured=child,
        insurer_name="某保险公司",
        product_name="学平险",
        category="accident",
        sum_insured_fen=10_000_000,
        premium_fen=10_000,
        starts_on=timezone.localdate(),
    )
    sandbox_pay(order)
    _refunded(application, order, "minor_death_cap_exceeded")
    assert insurer_balance(CHILD_ACCIDENT) == 0
    assert "身故保险金" in Notification.objects.get(kind="policies.not_issued").body


def test_of_two_orders_for_the_same_product_and_member_only_the_first_paid_issues(
    guardian, guardian_member, sandbox_pay, monkeypatch
):
    first = apply(guardian, code=ADULT_ACCIDENT, policyholder=guardian_member, insured=[guardian_member])
    second = apply(guardian, code=ADULT_ACCIDENT, policyholder=guardian_member, insured=[guardian_member])
    first_order = services.application_pay(actor=guardian, application=first)
    # as if both had been opened at once (before the members were locked): the second skips the check
    with monkeypatch.context() as patch:
        patch.setattr(application_services, "already_insured", lambda *args, **kwargs: False)
        second_order = services.application_pay(actor=guardian, application=second)
    sandbox_pay(first_order)
    first.refresh_from_db()
    assert first.status == Status.ISSUED
    sandbox_pay(second_order)
    _refunded(second, second_order, "already_insured")
    assert Policy.objects.filter(insured=guardian_member, status="active").count() == 1
    assert insurer_balance(ADULT_ACCIDENT) == first_order.amount_fen


def test_a_second_accident_policy_over_a_childs_cap_is_refused_when_pay_is_pressed(guardian, guardian_member, child):
    first = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    second = apply(guardian, code=CHILD_ACCIDENT_CAPPED, policyholder=guardian_member, insured=[child])
    services.application_pay(actor=guardian, application=first)
    with pytest.raises(ValidationFailed) as exc:
        services.application_pay(actor=guardian, application=second)
    assert exc.value.code == "minor_death_cap_exceeded"
    second.refresh_from_db()
    assert second.status == Status.READY and not Policy.objects.filter(application=second).exists()


def test_a_refused_issue_is_not_refunded_twice_when_the_notification_comes_again(
    guardian, guardian_member, child, sandbox_pay
):
    application = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    order = services.application_pay(actor=guardian, application=application)
    services.external_policy_add(
        actor=guardian,
        insured=child,
        insurer_name="某保险公司",
        product_name="少儿意外险",
        category="accident",
        sum_insured_fen=10_000_000,
        premium_fen=10_000,
        starts_on=timezone.localdate(),
    )
    sandbox_pay(order)
    order.refresh_from_db()
    services.premium_on_paid(order)
    assert PaymentRefund.objects.filter(order=order).count() == 1
    assert Notification.objects.filter(kind="policies.not_issued").count() == 1


# -- the effective date kept when pay was pressed ----------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Set the wall clock (Asia/Shanghai) for the rest of the test: ``clock(day, "23:55")``."""

    def set_to(day: dt.date, hhmm: str) -> dt.datetime:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        moment = local_midnight(day) + dt.timedelta(hours=hours, minutes=minutes)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


def test_pay_pressed_before_midnight_and_paid_before_it_starts_cover_on_the_day_kept(
    guardian, guardian_member, grandparent, sandbox_pay, clock
):
    today = timezone.localdate()
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    clock(today, "23:50")
    order = services.application_pay(actor=guardian, application=application)
    application.refresh_from_db()
    assert application.effective_on == today + dt.timedelta(days=1)
    clock(today, "23:58")
    sandbox_pay(order)
    policy = application.policies.get()
    assert policy.status == "active"
    assert policy.effective_at == local_midnight(today + dt.timedelta(days=1))
    assert policy.first_effective_on == today + dt.timedelta(days=1)


def test_paid_after_midnight_cover_starts_the_next_day_not_in_the_past(
    guardian, guardian_member, grandparent, sandbox_pay, clock
):
    today = timezone.localdate()
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    clock(today, "23:55")
    order = services.application_pay(actor=guardian, application=application)
    clock(today + dt.timedelta(days=1), "00:05")
    sandbox_pay(order)
    policy = application.policies.get()
    assert policy.status == "active"
    assert policy.effective_at == local_midnight(today + dt.timedelta(days=2))
    assert policy.issued_at < policy.effective_at


def test_paid_after_midnight_for_someone_too_old_on_the_later_day_is_refunded(
    guardian, family, guardian_member, sandbox_pay, clock
):
    today = timezone.localdate()
    # 65 tomorrow (the last age med_01 accepts), 66 the day after
    uncle = factories.member_add(
        family,
        name="王大伯",
        birth_date=add_years(today + dt.timedelta(days=2), -66),
        sex="M",
        relationship="other",
        social_insurance="urban_employee",
    )
    application = apply(guardian, code=STANDARD_MEDICAL, policyholder=guardian_member, insured=[uncle])
    assert application.status == Status.READY
    clock(today, "23:55")
    order = services.application_pay(actor=guardian, application=application)
    clock(today + dt.timedelta(days=1), "00:05")
    sandbox_pay(order)
    _refunded(application, order, "age_above_max")
    assert "65" in Notification.objects.get(kind="policies.not_issued").body


# -- a renewal paid after the old policy ended -------------------------------------------------


def test_a_renewal_paid_after_the_old_policy_expired_starts_tomorrow_with_a_new_waiting_period(
    guardian, guardian_member, grandparent, sandbox_pay
):
    [old] = buy(
        guardian,
        sandbox_pay,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[grandparent],
        answers={grandparent.pk: [hepatitis_b_carrier()]},
    )
    Policy.objects.filter(pk=old.pk).update(
        ends_at=timezone.now() + dt.timedelta(minutes=5),
        first_effective_on=timezone.localdate() - dt.timedelta(days=400),
    )
    assert services.policies_offer_renewals() == 1
    offer = Application.objects.get(renewal_of=old)
    order = services.application_pay(actor=guardian, application=offer)  # 5 minutes before the end
    Policy.objects.filter(pk=old.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=10))
    assert services.policies_expire_due() == 1
    sandbox_pay(order)
    renewal = Policy.objects.get(application=offer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert renewal.status == "active"
    assert renewal.effective_at == local_midnight(tomorrow) > renewal.issued_at  # never backdated
    assert renewal.first_effective_on == tomorrow  # continuity broken: waiting periods start again
    assert renewal.ends_at == local_midnight(add_years(tomorrow, 1))
    assert renewal.exclusions == old.exclusions
    assert "等待期" in Notification.objects.get(kind="policies.issued", title__contains="续保").body


def test_a_renewal_paid_in_time_still_continues_the_old_cover(guardian, guardian_member, grandparent, sandbox_pay):
    [old] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    Policy.objects.filter(pk=old.pk).update(ends_at=local_midnight(timezone.localdate() + dt.timedelta(days=3)))
    old.refresh_from_db()
    services.policies_offer_renewals()
    offer = Application.objects.get(renewal_of=old)
    pay(guardian, offer, sandbox_pay)
    renewal = offer.policies.get()
    assert renewal.effective_at == old.ends_at
    assert renewal.first_effective_on == old.first_effective_on
    assert local_date(renewal.ends_at) == add_years(local_date(old.ends_at), 1)
