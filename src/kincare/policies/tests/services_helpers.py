"""Helpers of the policies service tests: products by role, buying through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kincare.catalog.models import Product
from kincare.core.ledger.models import Account
from kincare.core.ledger.selectors import account_balance
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import clearing_account_code
from kincare.families.models import Member
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import insurer_premiums_code, local_midnight
from kincare.underwriting.form_schemas import conditions_parsed

#: medical, questionnaire ``medical_chronic`` (三高可投), issue age ≤ 70, guaranteed renewal 6 years
CHRONIC = "med_11"
#: medical, ``medical_chronic``, yearly renewal (not guaranteed), issue age ≤ 70
CHRONIC_YEARLY = "med_12"
#: medical, ``medical_standard``, issue age ≤ 65
STANDARD_MEDICAL = "med_01"
#: accident for children (28 days–17), 500,000 yuan death cover capped for minors by its terms
CHILD_ACCIDENT_CAPPED = "acc_05"
#: accident for children, 200,000 yuan death cover
CHILD_ACCIDENT = "acc_06"
#: accident for adults 18–65, no questionnaire
ADULT_ACCIDENT = "acc_01"
#: term life to 60, ``life_standard``, 18–50, paid over 20 or 30 years
TERM_LIFE = "life_01"


def product(code: str) -> Product:
    return Product.objects.get(code=code, is_current=True)


def hypertension(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "hypertension",
        "attributes": {"grade": 1, "controlled": True, "years": 5, "complications": False, **overrides},
    }


def diabetes(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "diabetes",
        "attributes": {"type": 2, "hba1c": 7.0, "complications": False, "insulin": False, **overrides},
    }


def hepatitis_b_carrier() -> dict[str, Any]:
    return {
        "code": "hepatitis_b",
        "attributes": {
            "status": "carrier",
            "liver_function_normal": True,
            "hbv_dna_positive": False,
            "cirrhosis": False,
        },
    }


def apply(
    actor: Any,
    *,
    code: str,
    policyholder: Member,
    insured: list[Member],
    plan: str | None = None,
    answers: dict[int, list[dict[str, Any]]] | None = None,
    payment_years: int | None = None,
) -> Application:
    """Create an application and answer every insured member's questionnaire (no conditions unless given)."""
    chosen = product(code)
    application = services.application_create(
        actor=actor,
        product=chosen,
        plan_code=plan or chosen.plans.order_by("position").first().code,
        policyholder=policyholder,
        insured=insured,
        payment_years=payment_years,
    )
    if chosen.questionnaire_code:
        for member in insured:
            services.application_answer(
                actor=actor,
                application=application,
                member=member,
                conditions=conditions_parsed((answers or {}).get(member.pk, [])),
                consent=True,
            )
    application.refresh_from_db()
    return application


def pay(actor: Any, application: Application, sandbox_pay: Callable[..., Any], **kwargs: Any) -> PaymentOrder:
    """Open the order and pay it in the sandbox (the notification is delivered)."""
    order = services.application_pay(actor=actor, application=application)
    sandbox_pay(order, **kwargs)
    order.refresh_from_db()
    application.refresh_from_db()
    return order


def buy(actor: Any, sandbox_pay: Callable[..., Any], **kwargs: Any) -> list[Policy]:
    application = apply(actor, **kwargs)
    assert application.status == Application.Status.READY, application.status
    pay(actor, application, sandbox_pay)
    assert application.status == Application.Status.ISSUED
    return list(application.policies.filter(status=Policy.Status.ACTIVE).order_by("id"))


def insurer_balance(code: str) -> int:
    account_code = insurer_premiums_code(product(code).insurer)
    return account_balance(account_code) if Account.objects.filter(code=account_code).exists() else 0


def clearing_balance() -> int:
    code = clearing_account_code("sandbox")
    return account_balance(code) if Account.objects.filter(code=code).exists() else 0


def tomorrow_midnight() -> dt.datetime:
    return local_midnight(timezone.localdate() + dt.timedelta(days=1))
