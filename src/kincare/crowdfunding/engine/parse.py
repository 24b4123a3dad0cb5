"""One campaign's facts as JSON (the ``kincare assess-campaign`` contract) → ``CampaignFacts``.

Strict, because a goal cap computed from a misread amount is worse than a refused line:
amounts are whole fen as JSON integers (no strings, floats or booleans) from 0 to
``MAX_FEN``, dates are ``YYYY-MM-DD`` strings, unknown fields are refused, and every error is a
``ValidationFailed`` with a stable code and the dotted field (``finances.houses.1.value_fen``).

Resident IDs are only required to be strings here: a wrong check digit is a finding the
assessment reports (``invalid_patient_id``), not a malformed line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from kincare.core.errors import ValidationFailed
from kincare.core.money import MAX_FEN
from kincare.crowdfunding.engine.illness import normalise_icd10
from kincare.crowdfunding.engine.model import (
    RELATIONSHIPS,
    SOCIAL_INSURANCE,
    CampaignFacts,
    Car,
    Context,
    Diagnosis,
    Finances,
    Fundraiser,
    House,
    Insurance,
    Patient,
)

MAX_ASSETS = 50
MAX_COUNT = 10_000
EARLIEST_DATE = dt.date(1900, 1, 1)
Fen = Annotated[StrictInt, Field(ge=0, le=MAX_FEN)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: object) -> dt.date:
    # Python's fromisoformat also reads 20261121 and 2026-W47; the contract says YYYY-MM-DD.
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise PydanticCustomError("date_invalid", "a date must be a string YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "no such date") from None


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PatientJson(_Strict):
    resident_id: Annotated[StrictStr, Field(max_length=64)]
    deceased: StrictBool


class FundraiserJson(_Strict):
    resident_id: Annotated[StrictStr, Field(max_length=64)]
    account_created: IsoDate
    blacklisted: StrictBool


class DiagnosisJson(_Strict):
    icd10: Annotated[StrictStr, Field(max_length=32)]
    date: IsoDate
    treatment_finished: StrictBool


class HouseJson(_Strict):
    value_fen: Fen
    only_home: StrictBool


class CarJson(_Strict):
    value_fen: Fen


class FinancesJson(_Strict):
    houses: list[HouseJson] = Field(max_length=MAX_ASSETS)
    cars: list[CarJson] = Field(max_length=MAX_ASSETS)
    financial_assets_fen: Fen
    annual_income_fen: Fen
    debts_fen: Fen


class InsuranceJson(_Strict):
    social_insurance: Literal[SOCIAL_INSURANCE]  # type: ignore[valid-type]
    expected_payouts_fen: Fen


class ContextJson(_Strict):
    active_campaigns_same_patient: Count
    document_reused: StrictBool
    open_reports: Count


class CampaignJson(_Strict):
    campaign_id: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    as_of: IsoDate
    patient: PatientJson
    fundraiser: FundraiserJson
    relationship: Literal[RELATIONSHIPS]  # type: ignore[valid-type]
    diagnosis: DiagnosisJson
    estimated_cost_fen: Fen
    finances: FinancesJson
    insurance: InsuranceJson
    other_aid_fen: Fen
    #: a campaign asks for at least one fen (a goal of 0 would be "covered" by any asset)
    goal_fen: Annotated[StrictInt, Field(ge=1, le=MAX_FEN)]
    context: ContextJson


#: pydantic's error kinds → the contract's codes
_CODES = {
    "missing": "field_missing",
    "extra_forbidden": "field_unknown",
    "int_type": "field_type",
    "bool_type": "field_type",
    "string_type": "field_type",
    "list_type": "field_type",
    "model_type": "field_type",
    "model_attributes_type": "field_type",
    "dict_type": "field_type",
    "greater_than_equal": "value_too_small",
    "less_than_equal": "value_too_large",
    "literal_error": "value_unknown",
    "date_invalid": "date_invalid",
}


def _message(code: str) -> str:
    messages = {
        "field_missing": _("缺少这一项"),
        "field_unknown": _("没有这一项，请删去"),
        "field_type": _("类型不对：金额和数量须为整数（金额以分计），是否须为 true/false，其余为文本"),
        "value_too_small": _("数值过小（金额不能为负数，目标金额至少 1 分）"),
        "value_too_large": _("数值过大"),
        "value_unknown": _("不是可选的值"),
        "date_invalid": _("日期须为 YYYY-MM-DD 格式的文本，且是真实存在的日期"),
    }
    return messages.get(code, _("这一项的值不正确"))


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_facts(data: object) -> CampaignFacts:
    """The facts of one campaign, or ``ValidationFailed(code, field)`` for the first problem."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("每行应是一个 JSON 对象"), code="object_required")
    try:
        raw = CampaignJson.model_validate(data)
    except PydanticValidationError as exc:
        error = exc.errors()[0]
        code = _CODES.get(error.get("type", ""), "field_invalid")
        raise ValidationFailed(_message(code), code=code, field=_field(tuple(error["loc"]))) from None
    for name, when in (("as_of", raw.as_of), ("diagnosis.date", raw.diagnosis.date)):
        if when < EARLIEST_DATE:
            raise ValidationFailed(_("日期过早"), code="date_invalid", field=name)
    for name, when in (
        ("fundraiser.account_created", raw.fundraiser.account_created),
        ("diagnosis.date", raw.diagnosis.date),
    ):
        if when > raw.as_of:
            raise ValidationFailed(_("日期不能晚于评估日期 as_of"), code="date_after_as_of", field=name)
    icd10 = normalise_icd10(raw.diagnosis.icd10)
    if icd10 is None:
        raise ValidationFailed(_("ICD-10 编码格式不正确，例如 C92.0"), code="icd10_invalid", field="diagnosis.icd10")
    homes = [index for index, house in enumerate(raw.finances.houses) if house.only_home]
    if len(homes) > 1:
        raise ValidationFailed(
            _("只能有一套房产是唯一住房"), code="only_home_repeated", field=f"finances.houses.{homes[1]}.only_home"
        )
    return CampaignFacts(
        campaign_id=raw.campaign_id,
        as_of=raw.as_of,
        patient=Patient(resident_id=raw.patient.resident_id, deceased=raw.patient.deceased),
        fundraiser=Fundraiser(
            resident_id=raw.fundraiser.resident_id,
            account_created=raw.fundraiser.account_created,
            blacklisted=raw.fundraiser.blacklisted,
        ),
        relationship=raw.relationship,
        diagnosis=Diagnosis(icd10=icd10, date=raw.diagnosis.date, treatment_finished=raw.diagnosis.treatment_finished),
        estimated_cost_fen=raw.estimated_cost_fen,
        finances=Finances(
            houses=tuple(House(value_fen=h.value_fen, only_home=h.only_home) for h in raw.finances.houses),
            cars=tuple(Car(value_fen=c.value_fen) for c in raw.finances.cars),
            financial_assets_fen=raw.finances.financial_assets_fen,
            annual_income_fen=raw.finances.annual_income_fen,
            debts_fen=raw.finances.debts_fen,
        ),
        insurance=Insurance(
            social_insurance=raw.insurance.social_insurance,
            expected_payouts_fen=raw.insurance.expected_payouts_fen,
        ),
        other_aid_fen=raw.other_aid_fen,
        goal_fen=raw.goal_fen,
        context=Context(
            active_campaigns_same_patient=raw.context.active_campaigns_same_patient,
            document_reused=raw.context.document_reused,
            open_reports=raw.context.open_reports,
        ),
    )


