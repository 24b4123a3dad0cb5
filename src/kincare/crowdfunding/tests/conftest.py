"""Crowdfunding fixtures: the policies fixtures (personas, catalog, sandbox) plus reviewers and
a campaign builder that goes through the real services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kincare.accounts.services import staff_user_create
from kincare.core.payments.tests.conftest import deliver, sandbox_pay  # noqa: F401
from kincare.crowdfunding.form_schemas import campaign_input
from kincare.policies.tests.fixtures import *  # noqa: F403
from kincare.policies.tests.fixtures import _catalog_and_rules_committed  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + f"% {uuid.uuid4().hex}\n".encode(), content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG + uuid.uuid4().bytes, content_type="image/png")


def campaign_data(**overrides: Any) -> dict[str, Any]:
    """A leukaemia campaign for a child: 500,000 yuan of treatment, goal 300,000 yuan."""
    data: dict[str, Any] = {
        "title": "救救我的孩子小明",
        "story": "孩子今年八岁，被确诊为急性淋巴细胞白血病，需要化疗和骨髓移植，家里已经花光积蓄。",
        "relationship": "parent",
        "hospital_code": "BJ001",
        "department": "血液科",
        "doctor": "李医生",
        "icd10": "C91.0",
        "diagnosed_on": (dt.date.today() - dt.timedelta(days=20)).isoformat(),
        "estimated_cost_fen": 50_000_000,
        "finances": {
            "houses": [{"value_fen": 150_000_000, "only_home": True}],
            "cars": [],
            "financial_assets_fen": 2_000_000,
            "annual_income_fen": 12_000_000,
            "debts_fen": 0,
        },
        "social_insurance": "urban_rural_resident",
        "declared_insurance": [],
        "other_aid": [],
        "goal_fen": 30_000_000,
        "days": 30,
    }
    data.update(overrides)
    return data


@pytest.fixture
def reviewer(db: None) -> Any:
    return staff_user_create(
        phone="13900008821", password="Reviewer-2026!", role="campaign_reviewer", display_name="审核员甲"
    )


@pytest.fixture
def make_campaign(guardian: Any, child: Any) -> Any:
    """A submitted campaign for the guardian's child (documents attached)."""
    from django.utils import timezone

    from kincare.accounts.models import User
    from kincare.crowdfunding import services

    # an account of a year: the engine flags fundraisers whose account is days old
    User.objects.filter(pk=guardian.pk).update(date_joined=timezone.now() - dt.timedelta(days=365))
    guardian.refresh_from_db()

    def build(*, submit: bool = True, **overrides: Any) -> Any:
        data = campaign_data(patient_member_id=child.pk, **overrides)
        campaign = services.campaign_create(actor=guardian, data=campaign_input(data))
        services.campaign_documents_add(
            actor=guardian,
            campaign=campaign,
            documents=[("diagnosis", pdf()), ("cost_estimate", pdf()), ("photo", png())],
        )
        if submit:
            campaign = services.campaign_submit(actor=guardian, campaign=campaign)
        return campaign

    return build


@pytest.fixture
def live_campaign(make_campaign: Any, reviewer: Any) -> Any:
    from kincare.crowdfunding import services

    return services.campaign_approve(actor=reviewer, campaign=make_campaign())
