"""Policies input as the edge parses it (the API schemas and the pages' forms both end here).

The services take the typed values and trust them. Every error is a ``ValidationFailed`` with
the stable code and field the services used to raise (a domain error, not a ValueError, so it
leaves pydantic as it is and the API answers its own code).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from kincare.catalog.models import Category
from kincare.core.errors import ValidationFailed
from kincare.core.money import MAX_FEN
from kincare.families.models import Relationship

MAX_BENEFICIARIES = 10
MAX_BENEFICIARY_NAME = 50

_TEXT_LIMITS = {"insurer_name": (120, True), "product_name": (120, True), "policy_number": (64, False)}


def _text(value: object, *, field: str) -> str:
    max_length, required = _TEXT_LIMITS[field]
    text = value.strip() if isinstance(value, str) else None
    if text is None or (required and not text) or len(text) > max_length or "\x00" in text:
        raise ValidationFailed(_("请填写不超过 %(n)d 个字") % {"n": max_length}, code=f"{field}_invalid", field=field)
    return text


def _fen(value: object, *, field: str, allow_zero: bool) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_FEN:
        raise ValidationFailed(_("金额无效"), code="amount_invalid", field=field)
    if value == 0 and not allow_zero:
        raise ValidationFailed(_("金额必须大于 0"), code="amount_invalid", field=field)
    return value


def _date(value: object, *, field: str, required: bool) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise ValidationFailed(_("请填写日期"), code="date_invalid", field=field)
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), code="date_invalid", field=field) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), code="date_invalid", field=field)
    return value


class ExternalPolicyInput(BaseModel):
    """A policy bought elsewhere as the family records it: names stripped, amounts in fen, dates.

    ``external_policy_add(**input.model_dump())`` takes it; the period's fit to the insured (not
    before birth, not too far ahead, ending after it starts) is the service's to check.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    insurer_name: str
    product_name: str
    category: str
    sum_insured_fen: int
    premium_fen: int = 0
    starts_on: dt.date
    ends_on: dt.date | None = None
    policy_number: str = ""

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: object) -> object:
        if value not in Category.values:
            raise ValidationFailed(_("请选择保险类别"), code="category_unknown", field="category")
        return value

    @field_validator("insurer_name", "product_name", "policy_number", mode="before")
    @classmethod
    def _texts(cls, value: object, info: ValidationInfo) -> str:
        return _text("" if value is None and info.field_name == "policy_number" else value, field=str(info.field_name))

    @field_validator("sum_insured_fen", "premium_fen", mode="before")
    @classmethod
    def _amounts(cls, value: object, info: ValidationInfo) -> int:
        return _fen(value, field=str(info.field_name), allow_zero=info.field_name == "premium_fen")

    @field_validator("starts_on", "ends_on", mode="before")
    @classmethod
    def _dates(cls, value: object, info: ValidationInfo) -> Any:
        return _date(value, field=str(info.field_name), required=info.field_name == "starts_on")


def _named(named: object) -> list[dict[str, Any]]:
    invalid = ValidationFailed(_("受益人信息格式不正确"), code="beneficiaries_invalid", field="beneficiaries")
    if not isinstance(named, list) or not named or len(named) > MAX_BENEFICIARIES:
        raise ValidationFailed(
            _("请填写 1–%(n)d 位指定受益人") % {"n": MAX_BENEFICIARIES},
            code="beneficiaries_invalid",
            field="beneficiaries.named",
        )
    relationships = {value for value in Relationship.values if value != Relationship.SELF}
    clean = []
    for position, item in enumerate(named):
        field = f"beneficiaries.named.{position}"
        if not isinstance(item, dict):
            raise invalid
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_BENEFICIARY_NAME:
            raise ValidationFailed(_("请填写受益人姓名"), code="beneficiary_name_invalid", field=f"{field}.name")
        relationship = item.get("relationship")
        if relationship not in relationships:
            raise ValidationFailed(
                _("请选择受益人与被保险人的关系"),
                code="beneficiary_relationship_invalid",
                field=f"{field}.relationship",
            )
        share = item.get("share_pct")
        if isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 100:
            raise ValidationFailed(
                _("受益比例为 1–100 的整数"), code="beneficiary_shares_invalid", field=f"{field}.share_pct"
            )
        entry: dict[str, Any] = {"name": name.strip(), "relationship": relationship, "share_pct": share}
        member_id = item.get("member_id")
        if member_id is not None:
            if isinstance(member_id, bool) or not isinstance(member_id, int):
                raise invalid
            entry["member_id"] = member_id
        clean.append(entry)
    if sum(entry["share_pct"] for entry in clean) != 100:
        raise ValidationFailed(
            _("受益比例合计须为 100%"), code="beneficiary_shares_invalid", field="beneficiaries.named"
        )
    return clean


class Beneficiaries(BaseModel):
    """身故受益人 as given: ``{"kind": "legal"}`` or named people (name stripped, a relationship
    other than self, integer shares of 1–100 adding up to 100, an optional family ``member_id``).
    Whether a named member belongs to the family and is not an insured is the service's check."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    named: list[dict[str, Any]] = []

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("kind") not in ("legal", "named"):
            raise ValidationFailed(_("受益人信息格式不正确"), code="beneficiaries_invalid", field="beneficiaries")
        if data["kind"] == "legal":
            return {"kind": "legal"}
        return {"kind": "named", "named": _named(data.get("named"))}

    def as_json(self) -> dict[str, Any]:
        return {"kind": "legal"} if self.kind == "legal" else {"kind": "named", "named": list(self.named)}
