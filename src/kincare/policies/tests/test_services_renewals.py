"""Renewal reminders and offers, lapse and expiry: idempotent jobs (Celery beat and the CLI)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kincare.core.dates import age_on
from kincare.core.models import Notification
from kincare.core.payments.services import payment_orders_expire
from kincare.families import services as family_services
from kincare.families.tests import factories
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import add_years, local_date, local_midnight
from kincare.policies.tests.services_helpers import (
    CHRONIC,
    CHRONIC_YEARLY,
    buy,
    hepatitis_b_carrier,
    hypertension,
    pay,
    product,
)
from kincare.underwriting.form_schemas import ManualTerms
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.services import underwriting_manual_decide

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status


def _ending_in(policy: Policy, days: int) -> Policy:
    """The policy now ends at 00:00 ``days`` days from today (its year almost over)."""
    ends_at = local_midnight(timezone.localdate() + dt.timedelta(days=days))
    Policy.objects.filter(pk=policy.pk).update(ends_at=ends_at)
    policy.refresh_from_db()
    return policy


@pytest.fixture
def grandparents_policy(guardian, guardian_member, grandparent, sandbox_pay) -> Policy:
    """med_11 (guaranteed renewal) with a hepatitis-B exclusion, 10 days before its end."""
    [policy] = buy(
        guardian,
        sandbox_pay,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[grandparent],
        answers={grandparent.pk: [hepatitis_b_carrier()]},
    )
    assert policy.exclusions
    return _ending_in(policy, 10)


def test_a_reminder_goes_out_once_30_days_before_the_end(guardian, grandparents_policy):
    _ending_in(grandparents_policy, 31)
    assert services.policies_send_renewal_reminders() == 0
    _ending_in(grandparents_policy, 30)
    assert services.policies_send_renewal_reminders() == 1
    assert services.policies_send_renewal_reminders() == 0
    notice = Notification.objects.get(kind="policies.renewal_reminder")
    assert notice.recipient == guardian and "保证续保" in notice.body
    grandparents_policy.refresh_from_db()
    assert grandparents_policy.renewal_reminded_at is not None


def test_a_guaranteed_renewal_keeps_the_terms_and_the_first_effective_date(
    guardian, grandparent, grandparents_policy, sandbox_pay
):
    old = grandparents_policy
    assert product(CHRONIC).renewal_kind == "guaranteed"
    assert services.policies_offer_renewals() == 1
    assert services.policies_offer_renewals() == 0  # idempotent
    offer = Application.objects.get(renewal_of=old)
    assert offer.status == Status.READY
    row = offer.insured.get()
    assert (row.member, row.loading_pct, row.decision) == (grandparent, old.loading_pct, old.decision)
    new_age = age_on(grandparent.birth_date, local_date(old.ends_at))
    band = product(CHRONIC).premium_rows.get(
        plan__code="standard", sex="M", social_insurance=True, age_min__lte=new_age, age_max__gte=new_age
    )
    assert row.base_premium_fen == band.annual_premium_fen
    assert Notification.objects.filter(kind="policies.renewal_offer", recipient=guardian).count() == 1

    pay(guardian, offer, sandbox_pay)

    renewal = offer.policies.get()
    assert renewal.status == Policy.Status.ACTIVE and renewal.number != old.number
    assert renewal.renewal_of == old
    assert renewal.effective_at == old.ends_at  # not tomorrow: continuous cover
    assert renewal.ends_at == local_midnight(add_years(local_date(old.ends_at), 1))
    assert renewal.first_effective_on == old.first_effective_on  # no new waiting period
    assert renewal.exclusions == old.exclusions
    # the old one expires at its end; the renewal carries on
    assert services.policies_expire_due(now=old.ends_at - dt.timedelta(seconds=1)) == 0
    assert services.policies_expire_due(now=old.ends_at) == 1
    old.refresh_from_db()
    renewal.refresh_from_db()
    assert (old.status, renewal.status) == (Policy.Status.EXPIRED, Policy.Status.ACTIVE)
    assert services.policies_expire_due(now=old.ends_at) == 0
    # a renewed policy is not reminded of nor offered again
    assert services.policies_send_renewal_reminders() == 0


def test_an_unpaid_renewal_attempt_lapses_and_can_be_paid_again(guardian, grandparents_policy, sandbox_pay):
    services.policies_offer_renewals()
    offer = Application.objects.get(renewal_of=grandparents_policy)
    first = services.application_pay(actor=guardian, application=offer)
    payment_orders_expire(now=timezone.now() + dt.timedelta(hours=1))
    assert services.policies_lapse_unpaid() == 1
    second = pay(guardian, offer, sandbox_pay)
    assert second.pk != first.pk and offer.status == Status.ISSUED
    renewal = offer.policies.get(status=Policy.Status.ACTIVE)
    assert renewal.renewal_of == grandparents_policy
    assert offer.policies.get(status=Policy.Status.LAPSED).renewal_of is None


def test_the_renewal_premium_is_requoted_at_the_new_age(guardian, family, guardian_member, sandbox_pay):
    # 60 today, 61 at the renewal: the next age band
    member = factories.member_add(
        family,
        name="王大伯",
        birth_date=add_years(timezone.localdate() + dt.timedelta(days=5), -61),
        relationship="other",
        social_insurance="urban_employee",
    )
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[member])
    _ending_in(policy, 5)
    services.policies_offer_renewals()
    offer = Application.objects.get(renewal_of=policy)
    band = product(CHRONIC).premium_rows.get(
        plan__code="standard", sex="M", social_insurance=True, age_min__lte=61, age_max__gte=61
    )
    assert offer.insured.get().base_premium_fen == band.annual_premium_fen


def test_a_cooling_off_cancellation_does_not_apply_to_a_renewal(guardian, grandparents_policy, sandbox_pay):
    services.policies_offer_renewals()
    offer = Application.objects.get(renewal_of=grandparents_policy)
    pay(guardian, offer, sandbox_pay)
    assert services.cooling_off_last_day(offer.policies.get()) is None


@pytest.fixture
def guardian_yearly(guardian, guardian_member, sandbox_pay) -> Policy:
    """med_12 (yearly renewal, not guaranteed) for the guardian, 10 days before its end."""
    assert product(CHRONIC_YEARLY).renewal_kind == "yearly"
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC_YEARLY, policyholder=guardian_member, insured=[guardian_member])
    return _ending_in(policy, 10)


def _declare(guardian, member, condition):
    family_services.consent_give(actor=guardian, member=member)
    family_services.declaration_add(
        actor=guardian, member=member, code=condition["code"], attributes=condition["attributes"]
    )


def test_a_non_guaranteed_renewal_is_underwritten_again_on_the_declarations(guardian, guardian_member, guardian_yearly):
    _declare(guardian, guardian_member, hypertension())
    before = UnderwritingDecision.objects.count()
    assert services.policies_offer_renewals() == 1
    offer = Application.objects.get(renewal_of=guardian_yearly)
    assert offer.status == Status.READY
    decision = offer.insured.get().decision
    assert UnderwritingDecision.objects.count() == before + 1
    assert decision.answers["conditions"][0]["code"] == "hypertension"
    assert decision.created_by == guardian


def test_a_non_guaranteed_renewal_declined_on_underwriting_is_not_renewed(guardian, guardian_member, guardian_yearly):
    _declare(guardian, guardian_member, hypertension(complications=True))
    services.policies_offer_renewals()
    offer = Application.objects.get(renewal_of=guardian_yearly)
    assert offer.status == Status.DECLINED
    notice = Notification.objects.get(kind="policies.renewal_unavailable")
    assert notice.recipient == guardian and "无法自动续保" in notice.title
    assert services.policies_offer_renewals() == 0
    assert Application.objects.filter(renewal_of=guardian_yearly).count() == 1


def test_a_referred_renewal_waits_for_the_underwriter(guardian, guardian_member, guardian_yearly, underwriter):
    _declare(guardian, guardian_member, {"code": "hypertension", "attributes": factories.hypertension(grade=3)})
    services.policies_offer_renewals()
    offer = Application.objects.get(renewal_of=guardian_yearly)
    assert offer.status == Status.MANUAL_REVIEW
    underwriting_manual_decide(
        actor=underwriter,
        decision=offer.insured.get().decision,
        terms=ManualTerms(outcome="standard", note="复查血压正常"),
    )
    offer.refresh_from_db()
    assert offer.status == Status.READY
    assert Notification.objects.filter(kind="policies.renewal_offer").count() == 1


def test_without_consent_a_non_guaranteed_renewal_cannot_be_underwritten(guardian, guardian_yearly):
    assert services.policies_offer_renewals() == 0
    assert not Application.objects.filter(renewal_of=guardian_yearly).exists()
    assert Notification.objects.filter(kind="policies.renewal_unavailable").count() == 1
    assert services.policies_offer_renewals() == 0


def test_after_the_guaranteed_years_a_renewal_is_underwritten_again(guardian, grandparents_policy):
    years = product(CHRONIC).guaranteed_years
    Policy.objects.filter(pk=grandparents_policy.pk).update(
        first_effective_on=add_years(local_date(grandparents_policy.ends_at), -years)
    )
    services.policies_offer_renewals()
    # the grandparent's health data cannot be read (no consent on file): not renewed automatically
    assert not Application.objects.filter(renewal_of=grandparents_policy).exists()
    assert Notification.objects.filter(kind="policies.renewal_unavailable").exists()


def test_a_renewal_offer_nobody_paid_is_withdrawn_when_the_policy_expires(grandparents_policy):
    services.policies_offer_renewals()
    assert services.policies_expire_due(now=grandparents_policy.ends_at) == 1
    offer = Application.objects.get(renewal_of=grandparents_policy)
    assert offer.status == Status.WITHDRAWN


def test_the_command_runs_every_job_as_of_a_day(grandparents_policy):
    out = StringIO()
    ends_on = local_date(grandparents_policy.ends_at)
    call_command("policies", "jobs", "--today", ends_on.isoformat(), stdout=out)
    assert "expired=1" in out.getvalue()
    grandparents_policy.refresh_from_db()
    assert grandparents_policy.status == Policy.Status.EXPIRED
    out = StringIO()
    call_command("policies", "jobs", "--today", ends_on.isoformat(), stdout=out)
    assert out.getvalue().strip() == "expired=0 lapsed=0 reminders=0 renewal_offers=0 instalment_offers=0"


def test_the_celery_tasks_run_the_jobs(grandparents_policy):
    from kincare.policies import tasks

    assert tasks.policies_send_renewal_reminders_task.delay().get() == 1
    assert tasks.policies_offer_renewals_task.delay().get() == 1
    assert tasks.policies_lapse_unpaid_task.delay().get() == 0
    assert tasks.policies_expire_due_task.delay().get() == 0
