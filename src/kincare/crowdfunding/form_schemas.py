"""A campaign as the fundraiser fills it in: one strict schema for the page and the API.

Amounts are integer fen (the page parses yuan first), dates ISO; every error names its field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError

from kincare.core.errors import ValidationFailed
from kincare.core.money import Fen, PositiveFen
from kincare.crowdfunding.models import Relationship, SocialInsurance

Text = Annotated[StrictStr, Field(max_length=120)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class House(_Strict):
    value_fen: Fen
    only_home: StrictBool


class Car(_Strict):
    value_fen: Fen


class Finances(_Strict):
    houses: list[House] = Field(default_factory=list, max_length=10)
    cars: list[Car] = Field(default_factory=list, max_length=10)
    financial_assets_fen: Fen = 0
    annual_income_fen: Fen = 0
    debts_fen: Fen = 0


class DeclaredPolicy(_Strict):
    insurer: Text = Field(min_length=1)
    product: Text = Field(min_length=1)
    expected_payout_fen: Fen


class Aid(_Strict):
    source: Text = Field(min_length=1)
    amount_fen: Fen


class CampaignInput(_Strict):
    title: StrictStr = Field(min_length=4, max_length=60)
    story: StrictStr = Field(min_length=20, max_length=5000)
    #: the patient is a member of the fundraiser's family …
    patient_member_id: StrictInt | None = None
    #: … or named here (a patient outside the family)
    patient_name: StrictStr = Field(default="", max_length=50)
    patient_resident_id: StrictStr = Field(default="", max_length=30)
    relationship: StrictStr
    hospital_code: StrictStr = Field(min_length=1, max_length=20)
    department: StrictStr = Field(min_length=1, max_length=60)
    doctor: StrictStr = Field(min_length=1, max_length=50)
    icd10: StrictStr = Field(min_length=1, max_length=10)
    diagnosed_on: dt.date
    treatment_finished: StrictBool = False
    estimated_cost_fen: PositiveFen
    finances: Finances = Field(default_factory=Finances)
    social_insurance: StrictStr = "none"
    declared_insurance: list[DeclaredPolicy] = Field(default_factory=list, max_length=10)
    other_aid: list[Aid] = Field(default_factory=list, max_length=10)
    goal_fen: PositiveFen
    days: Annotated[StrictInt, Field(ge=1, le=60)] = 30
    surplus_charity: StrictStr = Field(default="", max_length=120)


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def campaign_input(data: object) -> CampaignInput:
    if not isinstance(data, dict):
        raise ValidationFailed(_("提交的内容格式不正确"), code="invalid")
    try:
        parsed = CampaignInput.model_validate(data)
    except PydanticValidationError as exc:
        error = exc.errors()[0]
        code = {"missing": "field_missing", "extra_forbidden": "field_unknown"}.get(
            error.get("type", ""), "field_invalid"
        )
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        raise ValidationFailed(message or _("输入有误"), code=code, field=_field(tuple(error["loc"]))) from None
    if parsed.relationship not in Relationship.values:
        raise ValidationFailed(_("请选择与患者的关系"), code="relationship_invalid", field="relationship")
    if parsed.social_insurance not in SocialInsurance.values:
        raise ValidationFailed(_("请选择医保类型"), code="social_insurance_invalid", field="social_insurance")
    if parsed.patient_member_id is None and not (parsed.patient_name and parsed.patient_resident_id):
        raise ValidationFailed(
            _("请选择家庭成员或填写患者姓名和身份证号"), code="patient_required", field="patient_name"
        )
    if sum(1 for house in parsed.finances.houses if house.only_home) > 1:
        raise ValidationFailed(_("只能有一套房产是唯一住房"), code="only_home_twice", field="finances.houses")
    return parsed
