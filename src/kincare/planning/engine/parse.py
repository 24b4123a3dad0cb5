"""One family as JSON (the ``kincare plan`` contract) → ``FamilyIn``, or ``ValidationFailed``.

Strict: amounts are whole fen (JSON integers, never strings or booleans), dates ISO
``YYYY-MM-DD``, unknown fields are refused, and every error names its field
(``members.1.birth_date``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as PydanticValidationError

from kincare.core.errors import ValidationFailed
from kincare.core.money import Fen
from kincare.planning.engine.model import ExistingCover, FamilyIn, Finances, MemberIn
from kincare.underwriting.engine import DeclaredCondition

MAX_MEMBERS = 20
MAX_EXISTING = 200
Ident = StrictStr | StrictInt


def _iso_text(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("a date must be a string YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]
COVER_CATEGORIES = ("medical", "critical_illness", "accident", "term_life", "long_term_care", "disability_income")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemberJson(_Strict):
    member_id: Ident
    birth_date: IsoDate
    sex: Literal["M", "F"]
    annual_income_fen: Fen = 0
    social_insurance: StrictBool = True
    occupation_class: Annotated[StrictInt, Field(ge=1, le=6)] = 1
    smoker: StrictBool = False
    conditions: list[Any] = Field(default_factory=list, max_length=30)
    name: StrictStr = Field(default="", max_length=50)


class FinancesJson(_Strict):
    annual_expenses_fen: Fen = 0
    debts_fen: Fen = 0
    savings_fen: Fen = 0


class ExistingJson(_Strict):
    member_id: Ident
    category: Literal[COVER_CATEGORIES]  # type: ignore[valid-type]
    sum_insured_fen: Fen
    product_code: StrictStr = Field(default="", max_length=60)


class FamilyJson(_Strict):
    family_id: Ident
    as_of: IsoDate
    budget_fen: Fen | None = None
    members: list[MemberJson] = Field(min_length=1, max_length=MAX_MEMBERS)
    finances: FinancesJson | None = None
    existing: list[ExistingJson] = Field(default_factory=list, max_length=MAX_EXISTING)


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if not (isinstance(part, str) and part[:1].isupper()))


def parse_family(data: object) -> FamilyIn:
    if not isinstance(data, dict):
        raise ValidationFailed(_("每行应是一个 JSON 对象"), code="line_invalid")
    try:
        raw = FamilyJson.model_validate(data)
    except PydanticValidationError as exc:
        error = exc.errors()[0]
        kind = error.get("type", "")
        code = {"missing": "field_missing", "extra_forbidden": "field_unknown"}.get(kind, "field_invalid")
        raise ValidationFailed(str(error.get("msg", "")), code=code, field=_field(tuple(error["loc"]))) from None
    members = []
    seen: set[str] = set()
    for index, member in enumerate(raw.members):
        member_id = str(member.member_id)
        if member_id in seen:
            raise ValidationFailed(_("成员编号重复"), code="member_duplicate", field=f"members.{index}.member_id")
        seen.add(member_id)
        if member.birth_date > raw.as_of or member.birth_date.year < 1890:
            raise ValidationFailed(_("出生日期不合理"), code="birth_date_invalid", field=f"members.{index}.birth_date")
        conditions = []
        for position, condition in enumerate(member.conditions):
            try:
                conditions.append(DeclaredCondition.parse(condition, position=position))
            except ValidationFailed as exc:
                exc.field = f"members.{index}.{exc.field}"
                raise
        members.append(
            MemberIn(
                member_id=member_id,
                birth_date=member.birth_date,
                sex=member.sex,
                annual_income_fen=member.annual_income_fen,
                social_insurance=member.social_insurance,
                occupation_class=member.occupation_class,
                smoker=member.smoker,
                conditions=tuple(conditions),
                name=member.name,
            )
        )
    existing = []
    for index, cover in enumerate(raw.existing):
        if str(cover.member_id) not in seen:
            raise ValidationFailed(_("没有这个成员"), code="member_unknown", field=f"existing.{index}.member_id")
        existing.append(
            ExistingCover(
                member_id=str(cover.member_id),
                category=cover.category,
                sum_insured_fen=cover.sum_insured_fen,
                product_code=cover.product_code,
                source="platform" if cover.product_code else "external",
            )
        )
    finances = (
        Finances(
            annual_expenses_fen=raw.finances.annual_expenses_fen,
            debts_fen=raw.finances.debts_fen,
            savings_fen=raw.finances.savings_fen,
        )
        if raw.finances is not None
        else Finances(known=False)
    )
    return FamilyIn(
        family_id=str(raw.family_id),
        as_of=raw.as_of,
        members=tuple(members),
        finances=finances,
        existing=tuple(existing),
        budget_fen=raw.budget_fen,
    )


def family_json(family: FamilyIn) -> dict[str, Any]:
    """The inverse of ``parse_family``: what a stored plan keeps as its inputs."""
    return {
        "family_id": family.family_id,
        "as_of": family.as_of.isoformat(),
        "budget_fen": family.budget_fen,
        "members": [
            {
                "member_id": m.member_id,
                "birth_date": m.birth_date.isoformat(),
                "sex": m.sex,
                "annual_income_fen": m.annual_income_fen,
                "social_insurance": m.social_insurance,
                "occupation_class": m.occupation_class,
                "smoker": m.smoker,
                "conditions": [c.as_json() for c in m.conditions],
                "name": m.name,
            }
            for m in family.members
        ],
        "finances": (
            {
                "annual_expenses_fen": family.finances.annual_expenses_fen,
                "debts_fen": family.finances.debts_fen,
                "savings_fen": family.finances.savings_fen,
            }
            if family.finances.known
            else None
        ),
        "existing": [
            {
                "member_id": c.member_id,
                "category": c.category,
                "sum_insured_fen": c.sum_insured_fen,
                "product_code": c.product_code,
            }
            for c in family.existing
        ],
    }
