"""API schemas of claims: submission, the claim with its explanation of benefits, reference searches.

Money is **integer fen** everywhere (1 yuan = 100 fen). Amount fields refuse anything but a
non-negative JSON integer with a stable code (``amount_type`` for floats, strings and booleans,
``amount_negative``, ``amount_zero`` for an invoice line of nothing, ``amount_too_large`` above
``core.money.MAX_AMOUNT_FEN``, 10^13 fen): the policies API's ``check_fen``. Ids are positive JSON
integers. Dates are ISO
``YYYY-MM-DD`` strings (a number is not a date: ``date_invalid``).

What a viewer sees of a claim is decided by ``claims.selectors.claim_get`` (another adult
without a health grant gets 404). Risk flags are shown to adjusters only, never in this API.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, ValidationInfo, field_validator, model_validator

from kincare.claims import reference
from kincare.claims.engine import ITEM_CATEGORIES
from kincare.claims.models import Claim, ClaimDocument, ClaimType
from kincare.claims.presentation import (
    NOT_COVERED_CATEGORIES,
    explained_line,
    item_category_label,
    member_lines,
    reason_sentence,
)
from kincare.core.errors import ValidationFailed
from kincare.core.text import NoControl, refuse_control_characters
from kincare.policies.schemas import FEN_DESCRIPTION, check_fen

#: a database id: a positive JSON integer within BIGINT
Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SEVERITIES = ("severe", "moderate", "mild")


def _strict_date(value: object, field: str) -> object:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), code="date_invalid", field=field)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("日期不存在"), code="date_invalid", field=field) from None


# Submission ----------------------------------------------------------------------------------


class ClaimItemIn(Schema):
    category: str = Field(min_length=1, max_length=30, description=", ".join(ITEM_CATEGORIES))
    amount_fen: int = Field(description="the invoice line, " + FEN_DESCRIPTION)
    description: str = Field(default="", max_length=200)

    @field_validator("amount_fen", mode="before")
    @classmethod
    def _amount(cls, value: object, info: ValidationInfo) -> int:
        return check_fen(value, "items.amount_fen", allow_zero=False)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return refuse_control_characters(value, field="items.description")


class RelatedStayIn(Schema):
    admission: dt.date
    discharge: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> RelatedStayIn:
        if self.discharge < self.admission:
            raise ValidationFailed(
                _("出院日期不能早于入院日期"), code="service_dates_order", field="related_stay.discharge"
            )
        return self

    @field_validator("admission", "discharge", mode="before")
    @classmethod
    def _dates(cls, value: object, info: ValidationInfo) -> object:
        return _strict_date(value, f"related_stay.{info.field_name}")


class ClaimIn(Schema):
    policy_id: Id = Field(description="a platform policy of your family (GET /api/v1/policies/)")
    member_id: Id = Field(description="the insured member")
    claim_type: str = Field(description=" | ".join(ClaimType.values))
    service_start: dt.date = Field(description="就诊/入院日期, YYYY-MM-DD")
    service_end: dt.date = Field(description="出院/结束日期, YYYY-MM-DD")
    hospital_code: str = Field(min_length=1, max_length=40, description="from GET /claims/hospitals?q=")
    diagnoses: list[Annotated[str, Field(min_length=1, max_length=10)]] = Field(
        min_length=1, max_length=10, description="ICD-10 codes, from GET /claims/diagnoses?q="
    )
    items: list[ClaimItemIn] = Field(
        max_length=100, description="the itemised invoice (1–100 lines; a critical-illness claim may have none)"
    )
    social_insurance_used: StrictBool = Field(description="the bill was settled through social medical insurance")
    social_insurance_paid_fen: int = Field(default=0, description="paid by social insurance, " + FEN_DESCRIPTION)
    other_insurance_paid_fen: int = Field(
        default=0, description="already paid by other commercial insurance, " + FEN_DESCRIPTION
    )
    related_stay: RelatedStayIn | None = Field(
        default=None, description="pre/post-hospital outpatient claims: the hospital stay they relate to"
    )
    is_accident: StrictBool = False
    severity: str = Field(default="", description="critical illness: severe | moderate | mild")
    invoice_numbers: list[Annotated[str, Field(min_length=1, max_length=64), NoControl]] = Field(
        default_factory=list, max_length=50, description="发票号码 (kept only as keyed hashes)"
    )

    @model_validator(mode="after")
    def _dates_ordered(self) -> ClaimIn:
        if self.service_end < self.service_start:
            raise ValidationFailed(_("结束日期不能早于开始日期"), code="service_dates_order", field="service_end")
        return self

    @field_validator("claim_type", mode="before")
    @classmethod
    def _claim_type(cls, value: object) -> object:
        if not isinstance(value, str) or value not in ClaimType.values:
            raise ValidationFailed(_("请选择理赔类型"), code="claim_type_invalid", field="claim_type")
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: object) -> object:
        if value is None:
            return ""
        if not isinstance(value, str) or value not in ("", *SEVERITIES):
            raise ValidationFailed(_("重疾等级应为重度、中度或轻度"), code="severity_invalid", field="severity")
        return value

    @field_validator("service_start", "service_end", mode="before")
    @classmethod
    def _dates(cls, value: object, info: ValidationInfo) -> object:
        return _strict_date(value, str(info.field_name))

    @field_validator("social_insurance_paid_fen", "other_insurance_paid_fen", mode="before")
    @classmethod
    def _amounts(cls, value: object, info: ValidationInfo) -> int:
        return check_fen(value, str(info.field_name))


class DocumentKindIn(Schema):
    kind: str = Field(description=" | ".join(ClaimDocument.Kind.values))

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        if not isinstance(value, str) or value not in ClaimDocument.Kind.values:
            raise ValidationFailed(_("请选择材料类型"), code="document_kind_invalid", field="kind")
        return value


# Output ------------------------------------------------------------------------------------


class HospitalOut(Schema):
    code: str
    name: str
    city: str
    level: int = Field(description="1–3 (三级 = 3)")
    public: bool

    @staticmethod
    def build(hospital: Any) -> HospitalOut:
        return HospitalOut(
            code=str(hospital.code),
            name=str(hospital.name),
            city=str(getattr(hospital, "city", "") or ""),
            level=int(hospital.level),
            public=bool(hospital.public),
        )

    @staticmethod
    def from_snapshot(snapshot: dict[str, Any] | None, code: str) -> HospitalOut:
        snapshot = snapshot or {}
        return HospitalOut(
            code=str(snapshot.get("code") or code),
            name=str(snapshot.get("name") or code),
            city=str(snapshot.get("city") or ""),
            level=int(snapshot.get("level") or 0),
            public=bool(snapshot.get("public")),
        )


class DiagnosisOut(Schema):
    code: str = Field(description="ICD-10")
    name: str = Field(description="Chinese name (the code when it is not in the shipped list)")

    @staticmethod
    def build(diagnosis: Any) -> DiagnosisOut:
        return DiagnosisOut(code=str(diagnosis.code), name=str(diagnosis.name))


class ReasonOut(Schema):
    code: str
    label: str = Field(description="the reason in one plain sentence")

    @staticmethod
    def build_all(claim: Claim) -> list[ReasonOut]:
        rejected = [line for line in member_lines(claim.engine_result) if line.get("code") == "rejected"]
        details = {str(line.get("reason")): line for line in rejected}
        return [ReasonOut(code=str(c), label=reason_sentence(str(c), details.get(str(c)))) for c in claim.reasons or []]


class ClaimItemOut(Schema):
    category: str
    category_label: str
    amount_fen: int
    description: str
    covered: bool = Field(description="false for non-medical, cosmetic and special-needs surcharges")


class ExplanationLineOut(Schema):
    code: str = Field(
        description="the engine step: item_covered, item_not_covered, covered, benefit, social_insurance, "
        "other_insurance, base, deductible | no_deductible, ratio, limit, payout, rejected, severity, …"
    )
    text: str = Field(description="the line in plain Chinese, as the claim page writes it")
    amount_fen: int | None = Field(description="the amount of the line, when it has one")
    kind: str = Field(description="covered | not_covered | minus (deducted) | subtotal | total | note")
    notes: list[str] = Field(description="further sentences (e.g. how much deductible is left)")
    details: dict[str, Any] = Field(description="the engine's numbers for the line (stable keys)")

    @staticmethod
    def build_all(result: dict[str, Any] | None) -> list[ExplanationLineOut]:
        out = []
        for line in member_lines(result):
            explained = explained_line(line)
            if explained is None:
                continue
            out.append(
                ExplanationLineOut(
                    code=explained.code,
                    text=explained.text,
                    amount_fen=explained.amount_fen,
                    kind=explained.kind,
                    notes=[str(n) for n in explained.notes],
                    details={k: v for k, v in line.items() if k != "code"},
                )
            )
        return out


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime

    @staticmethod
    def build(document: ClaimDocument) -> DocumentOut:
        return DocumentOut(
            id=document.pk,
            kind=document.kind,
            kind_label=str(document.get_kind_display()),
            original_name=document.original_name or "",
            content_type=document.content_type,
            size=document.size,
            sha256=document.sha256,
            created_at=document.created_at,
        )


def diagnosis_names(codes: list[str]) -> dict[str, str]:
    """Chinese names of the codes that are in the shipped list."""
    names = {}
    for code in codes:
        found = reference.diagnosis_get(str(code))
        if found is not None:
            names[str(code)] = str(found.name)
    return names


def _fen(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ClaimSummaryOut(Schema):
    id: int
    number: str
    member_id: int
    member_name: str
    policy_id: int
    policy_number: str | None
    product_name: str
    claim_type: str
    claim_type_label: str
    service_start: dt.date
    service_end: dt.date
    hospital_name: str
    total_fen: int
    status: str = Field(description=" | ".join(Claim.Status.values))
    status_label: str
    proposed_payout_fen: int
    payout_fen: int
    created_at: dt.datetime

    @staticmethod
    def build(claim: Claim) -> ClaimSummaryOut:
        return ClaimSummaryOut(
            id=claim.pk,
            number=claim.number,
            member_id=claim.member_id,
            member_name=claim.member.name,
            policy_id=claim.policy_id,
            policy_number=claim.policy.number,
            product_name=claim.policy.product.name,
            claim_type=claim.claim_type,
            claim_type_label=str(claim.get_claim_type_display()),
            service_start=claim.service_start,
            service_end=claim.service_end,
            hospital_name=str((claim.hospital or {}).get("name") or claim.hospital_code),
            total_fen=claim.total_fen,
            status=claim.status,
            status_label=str(claim.get_status_display()),
            proposed_payout_fen=claim.proposed_payout_fen,
            payout_fen=claim.payout_fen,
            created_at=claim.created_at,
        )


class ClaimOut(ClaimSummaryOut):
    family_id: int
    is_accident: bool
    hospital: HospitalOut
    diagnoses: list[DiagnosisOut]
    items: list[ClaimItemOut]
    social_insurance_used: bool
    social_insurance_paid_fen: int
    other_insurance_paid_fen: int
    related_stay: dict[str, Any] | None
    severity: str
    decision: str | None = Field(description="the engine's decision: approved | manual_review | rejected")
    decided_by: str = Field(description="engine | adjuster (empty while under review)")
    benefit: str = Field(description="the benefit that pays: general, serious_illness, …")
    reasons: list[ReasonOut]
    covered_fen: int | None
    not_covered_fen: int | None
    base_fen: int | None = Field(description="covered − social insurance − other insurance")
    deductible_applied_fen: int | None
    ratio: str | None
    explanation: list[ExplanationLineOut] = Field(description="the explanation of benefits, step by step")
    documents: list[DocumentOut]
    adjudicated_at: dt.datetime | None
    decided_at: dt.datetime | None
    paid_at: dt.datetime | None
    fhir_claim_response: str = Field(description="ClaimResponse/<id> under /api/v1/fhir")
    fhir_explanation_of_benefit: str = Field(description="ExplanationOfBenefit/<id> under /api/v1/fhir")

    @staticmethod
    def build(claim: Claim) -> ClaimOut:
        summary = ClaimSummaryOut.build(claim).dict()
        result: dict[str, Any] = claim.engine_result or {}
        names = diagnosis_names(list(claim.diagnoses or []))
        return ClaimOut(
            **summary,
            family_id=claim.family_id,
            is_accident=claim.is_accident,
            hospital=HospitalOut.from_snapshot(claim.hospital, claim.hospital_code),
            diagnoses=[DiagnosisOut(code=str(c), name=names.get(str(c), str(c))) for c in claim.diagnoses or []],
            items=[
                ClaimItemOut(
                    category=str(item.get("category", "")),
                    category_label=item_category_label(str(item.get("category", ""))),
                    amount_fen=int(item.get("amount_fen", 0)),
                    description=str(item.get("description") or ""),
                    covered=str(item.get("category", "")) not in NOT_COVERED_CATEGORIES,
                )
                for item in claim.items or []
            ],
            social_insurance_used=claim.social_insurance_used,
            social_insurance_paid_fen=claim.social_insurance_paid_fen,
            other_insurance_paid_fen=claim.other_insurance_paid_fen,
            related_stay=claim.related_stay,
            severity=claim.severity,
            decision=result.get("decision"),
            decided_by=claim.decided_by,
            benefit=claim.benefit,
            reasons=ReasonOut.build_all(claim),
            covered_fen=_fen(result.get("covered_fen")),
            not_covered_fen=_fen(result.get("not_covered_fen")),
            base_fen=_fen(result.get("base_fen")),
            deductible_applied_fen=_fen(result.get("deductible_applied_fen")),
            ratio=str(result["ratio"]) if result.get("ratio") is not None else None,
            explanation=ExplanationLineOut.build_all(result),
            documents=[DocumentOut.build(d) for d in claim.documents.all()],
            adjudicated_at=claim.adjudicated_at,
            decided_at=claim.decided_at,
            paid_at=claim.paid_at,
            fhir_claim_response=f"ClaimResponse/{claim.pk}",
            fhir_explanation_of_benefit=f"ExplanationOfBenefit/{claim.pk}",
        )


class ExpectedPayoutIn(Schema):
    """The body of ``POST /claims/expected-payout`` (health data: never in a URL)."""

    member_id: int = Field(description="a member of your family (a positive JSON integer)")
    diagnosis: str = Field(max_length=10, description="ICD-10 code")
    cost_fen: int = Field(description="the expected cost, " + FEN_DESCRIPTION)

    @field_validator("member_id", mode="before")
    @classmethod
    def _member_id(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**63 - 1:
            raise ValidationFailed(_("编号格式不正确"), code="id_invalid", field="member_id")
        return value

    @field_validator("cost_fen", mode="before")
    @classmethod
    def _cost(cls, value: object) -> int:
        return check_fen(value, "cost_fen")


class ExpectedPayoutOut(Schema):
    member_id: int
    diagnosis: str
    cost_fen: int
    expected_payout_fen: int = Field(
        description="sum over the member's active platform policies of the payout for an inpatient claim of that "
        "cost at a level-3 public hospital, with social insurance as the member has it"
    )
    uses_claim_history: bool = Field(
        description="true: with the member's deductible and limits used this year and their underwriting "
        "exclusions (you may read their claims); false: from the policy terms alone, as if nothing had been "
        "claimed yet (another adult's health data is theirs)"
    )
