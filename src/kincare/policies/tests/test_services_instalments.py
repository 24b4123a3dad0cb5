"""Yearly instalments of long-term policies: offered 30 days before they are due, paid on the same
policy, lapsed after the 60-day grace period, nothing after the last one; idempotent jobs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kincare.core.errors import Conflict
from kincare.core.ledger.checks import reconcile
from kincare.core.models import Notification
from kincare.core.payments.models import PaymentOrder, PaymentRefund
from kincare.core.payments.services import payment_orders_expire
from kincare.policies import selectors, services
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import add_years, local_midnight
from kincare.policies.tests.services_helpers import TERM_LIFE, buy, insurer_balance, pay
from kincare.underwriting.form_schemas import conditions_parsed

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status
Kind = Application.Kind


@pytest.fixture
def life(guardian, guardian_member, sandbox_pay) -> Policy:
    """Term life for the guardian, paid over 20 years; its first premium paid."""
    [policy] = buy(
        guardian,
        sandbox_pay,
        code=TERM_LIFE,
        policyholder=guardian_member,
        insured=[guardian_member],
        plan="si_500k",
        payment_years=20,
    )
    assert (policy.payment_years, policy.premiums_paid) == (20, 1)
    return policy


def _due_in(policy: Policy, days: int) -> dt.date:
    """Move the policy's start back so that its next premium is due ``days`` from today."""
    policy.refresh_from_db()
    due = timezone.localdate() + dt.timedelta(days=days)
    Policy.objects.filter(pk=policy.pk).update(effective_at=local_midnight(add_years(due, -policy.premiums_paid)))
    policy.refresh_from_db()
    assert services.next_premium_on(policy) == due
    return due


def _instalment(policy: Policy, year: int = 2) -> Application:
    return Application.objects.get(renewal_of=policy, kind=Kind.INSTALMENT, instalment_year=year)


def test_the_next_premium_is_due_a_year_after_the_start(life):
    start = timezone.localdate() + dt.timedelta(days=1)
    assert services.next_premium_on(life) == add_years(start, 1)


def test_an_instalment_is_offered_30_days_before_it_is_due_once(guardian, life):
    _due_in(life, 31)
    assert services.policies_offer_instalments() == 0
    _due_in(life, 30)
    assert services.policies_offer_instalments() == 1
    assert services.policies_offer_instalments() == 0
    offer = _instalment(life)
    assert (offer.status, offer.premium_fen, offer.payment_years) == (Status.READY, life.premium_fen, 20)
    assert offer.policyholder_id == life.policyholder_id and offer.product_id == life.product_id
    notice = Notification.objects.get(kind="policies.instalment_due")
    assert notice.recipient == guardian and "第 2 期" in notice.title
    assert notice.link == f"/policies/applications/{offer.pk}/"


def test_paying_an_instalment_counts_it_on_the_same_policy_and_credits_the_insurer(guardian, life, sandbox_pay):
    due = _due_in(life, 10)
    services.policies_offer_instalments()
    offer = _instalment(life)
    first_premium = insurer_balance(TERM_LIFE)
    order = pay(guardian, offer, sandbox_pay)
    assert order.amount_fen == life.premium_fen and order.status == PaymentOrder.Status.PAID
    assert offer.status == Status.PAID
    life.refresh_from_db()
    assert life.premiums_paid == 2 and life.status == "active"
    assert Policy.objects.filter(insured=life.insured).count() == 1  # no new policy
    assert insurer_balance(TERM_LIFE) == first_premium + life.premium_fen
    assert reconcile() == []
    assert services.next_premium_on(life) == add_years(due, 1)
    assert Notification.objects.filter(kind="policies.instalment_paid").count() == 1
    # the next year's offer comes when that one is due, not before
    assert services.policies_offer_instalments() == 0
    _due_in(life, 20)
    assert services.policies_offer_instalments() == 1
    assert _instalment(life, 3).premium_fen == life.premium_fen


def test_a_duplicate_notification_of_an_instalment_counts_it_once(guardian, life, sandbox_pay):
    _due_in(life, 10)
    services.policies_offer_instalments()
    order = pay(guardian, _instalment(life), sandbox_pay)
    services.premium_on_paid(order)
    life.refresh_from_db()
    assert life.premiums_paid == 2


def test_the_wallet_shows_the_next_premium_date_and_amount(guardian, life, sandbox_pay):
    due = _due_in(life, 10)
    [member] = [m for m in selectors.wallet(user=guardian).members if m.id == life.insured_id]
    [item] = member.platform
    assert (item.next_renewal_on, item.next_premium_fen) == (due, life.premium_fen)
    services.policies_offer_instalments()
    pay(guardian, _instalment(life), sandbox_pay)
    [member] = [m for m in selectors.wallet(user=guardian).members if m.id == life.insured_id]
    assert member.platform[0].next_renewal_on == add_years(due, 1)


