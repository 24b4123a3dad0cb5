"""Helpers of the claims page tests: a back-dated medical policy and the spec's main example."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kincare.families.models import Member
from kincare.policies.models import Policy
from kincare.policies.services.common import local_midnight
from kincare.policies.tests.services_helpers import buy

#: 安康e生保2026: medical, 10,000 yuan annual deductible (plan "standard"), 100% with social insurance,
#: level-2+ public hospitals, 30-day waiting period
MEDICAL = "med_01"
MEDICAL_PLAN = "standard"
#: 北京安和医院: level 3, public
HOSPITAL = "BJ001"
#: days ago the back-dated policy started (far past the waiting period and the early-claim window)
STARTED_DAYS_AGO = 200


def back_date(policy: Policy, *, days: int = STARTED_DAYS_AGO) -> Policy:
    """Move a freshly issued policy's start ``days`` into the past (its year still running)."""
    start = timezone.localdate() - dt.timedelta(days=days)
    Policy.objects.filter(pk=policy.pk).update(
        effective_at=local_midnight(start),
        first_effective_on=start,
        ends_at=local_midnight(start + dt.timedelta(days=365)),
    )
    policy.refresh_from_db()
    return policy


def medical_policy(
    actor: Any,
    sandbox_pay: Callable[..., Any],
    *,
    policyholder: Member,
    insured: Member,
    code: str = MEDICAL,
    plan: str = MEDICAL_PLAN,
) -> Policy:
    """A medical policy bought through the services, then back-dated past its waiting period."""
    [policy] = buy(actor, sandbox_pay, code=code, plan=plan, policyholder=policyholder, insured=[insured])
    return back_date(policy)


def service_day(days_ago: int = 20) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def main_example(**overrides: Any) -> dict[str, Any]:
    """The spec's main example as the form posts it: appendicitis, drug 25,000 + non-medical 300
    yuan, social insurance paid 12,000 (→ payout 3,000.00 yuan with a 10,000 deductible)."""
    start = service_day(20)
    data: dict[str, Any] = {
        "claim_type": "inpatient",
        "service_start": start.isoformat(),
        "service_end": (start + dt.timedelta(days=9)).isoformat(),
        "hospital_code": HOSPITAL,
        "diagnoses": ["K35.8"],
        "item_category": ["drug", "non_medical"],
        "item_amount": ["25000", "300"],
        "social_insurance_used": "on",
        "social_insurance_paid": "12000",
        "other_insurance_paid": "",
        "invoice_numbers": "",
    }
    data.update(overrides)
    return data


def body(response: Any) -> str:
    return response.content.decode()
