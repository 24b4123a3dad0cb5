"""Ways out of an application: declined withdraws the other referred cases, the policyholder
withdraws one not issued, and an application whose order expired can be answered again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, NotFound, PermissionDenied
from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_orders_expire
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.tests.services_helpers import CHRONIC, apply, pay, product
from kincare.underwriting.form_schemas import conditions_parsed
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.selectors import decision_queue

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status
KIDNEY_STONES = {"code": "other", "attributes": {"description": "肾结石"}}
CANCER = {"code": "cancer_history", "attributes": {"years_since_treatment": 0}}


@pytest.fixture
def two_insured(guardian, guardian_member, grandparent, child) -> Application:
    return services.application_create(
        actor=guardian,
        product=product(CHRONIC),
        plan_code="standard",
        policyholder=guardian_member,
        insured=[grandparent, child],
    )


def _answer(guardian, application, member, conditions):
    return services.application_answer(
        actor=guardian, application=application, member=member, conditions=conditions_parsed(conditions), consent=True
    )


# -- declined ----------------------------------------------------------------------------------


def test_a_declined_application_takes_its_other_referred_case_out_of_the_queue(
    guardian, two_insured, grandparent, child
):
    referred = _answer(guardian, two_insured, grandparent, [KIDNEY_STONES])
    assert referred.status == UnderwritingDecision.Status.PENDING
    assert decision_queue().filter(pk=referred.pk).exists()
    declined = _answer(guardian, two_insured, child, [CANCER])
    assert declined.outcome == UnderwritingDecision.Outcome.DECLINE
    two_insured.refresh_from_db()
    referred.refresh_from_db()
    assert two_insured.status == Status.DECLINED
    assert referred.status == UnderwritingDecision.Status.WITHDRAWN
    assert not decision_queue().filter(pk=referred.pk).exists()


# -- withdrawn by the policyholder -------------------------------------------------------------


def test_the_policyholder_withdraws_an_application_and_its_referred_case(guardian, two_insured, grandparent):
    referred = _answer(guardian, two_insured, grandparent, [KIDNEY_STONES])
    out = services.application_withdraw(actor=guardian, application=two_insured)
    assert out.status == Status.WITHDRAWN
    referred.refresh_from_db()
    assert referred.status == UnderwritingDecision.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="application.withdrawn").exists()
    with pytest.raises(Conflict) as exc:
        services.application_withdraw(actor=guardian, application=two_insured)
    assert exc.value.code == "application_not_withdrawable"
    with pytest.raises(Conflict):
        _answer(guardian, two_insured, grandparent, [])


def test_only_the_policyholder_withdraws(guardian, adult_member, outsider, two_insured):
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=adult_member, application=two_insured)
    with pytest.raises(NotFound):
        services.application_withdraw(actor=outsider, application=two_insured)
    two_insured.refresh_from_db()
    assert two_insured.status == Status.UNDERWRITING


def test_an_application_cannot_be_withdrawn_while_its_order_is_open(guardian, guardian_member, grandparent):
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    services.application_pay(actor=guardian, application=application)
    with pytest.raises(Conflict) as exc:
        services.application_withdraw(actor=guardian, application=application)
    assert exc.value.code == "payment_in_progress"
    payment_orders_expire(now=timezone.now() + dt.timedelta(hours=1))
    out = services.application_withdraw(actor=guardian, application=application)
    assert out.status == Status.WITHDRAWN
    assert list(Policy.objects.filter(application=application).values_list("status", flat=True)) == ["lapsed"]


def test_an_issued_application_cannot_be_withdrawn(guardian, guardian_member, grandparent, sandbox_pay):
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    pay(guardian, application, sandbox_pay)
    with pytest.raises(Conflict) as exc:
        services.application_withdraw(actor=guardian, application=application)
    assert exc.value.code == "application_not_withdrawable"


# -- payment expired, then the decision expired too --------------------------------------------


def test_an_application_whose_order_and_decision_expired_can_be_answered_again_and_paid(
    guardian, guardian_member, grandparent, sandbox_pay
):
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    first = services.application_pay(actor=guardian, application=application)
    PaymentOrder.objects.filter(pk=first.pk).update(status="expired")
    assert services.policies_lapse_unpaid() == 1
    UnderwritingDecision.objects.update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Conflict) as exc:
        services.application_pay(actor=guardian, application=application)
    assert exc.value.code == "decision_expired"
    _answer(guardian, application, grandparent, [])
    application.refresh_from_db()
    assert application.status == Status.READY
    second = pay(guardian, application, sandbox_pay)
    assert second.pk != first.pk and application.status == Status.ISSUED


def test_an_application_whose_order_expired_can_be_withdrawn(guardian, guardian_member, grandparent):
    application = apply(guardian, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    order = services.application_pay(actor=guardian, application=application)
    PaymentOrder.objects.filter(pk=order.pk).update(status="expired")
    services.policies_lapse_unpaid()
    assert services.application_withdraw(actor=guardian, application=application).status == Status.WITHDRAWN
