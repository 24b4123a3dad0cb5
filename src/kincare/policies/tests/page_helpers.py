"""Helpers of the policies page tests: clients per persona and purchases through the services."""

from __future__ import annotations

from typing import Any

from kincare.core.payments.sandbox import sandbox_transaction_pay
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.tests.fixtures import client_for as client_for
from kincare.policies.tests.fixtures import product
from kincare.underwriting.form_schemas import conditions_parsed

#: a medical product with the medical_chronic questionnaire that takes a 66-year-old
CHRONIC_PRODUCT, CHRONIC_PLAN = "med_11", "standard"
#: a term-life product (beneficiaries), several payment terms
LIFE_PRODUCT, LIFE_PLAN, LIFE_YEARS = "life_01", "si_500k", 20


def body(response: Any) -> str:
    return response.content.decode()


def no_answers(questions: list[str], **yes: str) -> dict[str, str]:
    """POST data answering 否 to every question except those given."""
    data = {f"q_{code}": "no" for code in questions}
    data.update({f"q_{code}": value for code, value in yes.items()})
    return data


def application_for(
    actor: Any,
    policyholder: Any,
    insured: list[Any],
    *,
    code: str = CHRONIC_PRODUCT,
    plan: str = CHRONIC_PLAN,
    payment_years: int | None = None,
) -> Application:
    return services.application_create(
        actor=actor,
        product=product(code),
        plan_code=plan,
        policyholder=policyholder,
        insured=insured,
        payment_years=payment_years,
    )


def issue(actor: Any, application: Application, capture: Any) -> list[Policy]:
    """Answer 'no conditions' for every insured still unanswered, pay and deliver the notification."""
    for row in application.insured.all():
        if row.decision_id is None and application.product.questionnaire_code:
            services.application_answer(
                actor=actor, application=application, member=row.member, conditions=conditions_parsed([]), consent=True
            )
    application.refresh_from_db()
    order = services.application_pay(actor=actor, application=application)
    with capture(execute=True):
        sandbox_transaction_pay(provider_order_id=order.provider_order_id)
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUED
    return list(application.policies.order_by("id"))
