"""Helpers of the claims API and FHIR tests: a back-dated medical policy, the spec's example claim."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kincare.claims.tests.services_helpers import unique_pdf
from kincare.families.models import Member
from kincare.policies.models import Policy
from kincare.policies.services.common import local_midnight
from kincare.policies.tests.api_helpers import call, client_for, error, ok
from kincare.policies.tests.services_helpers import STANDARD_MEDICAL, buy

__all__ = ["API", "FHIR", "call", "client_for", "error", "ok"]

API = "/api/v1/claims"
FHIR = "/api/v1/fhir"
TODAY = timezone.localdate()
#: the spec's example stay, well inside the back-dated policy year and long after the waiting period
SERVICE_START = TODAY - dt.timedelta(days=20)
SERVICE_END = TODAY - dt.timedelta(days=11)
#: a level-3 public hospital that is not on the watch list
HOSPITAL = "BJ001"


def medical_policy(actor: Any, sandbox_pay: Callable[..., Any], *, policyholder: Member, insured: Member) -> Policy:
    """med_01 (免赔额 10,000 元, 100% with social insurance, 60% without), standard plan, bought through the
    real services and back-dated: in force for 200 days, first effective 400 days ago."""
    [policy] = buy(
        actor, sandbox_pay, code=STANDARD_MEDICAL, plan="standard", policyholder=policyholder, insured=[insured]
    )
    start = TODAY - dt.timedelta(days=200)
    Policy.objects.filter(pk=policy.pk).update(
        effective_at=local_midnight(start),
        first_effective_on=TODAY - dt.timedelta(days=400),
        ends_at=local_midnight(start + dt.timedelta(days=365)),
    )
    policy.refresh_from_db()
    return policy


def example_body(policy: Policy, member: Member, **overrides: Any) -> dict[str, Any]:
    """The spec's main example: 25,000 yuan of drugs, 300 yuan non-medical, 12,000 yuan paid by social insurance."""
    return {
        "policy_id": policy.pk,
        "member_id": member.pk,
        "claim_type": "inpatient",
        "service_start": SERVICE_START.isoformat(),
        "service_end": SERVICE_END.isoformat(),
        "hospital_code": HOSPITAL,
        "diagnoses": ["K35.8"],
        "items": [{"category": "drug", "amount_fen": 2_500_000}, {"category": "non_medical", "amount_fen": 30_000}],
        "social_insurance_used": True,
        "social_insurance_paid_fen": 1_200_000,
        "other_insurance_paid_fen": 0,
        **overrides,
    }


def submit(client: Any, policy: Policy, member: Member, **overrides: Any) -> dict[str, Any]:
    """The spec's example through ``POST /with-documents`` with an invoice of its own (a claim without any
    document is not paid without an adjuster); ``submit_json`` posts the JSON alone."""
    body = json.dumps(example_body(policy, member, **overrides))
    invoice = SimpleUploadedFile("invoice.pdf", unique_pdf(), content_type="application/pdf")
    return ok(client.post(f"{API}/with-documents", {"payload": body, "doc_invoice": [invoice]}), 201)


def submit_json(client: Any, policy: Policy, member: Member, **overrides: Any) -> dict[str, Any]:
    return ok(call(client, "post", f"{API}/", example_body(policy, member, **overrides)), 201)
