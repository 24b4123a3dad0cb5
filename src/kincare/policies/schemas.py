"""API schemas of policies: quotes, applications, policies (the wallet and external policies are
in ``wallet_schemas``).

Money is **integer fen** everywhere (1 yuan = 100 fen): ``sum_insured_fen: 50000000`` is
500,000 yuan. Amount fields refuse anything but a non-negative JSON integer with a stable
code (``amount_type`` for floats, strings — also yuan strings like ``"5000.00"`` — and
booleans; ``amount_negative``; ``amount_zero`` where zero makes no sense;
``amount_too_large`` above ``MAX_AMOUNT_FEN``, 10^13 fen), so a client never has its yuan silently taken for fen.
Ids are positive JSON integers (``"12"`` or ``"１２"`` are refused).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, PrivateAttr, StrictBool, StrictInt, model_validator

from kincare.core.money import MAX_FEN, AmountError
from kincare.policies.form_schemas import Beneficiaries
from kincare.policies.models import Application, Policy
from kincare.policies.services import cooling_off_last_day
from kincare.underwriting.engine import DeclaredCondition
from kincare.underwriting.form_schemas import conditions_parsed
from kincare.underwriting.schemas import DecisionOut, ExclusionOut, QuestionOut

if TYPE_CHECKING:
    from kincare.policies.selectors import InsuredRead, RefundState

#: a database id: a positive JSON integer within BIGINT
Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
FEN_DESCRIPTION = "integer fen (1 yuan = 100 fen); floats, strings, booleans and negatives are refused"


def check_fen(value: object, field: str, *, allow_zero: bool = True) -> int:
    """A non-negative integer amount in fen, or ``AmountError`` naming the field."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise AmountError(_("金额请填写以“分”为单位的整数，例如 100 元填写 10000"), code="amount_type", field=field)
    if value < 0:
        raise AmountError(_("金额不能为负数"), code="amount_negative", field=field)
    if value == 0 and not allow_zero:
        raise AmountError(_("金额必须大于 0"), code="amount_zero", field=field)
    if value > MAX_FEN:
        raise AmountError(_("金额过大"), code="amount_too_large", field=field)
    return value


# Quotes ----------------------------------------------------------------------------------


class QuoteIn(Schema):
    product_code: str = Field(min_length=1, max_length=60)
    plan_code: str = Field(min_length=1, max_length=40)
    member_ids: list[Id] = Field(min_length=1, max_length=20, description="members of your family to insure")
    payment_years: Annotated[StrictInt, Field(ge=1, le=100)] | None = Field(
        default=None, description="payment term in years (life / critical-illness products); default: the shortest"
    )


class QuoteLineOut(Schema):
    member_id: int
    name: str
    base_premium_fen: int = Field(description="standard annual premium before any underwriting loading")
    death_benefit_fen: int


class QuoteOut(Schema):
    product_code: str
    product_name: str
    plan_code: str
    payment_years: int
    effective_on: dt.date = Field(description="cover starts at 00:00 on this day if paid today")
    total_fen: int
    lines: list[QuoteLineOut]


# Applications ----------------------------------------------------------------------------


class ApplicationIn(Schema):
    product_code: str = Field(min_length=1, max_length=60)
    plan_code: str = Field(min_length=1, max_length=40)
    policyholder_member_id: Id = Field(description="your own member row (投保人: an adult, real-name verified)")
    insured_member_ids: list[Id] = Field(min_length=1, max_length=20, description="被保险人")
    payment_years: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


