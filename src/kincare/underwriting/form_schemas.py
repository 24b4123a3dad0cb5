"""Underwriting input as the edge parses it: declared conditions and an underwriter's terms.

The API schemas, the pages' forms, the admin and the CLI parse raw values here, once; the
services take the typed results (``tuple[DeclaredCondition, ...]``, ``ManualTerms``) and trust
them. Every error is a ``ValidationFailed`` with a stable code and the field it names (a domain
error, not a ValueError, so it leaves pydantic as it is and the API answers its own code).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, model_validator

from kincare.core.errors import ValidationFailed
from kincare.underwriting.engine import DeclaredCondition
from kincare.underwriting.engine.rules import ICD10_PREFIX

MAX_CONDITIONS = 20
MANUAL_OUTCOMES = ("standard", "conditional", "postpone", "decline")
MAX_MANUAL_LOADING_PCT = 150
MAX_POSTPONE_MONTHS = 60
MAX_EXCLUSIONS = 10
MAX_EXCLUSION_TEXT = 200
MAX_DECISION_NOTE = 2000


def conditions_parsed(conditions: object) -> tuple[DeclaredCondition, ...]:
    """``[{"code", "attributes", "diagnosed_on"?}]`` (None: none) as the engine's conditions."""
    if conditions is None:
        return ()
    if not isinstance(conditions, list):
        raise ValidationFailed(_("疾病告知应为列表"), code="conditions_invalid", field="conditions")
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationFailed(
            _("一次最多告知 %(n)d 项疾病") % {"n": MAX_CONDITIONS}, code="conditions_too_many", field="conditions"
        )
    return tuple(DeclaredCondition.parse(item, position=i) for i, item in enumerate(conditions))


def _whole_number(value: object, *, field: str, code: str, low: int, high: int, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(message, code=code, field=field)
    return value


def exclusions_parsed(exclusions: object) -> list[dict[str, Any]]:
    """``[{"icd10": ["B18", ...], "description"}]`` normalised (upper-case prefixes) or ValidationFailed."""
    if exclusions is None:
        return []
    if not isinstance(exclusions, list) or len(exclusions) > MAX_EXCLUSIONS:
        raise ValidationFailed(_("除外责任格式不正确"), code="exclusions_invalid", field="exclusions")
    clean = []
    for position, item in enumerate(exclusions):
        field = f"exclusions.{position}"
        if not isinstance(item, dict):
            raise ValidationFailed(_("除外责任格式不正确"), code="exclusions_invalid", field=field)
        codes = item.get("icd10")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            raise ValidationFailed(
                _("请填写除外疾病的 ICD-10 编码前缀，例如 B18、K70"), code="exclusion_icd10_invalid", field=field
            )
        prefixes = list(dict.fromkeys(c.strip().upper() for c in codes))
        wrong = [c for c in prefixes if not ICD10_PREFIX.match(c)]
        if wrong:
            raise ValidationFailed(
                _("不是有效的 ICD-10 编码前缀：%(codes)s") % {"codes": "、".join(wrong)},
                code="exclusion_icd10_invalid",
                field=field,
            )
        description = item.get("description")
        if not isinstance(description, str) or not description.strip():
            raise ValidationFailed(
                _("请填写写在保单上的除外责任说明"), code="exclusion_description_required", field=field
            )
        if len(description.strip()) > MAX_EXCLUSION_TEXT:
            raise ValidationFailed(
                _("除外责任说明最多 %(n)d 个字") % {"n": MAX_EXCLUSION_TEXT},
                code="exclusion_description_too_long",
                field=field,
            )
        clean.append({"icd10": prefixes, "description": description.strip()})
    return clean


def _terms(data: dict[str, Any]) -> dict[str, Any]:
    outcome = data.get("outcome")
    loading_pct = data.get("loading_pct")
    postpone_months = data.get("postpone_months")
    if outcome not in MANUAL_OUTCOMES:
        raise ValidationFailed(_("请选择核保结论"), code="outcome_invalid", field="outcome")
    loading_pct = 0 if loading_pct is None else loading_pct
    postpone_months = 0 if postpone_months is None else postpone_months
    exclusions = exclusions_parsed(data.get("exclusions"))
    terms: dict[str, Any] = {"outcome": outcome, "loading_pct": 0, "exclusions": [], "postpone_months": 0}
    if outcome == "conditional":
        loading = _whole_number(
            loading_pct,
            field="loading_pct",
            code="loading_invalid",
            low=0,
            high=MAX_MANUAL_LOADING_PCT,
            message=_("加费比例为 1–%(n)d 的整数") % {"n": MAX_MANUAL_LOADING_PCT},
        )
        if not loading and not exclusions:
            raise ValidationFailed(
                _("有条件承保需要加费或除外责任（或两者）"), code="conditional_terms_required", field="loading_pct"
            )
        return {**terms, "loading_pct": loading, "exclusions": exclusions}
    if loading_pct != 0 or exclusions:
        raise ValidationFailed(
            _("只有“有条件承保”可以加费或约定除外责任"), code="terms_not_allowed", field="loading_pct"
        )
    if outcome == "postpone":
        months = _whole_number(
            postpone_months,
            field="postpone_months",
            code="postpone_months_invalid",
            low=1,
            high=MAX_POSTPONE_MONTHS,
            message=_("延期月数为 1–%(n)d 的整数") % {"n": MAX_POSTPONE_MONTHS},
        )
        return {**terms, "postpone_months": months}
    if postpone_months != 0:
        raise ValidationFailed(_("只有“延期”需要填写延期月数"), code="terms_not_allowed", field="postpone_months")
    return terms


class ManualTerms(BaseModel):
    """What an underwriter decides for a referred case, checked as a whole: only ``conditional``
    carries a loading and exclusions (at least one of them), only ``postpone`` its months, and a
    note (the reason) is required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: str
    loading_pct: int = 0
    exclusions: list[dict[str, Any]] = []
    postpone_months: int = 0
    note: str

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationFailed(_("提交的内容格式不正确"), code="invalid")
        terms = _terms(data)
        note = data.get("note")
        note = note.strip() if isinstance(note, str) else ""
        if not note:
            raise ValidationFailed(_("请填写核保意见（决定的理由）"), code="note_required", field="note")
        if len(note) > MAX_DECISION_NOTE:
            raise ValidationFailed(
                _("核保意见最多 %(n)d 个字") % {"n": MAX_DECISION_NOTE}, code="note_too_long", field="note"
            )
        return {**terms, "note": note}