def test_an_unpaid_instalment_lapses_the_policy_after_the_60_day_grace_period(guardian, life):
    _due_in(life, 10)
    services.policies_offer_instalments()
    offer = _instalment(life)
    _due_in(life, -60)  # today is the 60th day after the due date: still covered
    assert services.policies_lapse_unpaid() == 0
    life.refresh_from_db()
    assert life.status == "active"
    _due_in(life, -61)
    assert services.policies_lapse_unpaid() == 1
    assert services.policies_lapse_unpaid() == 0
    life.refresh_from_db()
    offer.refresh_from_db()
    assert (life.status, offer.status) == ("lapsed", Status.WITHDRAWN)
    notice = Notification.objects.get(kind="policies.lapsed")
    assert notice.recipient == guardian and "宽限期" in notice.body
    assert services.policies_offer_instalments() == 0
    assert services.next_premium_on(life) is not None  # the premium stays unpaid; the wallet shows lapsed
    [member] = [m for m in selectors.wallet(user=guardian).members if m.id == life.insured_id]
    assert member.platform[0].next_premium_fen is None


def test_a_policy_is_not_lapsed_while_its_instalment_is_being_paid(guardian, life, sandbox_pay):
    _due_in(life, 10)
    services.policies_offer_instalments()
    offer = _instalment(life)
    order = services.application_pay(actor=guardian, application=offer)
    _due_in(life, -61)
    assert services.policies_lapse_unpaid() == 0
    sandbox_pay(order)
    life.refresh_from_db()
    assert (life.status, life.premiums_paid) == ("active", 2)


def test_an_instalment_order_that_expired_does_not_hold_off_the_lapse(guardian, life):
    _due_in(life, 10)
    services.policies_offer_instalments()
    offer = _instalment(life)
    services.application_pay(actor=guardian, application=offer)
    payment_orders_expire(now=timezone.now() + dt.timedelta(hours=1))
    _due_in(life, -61)
    assert services.policies_lapse_unpaid() == 1
    life.refresh_from_db()
    offer.refresh_from_db()
    assert (life.status, offer.status) == ("lapsed", Status.WITHDRAWN)


def test_an_instalment_cannot_be_paid_after_the_grace_period(guardian, life):
    _due_in(life, 10)
    services.policies_offer_instalments()
    _due_in(life, -61)
    with pytest.raises(Conflict) as exc:
        services.application_pay(actor=guardian, application=_instalment(life))
    assert exc.value.code == "grace_period_over"


def test_an_instalment_paid_for_a_policy_that_lapsed_meanwhile_is_refunded(guardian, life, sandbox_pay):
    _due_in(life, 10)
    services.policies_offer_instalments()
    offer = _instalment(life)
    order = services.application_pay(actor=guardian, application=offer)
    Policy.objects.filter(pk=life.pk).update(status="lapsed")
    before = insurer_balance(TERM_LIFE)
    sandbox_pay(order)
    offer.refresh_from_db()
    assert offer.status == Status.REFUNDED
    assert PaymentRefund.objects.get(order=order).amount_fen == order.amount_fen
    assert insurer_balance(TERM_LIFE) == before
    life.refresh_from_db()
    assert life.premiums_paid == 1


def test_after_the_last_instalment_nothing_is_offered_nor_lapsed(guardian, life):
    Policy.objects.filter(pk=life.pk).update(
        premiums_paid=20, effective_at=local_midnight(add_years(timezone.localdate(), -20))
    )
    life.refresh_from_db()
    assert services.next_premium_on(life) is None
    assert services.policies_offer_instalments() == 0
    assert services.policies_lapse_unpaid() == 0
    life.refresh_from_db()
    assert life.status == "active"
    [member] = [m for m in selectors.wallet(user=guardian).members if m.id == life.insured_id]
    assert (member.platform[0].next_renewal_on, member.platform[0].next_premium_fen) == (None, None)


def test_the_last_instalment_is_offered_and_then_none(guardian, life, sandbox_pay):
    Policy.objects.filter(pk=life.pk).update(premiums_paid=19)
    _due_in(life, 5)
    assert services.policies_offer_instalments() == 1
    pay(guardian, _instalment(life, 20), sandbox_pay)
    life.refresh_from_db()
    assert life.premiums_paid == 20
    assert "全部缴清" in Notification.objects.get(kind="policies.instalment_paid").body
    assert services.policies_offer_instalments(today=timezone.localdate() + dt.timedelta(days=400)) == 0


def test_an_instalment_cannot_be_answered_nor_withdrawn(guardian, guardian_member, life):
    _due_in(life, 10)
    services.policies_offer_instalments()
    offer = _instalment(life)
    with pytest.raises(Conflict) as exc:
        services.application_withdraw(actor=guardian, application=offer)
    assert exc.value.code == "instalment_not_withdrawable"
    with pytest.raises(Conflict):
        services.application_answer(
            actor=guardian, application=offer, member=guardian_member, conditions=conditions_parsed([]), consent=True
        )


def test_a_one_year_policy_has_no_instalments(guardian, guardian_member, grandparent, sandbox_pay):
    [policy] = buy(guardian, sandbox_pay, code="med_11", policyholder=guardian_member, insured=[grandparent])
    assert services.next_premium_on(policy) is None
    assert services.policies_offer_instalments(today=timezone.localdate() + dt.timedelta(days=340)) == 0


def test_the_command_and_the_celery_task_offer_instalments(life):
    _due_in(life, 10)
    out = StringIO()
    call_command("policies", "jobs", stdout=out)
    assert "instalment_offers=1" in out.getvalue()
    from kincare.policies import tasks

    assert tasks.policies_offer_instalments_task.delay().get() == 0
    assert _instalment(life).status == Status.READY
