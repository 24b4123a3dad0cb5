"""Helpers of the claims service tests: back-dated policies bought through the real services, the
spec's example claim submitted through ``claim_submit``, uploads."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kincare.claims import services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim
from kincare.families.models import Member
from kincare.policies.models import Policy
from kincare.policies.services.common import local_midnight
from kincare.policies.tests.services_helpers import STANDARD_MEDICAL, buy

TODAY = timezone.localdate()
#: the spec's example stay: inside the back-dated policy year, long after the waiting period
SERVICE_START = TODAY - dt.timedelta(days=20)
SERVICE_END = TODAY - dt.timedelta(days=11)
#: a level-3 public hospital, not on the watch list
HOSPITAL = "BJ001"
PRIVATE_HOSPITAL = "BJ006"
LEVEL_1_HOSPITAL = "BJ007"
WATCHLIST_HOSPITAL = "GZ004"
CRITICAL_ILLNESS = "ci_01"
ACCIDENT = "acc_01"
#: family-shared deductible (annual_family)
FAMILY_DEDUCTIBLE = "med_07"

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def backdate(
    policy: Policy, *, effective_days_ago: int = 200, first_effective_days_ago: int = 400, years: int = 1
) -> Policy:
    start = TODAY - dt.timedelta(days=effective_days_ago)
    Policy.objects.filter(pk=policy.pk).update(
        effective_at=local_midnight(start),
        first_effective_on=TODAY - dt.timedelta(days=first_effective_days_ago),
        ends_at=local_midnight(start + dt.timedelta(days=365 * years)),
    )
    policy.refresh_from_db()
    return policy


def issued_policy(
    actor: Any,
    sandbox_pay: Callable[..., Any],
    *,
    policyholder: Member,
    insured: Member,
    code: str = STANDARD_MEDICAL,
    plan: str | None = "standard",
    answers: dict[int, list[dict[str, Any]]] | None = None,
    **dates: int,
) -> Policy:
    """A policy bought through the real services, back-dated (default: in force for 200 days, first
    effective 400 days ago). med_01 standard: deductible 10,000 yuan, 100% / 60%."""
    [policy] = buy(
        actor, sandbox_pay, code=code, plan=plan, policyholder=policyholder, insured=[insured], answers=answers
    )
    return backdate(policy, **dates)


def example(**overrides: Any) -> dict[str, Any]:
    """The spec's main example: 25,000 yuan of drugs, 300 yuan non-medical, 12,000 yuan from social insurance."""
    return {
        "claim_type": "inpatient",
        "service_start": SERVICE_START,
        "service_end": SERVICE_END,
        "hospital_code": HOSPITAL,
        "diagnoses": ["K35.8"],
        "items": [{"category": "drug", "amount_fen": 2_500_000}, {"category": "non_medical", "amount_fen": 30_000}],
        "social_insurance_used": True,
        "social_insurance_paid_fen": 1_200_000,
        "other_insurance_paid_fen": 0,
        **overrides,
    }


def submit(actor: Any, policy: Policy, member: Member | None = None, **overrides: Any) -> Claim:
    """``claim_submit`` with the spec's example and, unless ``documents`` says otherwise, an invoice of
    its own (without any document a payout waits for an adjuster)."""
    documents = overrides.pop("documents", [("invoice", upload(unique_pdf()))])
    # parsed at the edge first (as the API, the page and FHIR do); the service takes the draft
    draft = claim_draft(**example(**overrides))
    claim = services.claim_submit(
        actor=actor, policy=policy, member=member or policy.insured, draft=draft, documents=documents
    )
    claim.refresh_from_db()
    return claim


def unique_pdf() -> bytes:
    """A PDF no other claim has (the same bytes twice raise the duplicate-document flag)."""
    return PDF + f"% {uuid.uuid4().hex}\n".encode()


def upload(content: bytes = PDF, name: str = "invoice.pdf", content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)
