"""Demo campaigns for ``kincare demo`` (idempotent).

刘芳 raises money for her son 刘子轩 (acute lymphoblastic leukaemia): reviewed and live, with
donations from the other demo families paid through the sandbox and a witness. A second campaign,
by 陈志强 for his wife, waits in the reviewers' queue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kincare.accounts.demo import DEMO_STAFF_PHONES
from kincare.accounts.models import User, phone_index
from kincare.core.demo import register_demo_step
from kincare.core.errors import DomainError
from kincare.core.payments.sandbox import sandbox_transaction_pay
from kincare.crowdfunding import services
from kincare.crowdfunding.form_schemas import CampaignInput, DonationInput, WitnessInput, campaign_input
from kincare.crowdfunding.models import Campaign
from kincare.families.models import Member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LIVE_TITLE = "救救我的儿子子轩：白血病化疗和骨髓移植"
QUEUED_TITLE = "帮帮我的妻子美华：乳腺癌手术与化疗"


def _user(phone: str) -> User | None:
    return User.objects.filter(phone_hash=phone_index(phone)).first()


def _document(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + f"% {uuid.uuid4().hex}\n".encode(), content_type="application/pdf")


def _data(member: Member, **overrides: object) -> CampaignInput:
    """A demo campaign, parsed as the page and the API parse one."""
    data: dict[str, object] = {
        "patient_member_id": member.pk,
        "relationship": "parent",
        "hospital_code": "BJ004",
        "department": "血液肿瘤科",
        "doctor": "赵医生",
        "icd10": "C91.0",
        "diagnosed_on": (timezone.localdate() - dt.timedelta(days=40)).isoformat(),
        "estimated_cost_fen": 60_000_000,
        "finances": {
            "houses": [{"value_fen": 180_000_000, "only_home": True}],
            "cars": [{"value_fen": 6_000_000}],
            "financial_assets_fen": 3_000_000,
            "annual_income_fen": 15_000_000,
            "debts_fen": 40_000_000,
        },
        "social_insurance": "urban_rural_resident",
        "other_aid": [{"source": "城乡居民大病保险", "amount_fen": 10_000_000}],
        "goal_fen": 35_000_000,
        "days": 30,
        "title": LIVE_TITLE,
        "story": "子轩今年七岁，确诊急性淋巴细胞白血病，已完成两轮化疗，医生建议骨髓移植。"
        "医保和大病保险报销后，家里还差三十多万元。恳请大家帮帮孩子。",
    }
    data.update(overrides)
    return campaign_input(data)


def demo_campaigns_ensure() -> list[str]:
    mother, reviewer = _user("13800002001"), _user(DEMO_STAFF_PHONES["campaign_reviewer"])
    if mother is None or reviewer is None:
        return []
    lines = []
    live = Campaign.objects.filter(title=LIVE_TITLE).first()
    if live is None:
        son = Member.objects.filter(family__guardian=mother, name="刘子轩", removed_at__isnull=True).first()
        if son is None:
            return []
        try:
            live = services.campaign_create(
                actor=mother,
                data=_data(son),
                documents=[("diagnosis", _document("诊断证明.pdf")), ("cost_estimate", _document("费用预估.pdf"))],
            )
            live = services.campaign_submit(actor=mother, campaign=live)
            live = services.campaign_approve(actor=reviewer, campaign=live, message="材料齐全，经电话核实")
            donors = (("13800001001", 50_000, "子轩加油！"), ("13800003001", 20_000, "早日康复"))
            for n, (phone, amount, message) in enumerate(donors, start=1):
                donor = _user(phone)
                if donor is None:
                    continue
                gift = DonationInput(
                    amount_fen=amount, idempotency_key=f"demo-campaign-{live.pk}-donation-{n}", message=message
                )
                donation = services.donation_start(actor=donor, campaign=live, **gift.model_dump(), anonymous=False)
                assert donation.order is not None
                sandbox_transaction_pay(provider_order_id=donation.order.provider_order_id, succeed=True)
            neighbour = _user("13800001001")
            if neighbour is not None:
                witness = WitnessInput(relationship="邻居", message="孩子确实在住院治疗")
                services.witness_add(actor=neighbour, campaign=live, **witness.model_dump())
        except DomainError as exc:
            return [f"演示筹款未能生成（{exc.code}）"]
    lines.append(f"筹款（已上线）：{live.title} → http://127.0.0.1:8000/c/{live.pk}/")
    husband = _user("13800003001")
    if husband is not None and not Campaign.objects.filter(title=QUEUED_TITLE).exists():
        wife = Member.objects.filter(family__guardian=husband, name="周美华", removed_at__isnull=True).first()
        if wife is not None:
            try:
                queued = services.campaign_create(
                    actor=husband,
                    data=_data(
                        wife,
                        relationship="spouse",
                        icd10="C50.9",
                        hospital_code="SH001",
                        department="乳腺外科",
                        social_insurance="urban_employee",
                        title=QUEUED_TITLE,
                        story="妻子确诊乳腺癌，需要手术和六个疗程的化疗，医保报销后仍有较大缺口，恳请帮助。",
                        goal_fen=20_000_000,
                        finances={},
                        other_aid=[],
                    ),
                    documents=[("diagnosis", _document("病理报告.pdf")), ("cost_estimate", _document("费用预估.pdf"))],
                )
                services.campaign_submit(actor=husband, campaign=queued)
            except DomainError as exc:
                lines.append(f"待审核筹款未能生成（{exc.code}）")
    queued_row = Campaign.objects.filter(title=QUEUED_TITLE).first()
    if queued_row is not None:
        lines.append(f"筹款（待审核）：{queued_row.title} → http://127.0.0.1:8000/admin/crowdfunding/campaign/")
    return lines


def demo_step(options: Mapping[str, Any]) -> list[str]:
    return ["大病筹款 (crowdfunding, http://127.0.0.1:8000/c/):", *(f"  {line}" for line in demo_campaigns_ensure())]


def register() -> None:
    register_demo_step("crowdfunding", demo_step, order=70)