def facts_json(facts: CampaignFacts) -> dict[str, Any]:
    """The inverse of ``parse_facts``: what a stored assessment keeps as its inputs."""
    finances = facts.finances
    return {
        "campaign_id": facts.campaign_id,
        "as_of": facts.as_of.isoformat(),
        "patient": {"resident_id": facts.patient.resident_id, "deceased": facts.patient.deceased},
        "fundraiser": {
            "resident_id": facts.fundraiser.resident_id,
            "account_created": facts.fundraiser.account_created.isoformat(),
            "blacklisted": facts.fundraiser.blacklisted,
        },
        "relationship": facts.relationship,
        "diagnosis": {
            "icd10": facts.diagnosis.icd10,
            "date": facts.diagnosis.date.isoformat(),
            "treatment_finished": facts.diagnosis.treatment_finished,
        },
        "estimated_cost_fen": facts.estimated_cost_fen,
        "finances": {
            "houses": [{"value_fen": h.value_fen, "only_home": h.only_home} for h in finances.houses],
            "cars": [{"value_fen": c.value_fen} for c in finances.cars],
            "financial_assets_fen": finances.financial_assets_fen,
            "annual_income_fen": finances.annual_income_fen,
            "debts_fen": finances.debts_fen,
        },
        "insurance": {
            "social_insurance": facts.insurance.social_insurance,
            "expected_payouts_fen": facts.insurance.expected_payouts_fen,
        },
        "other_aid_fen": facts.other_aid_fen,
        "goal_fen": facts.goal_fen,
        "context": {
            "active_campaigns_same_patient": facts.context.active_campaigns_same_patient,
            "document_reused": facts.context.document_reused,
            "open_reports": facts.context.open_reports,
        },
    }