class AnswersIn(Schema):
    conditions: list[Any] = Field(
        default_factory=list,
        description='declared conditions: [{"code", "attributes", "diagnosed_on"?}] (empty: none apply)',
    )
    consent: StrictBool = Field(
        default=False, description="我已如实告知被保险人的健康状况，且已取得被保险人同意 (must be true)"
    )
    _declared: tuple[DeclaredCondition, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _parse_conditions(self) -> AnswersIn:
        # parsed once here (a domain error leaves pydantic as is: the API answers its code)
        self._declared = conditions_parsed(self.conditions)
        return self

    @property
    def declared(self) -> tuple[DeclaredCondition, ...]:
        """The conditions as the engine reads them."""
        return self._declared


class BeneficiaryIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    relationship: str = Field(min_length=1, max_length=30)
    share_pct: Annotated[StrictInt, Field(ge=1, le=100)]
    member_id: Id | None = None


class BeneficiariesIn(Schema):
    kind: Literal["legal", "named"] = Field(
        description="legal: 法定受益人; named: 指定受益人 with shares adding to 100"
    )
    named: list[BeneficiaryIn] = Field(default_factory=list, max_length=10)

    def beneficiaries(self) -> Beneficiaries:
        """As the service takes them (ValidationFailed with its code, e.g. shares not adding to 100)."""
        data: dict[str, Any] = {"kind": self.kind}
        if self.kind == "named":
            data["named"] = [b.dict(exclude_none=True) for b in self.named]
        return Beneficiaries.model_validate(data)


class OrderOut(Schema):
    out_trade_no: str
    amount_fen: int
    pay_url: str | None = Field(description="where to pay (only while the order can be paid)")
    status: str
    expires_at: dt.datetime | None = None

    @staticmethod
    def build(order: Any) -> OrderOut:
        return OrderOut(
            out_trade_no=order.out_trade_no,
            amount_fen=order.amount_fen,
            pay_url=(order.pay_url or None) if order.status == "created" else None,
            status=order.status,
            expires_at=getattr(order, "expires_at", None),
        )


TERMS_HIDDEN = (
    "null unless you are the policyholder, the insured, or may read the insured's health data "
    "(underwriting terms are health data)"
)


class InsuredOut(Schema):
    member_id: int
    name: str
    base_premium_fen: int | None = Field(description="standard premium before the loading; " + TERMS_HIDDEN)
    loading_pct: int | None = Field(description="underwriting loading; " + TERMS_HIDDEN)
    premium_fen: int
    death_benefit_fen: int
    decision: DecisionOut | None = Field(
        description="the underwriting decision; " + TERMS_HIDDEN + ", or not answered yet"
    )
    answered: bool = Field(description="the questionnaire has been answered for this member")


class ApplicationOut(Schema):
    id: int
    family_id: int
    product_code: str
    product_name: str
    category: str
    plan_code: str
    plan_name: str
    payment_years: int
    policyholder_member_id: int
    status: str = Field(
        description="underwriting | manual_review | ready | pending_payment | issued | declined | withdrawn | "
        "payment_expired"
    )
    status_label: str
    premium_fen: int = Field(description="first premium: the sum of the insured members' premiums with loadings")
    insured: list[InsuredOut]
    beneficiaries: dict[str, Any] | None = Field(description="only shown to the policyholder")
    order: OrderOut | None
    created_at: dt.datetime
    issued_at: dt.datetime | None

    @staticmethod
    def build(application: Application, *, user: Any, insured_reads: list[InsuredRead]) -> ApplicationOut:
        """``insured_reads``: ``selectors.application_insured_read`` (what the user may see, audited)."""
        is_policyholder = application.policyholder.user_id == getattr(user, "pk", None)
        insured = []
        for read in insured_reads:
            row = read.row
            insured.append(
                InsuredOut(
                    member_id=row.member_id,
                    name=read.member.name,
                    base_premium_fen=row.base_premium_fen if read.terms_visible else None,
                    loading_pct=row.loading_pct if read.terms_visible else None,
                    premium_fen=row.premium_fen,
                    death_benefit_fen=row.death_benefit_fen,
                    decision=DecisionOut.build(read.decision) if read.decision is not None else None,
                    answered=read.answered,
                )
            )
        return ApplicationOut(
            id=application.pk,
            family_id=application.family_id,
            product_code=application.product.code,
            product_name=application.product.name,
            category=application.product.category,
            plan_code=application.plan.code,
            plan_name=application.plan.name,
            payment_years=application.payment_years,
            policyholder_member_id=application.policyholder_id,
            status=application.status,
            status_label=str(application.get_status_display()),
            premium_fen=application.premium_fen,
            insured=insured,
            beneficiaries=(application.beneficiaries or {}) if is_policyholder else None,
            order=OrderOut.build(application.order) if application.order_id else None,
            created_at=application.created_at,
            issued_at=application.issued_at,
        )


class InsuredQuestionnaireOut(Schema):
    application_id: int
    member_id: int
    product_code: str
    questionnaire: str | None
    questions: list[QuestionOut]
    prefilled: list[dict[str, Any]] = Field(
        description="the member's health declarations as conditions, when you may read them (else empty)"
    )


class AnswerOut(Schema):
    decision: DecisionOut
    application_status: str
    application_status_label: str
    application: ApplicationOut


class PayOut(Schema):
    order: OrderOut
    application_id: int
    application_status: str


# Policies --------------------------------------------------------------------------------


class PolicyOut(Schema):
    id: int
    fhir_id: str = Field(description="the id of its FHIR Coverage: pol-<id>")
    number: str | None = Field(description="保单号 (once issued)")
    family_id: int
    application_id: int
    status: str = Field(description="pending_payment | active | cancelled | lapsed | expired | terminated")
    status_label: str
    product_code: str
    product_name: str
    category: str
    insurer_name: str
    plan_code: str
    plan_name: str
    policyholder_member_id: int
    insured_member_id: int
    insured_name: str
    sum_insured_fen: int
    death_benefit_fen: int
    base_premium_fen: int | None = Field(description="standard premium before the loading; " + TERMS_HIDDEN)
    loading_pct: int | None = Field(description="underwriting loading; " + TERMS_HIDDEN)
    premium_fen: int = Field(description="annual premium with loadings")
    payment_years: int
    effective_at: dt.datetime | None
    ends_at: dt.datetime | None
    first_effective_on: dt.date | None = Field(description="waiting periods count from this day")
    issued_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cooling_off_days: int
    cooling_off_last_day: dt.date | None = Field(description="the last day a full-refund cancellation is possible")
    exclusions_visible: bool
    exclusions: list[ExclusionOut] | None = Field(
        description="除外责任 (null when you may not see them: only the insured, the policyholder and who may "
        "read the insured's health data)"
    )
    refund_status: str | None = Field(
        description="the cooling-off refund of a cancelled policy: pending | succeeded | failed (a failed refund "
        "is asked again with POST /{id}/cancel); null when none was asked for"
    )
    refund_status_label: str | None = Field(description="退款处理中 | 已退款 | 退款失败，请重试")
    refund_fen: int | None = Field(description="the amount of that refund")

    @staticmethod
    def build(
        policy: Policy,
        *,
        exclusions: list[dict[str, Any]] | None,
        terms_visible: bool,
        refund: RefundState | None = None,
    ) -> PolicyOut:
        """``exclusions``: ``selectors.policy_exclusions_read`` (None: hidden); ``terms_visible``:
        ``selectors.policy_terms_visible``; ``refund``: ``selectors.policy_refund_state``."""
        product = policy.product
        return PolicyOut(
            id=policy.pk,
            fhir_id=f"pol-{policy.pk}",
            number=policy.number,
            family_id=policy.family_id,
            application_id=policy.application_id,
            status=policy.status,
            status_label=str(policy.get_status_display()),
            product_code=product.code,
            product_name=product.name,
            category=product.category,
            insurer_name=product.insurer.name,
            plan_code=policy.plan.code,
            plan_name=policy.plan.name,
            policyholder_member_id=policy.policyholder_id,
            insured_member_id=policy.insured_id,
            insured_name=policy.insured.name,
            sum_insured_fen=policy.sum_insured_fen,
            death_benefit_fen=policy.death_benefit_fen,
            base_premium_fen=policy.base_premium_fen if terms_visible else None,
            loading_pct=policy.loading_pct if terms_visible else None,
            premium_fen=policy.premium_fen,
            payment_years=policy.payment_years,
            effective_at=policy.effective_at,
            ends_at=policy.ends_at,
            first_effective_on=policy.first_effective_on,
            issued_at=policy.issued_at,
            cancelled_at=policy.cancelled_at,
            cooling_off_days=product.cooling_off_days,
            cooling_off_last_day=cooling_off_last_day(policy),
            exclusions_visible=exclusions is not None,
            exclusions=[ExclusionOut(**e) for e in exclusions] if exclusions is not None else None,
            refund_status=refund.status if refund is not None else None,
            refund_status_label=refund.label if refund is not None else None,
            refund_fen=refund.amount_fen if refund is not None else None,
        )


class CancelIn(Schema):
    reason: str = Field(default="", max_length=300)
