"""Crowdfunding input as the edge parses it: a campaign as the fundraiser fills it in (one strict
schema for the page and the API), a donation, a witness, a progress update, a report, a
reviewer's resolution and a disbursement request.

Amounts are integer fen (the page parses yuan first), dates ISO; every error is a
``ValidationFailed`` naming its field (a domain error, not a ValueError, so it leaves pydantic as
it is and the API answers its own code). The services take the typed values and trust them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator
from pydantic import ValidationError as PydanticValidationError

from kincare.core.errors import ValidationFailed
from kincare.core.money import Fen, PositiveFen, format_yuan_cn, yuan
from kincare.core.text import NoControl, SafeStrictText, SafeText, refuse_control_characters
from kincare.crowdfunding.models import Disbursement, Relationship, Report, SocialInsurance

DONATION_MIN_FEN = yuan(1)
DONATION_MAX_FEN = yuan(50_000)
MESSAGE_MAX = 200
#: words a donor's public message may not carry (links, contacts, money requests)
_BLOCKED = re.compile(r"(https?://|www\.|微信|weixin|wechat|qq|vx|加我|转账|银行卡|\d{7,})", re.IGNORECASE)
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")

Text = Annotated[StrictStr, Field(max_length=120), NoControl]


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
    title: SafeStrictText = Field(min_length=4, max_length=60)
    story: SafeStrictText = Field(min_length=20, max_length=5000)
    #: the patient is a member of the fundraiser's family …
    patient_member_id: StrictInt | None = None
    #: … or named here (a patient outside the family)
    patient_name: SafeStrictText = Field(default="", max_length=50)
    patient_resident_id: StrictStr = Field(default="", max_length=30)
    relationship: StrictStr
    hospital_code: StrictStr = Field(min_length=1, max_length=20)
    department: SafeStrictText = Field(min_length=1, max_length=60)
    doctor: SafeStrictText = Field(min_length=1, max_length=50)
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
    surplus_charity: SafeStrictText = Field(default="", max_length=120)


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


class _Edge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def clean_message(text: object) -> str:
    """A donor's public message: spaces collapsed, at most 200 characters, no contacts or links."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ValidationFailed(_("留言格式不正确"), code="message_invalid", field="message")
    text = " ".join(text.split())
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed(_("留言最多 %(n)d 个字") % {"n": MESSAGE_MAX}, code="message_too_long", field="message")
    if _BLOCKED.search(text):
        raise ValidationFailed(_("留言不能包含链接、联系方式或转账信息"), code="message_not_allowed", field="message")
    return text


class DonationInput(_Edge):
    """A gift as the donor sends it: ``donation_start(**input.model_dump(), …)``."""

    amount_fen: int
    idempotency_key: str
    message: SafeText = ""

    @field_validator("amount_fen", mode="before")
    @classmethod
    def _amount(cls, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(_("金额必须是整数（分）"), code="amount_invalid", field="amount_fen")
        if not DONATION_MIN_FEN <= value <= DONATION_MAX_FEN:
            raise ValidationFailed(
                _("每笔捐款 %(min)s 至 %(max)s")
                % {"min": format_yuan_cn(DONATION_MIN_FEN), "max": format_yuan_cn(DONATION_MAX_FEN)},
                code="amount_out_of_range",
                field="amount_fen",
            )
        return value

    @field_validator("idempotency_key", mode="before")
    @classmethod
    def _key(cls, value: object) -> str:
        if not isinstance(value, str) or not _IDEMPOTENCY_KEY.fullmatch(value):
            raise ValidationFailed(
                _("请求标识无效，请刷新页面"), code="invalid_idempotency_key", field="idempotency_key"
            )
        return value

    @field_validator("message", mode="before")
    @classmethod
    def _message(cls, value: object) -> str:
        return clean_message(value)


class WitnessInput(_Edge):
    """Who vouches for the story: the relationship (1–30 characters) and an optional message."""

    relationship: SafeText
    message: SafeText = ""

    @field_validator("relationship", mode="before")
    @classmethod
    def _relationship(cls, value: object) -> str:
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= 30:
            raise ValidationFailed(_("请填写与患者的关系"), code="relationship_invalid", field="relationship")
        return value.strip()

    @field_validator("message", mode="before")
    @classmethod
    def _message(cls, value: object) -> str:
        if not isinstance(value, str) or len(value) > 200:
            raise ValidationFailed(_("证实内容最多 200 字"), code="message_invalid", field="message")
        return value.strip()


def update_text(text: object) -> str:
    """A fundraiser's progress update: 2–2000 characters, stripped."""
    if not isinstance(text, str) or not 2 <= len(text.strip()) <= 2000:
        raise ValidationFailed(_("进展内容为 2 至 2000 字"), code="text_invalid", field="text")
    return refuse_control_characters(text.strip(), field="text")


class ReportInput(_Edge):
    """A report as the reporter sends it: one of the reasons, 5–2000 characters of details."""

    reason: str
    details: SafeText

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: object) -> str:
        if value not in Report.Reason.values:
            raise ValidationFailed(_("请选择举报原因"), code="reason_invalid", field="reason")
        return str(value)

    @field_validator("details", mode="before")
    @classmethod
    def _details(cls, value: object) -> str:
        if not isinstance(value, str) or not 5 <= len(value.strip()) <= 2000:
            raise ValidationFailed(_("请用 5 至 2000 字说明情况"), code="details_invalid", field="details")
        return value.strip()


class ReportResolution(_Edge):
    """A reviewer's finding on a report and the outcome published on the campaign page."""

    status: str
    outcome: SafeText

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: object) -> str:
        if value not in (Report.Status.CREDIBLE, Report.Status.DISMISSED, Report.Status.UPHELD):
            raise ValidationFailed(_("请选择处理结果"), code="status_invalid", field="status")
        return str(value)

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome(cls, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(_("请填写将公示的处理结果"), code="outcome_required", field="outcome")
        return value.strip()[:500]


class DisbursementInput(_Edge):
    """A disbursement request as the fundraiser fills it in (the balance and the campaign's state
    are the service's to check): a positive amount, the recipient, an account of 8–32 digits
    (spaces dropped)."""

    amount_fen: int
    recipient: str = Disbursement.Recipient.HOSPITAL
    recipient_name: SafeText = ""
    recipient_account: str = ""
    note: SafeText = ""

    @field_validator("amount_fen", mode="before")
    @classmethod
    def _amount(cls, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValidationFailed(_("金额必须是大于 0 的整数（分）"), code="amount_invalid", field="amount_fen")
        return value

    @field_validator("recipient", mode="before")
    @classmethod
    def _recipient(cls, value: object) -> str:
        if value not in Disbursement.Recipient.values:
            raise ValidationFailed(_("请选择收款方"), code="recipient_invalid", field="recipient")
        return str(value)

    @field_validator("recipient_account", mode="before")
    @classmethod
    def _account(cls, value: object) -> str:
        account = str(value or "").strip()
        digits = account.replace(" ", "")
        if not account.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 32:
            raise ValidationFailed(
                _("请填写 8 至 32 位数字的收款账号"), code="account_invalid", field="recipient_account"
            )
        return digits

    @field_validator("recipient_name", mode="before")
    @classmethod
    def _name(cls, value: object) -> str:
        return str(value or "").strip()[:120]

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: object) -> str:
        return str(value or "")[:300]
