"""``underwrite(book, applicant)``: declared conditions → one decision with the rule that fired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kincare.families.conditions import validate_declaration
from kincare.underwriting.engine.outcomes import (
    ConditionOutcome,
    Decision,
    Exclusion,
    RuleHit,
    combine,
)
from kincare.underwriting.engine.rules import RuleTable, evaluate_table


@dataclass(frozen=True)
class DeclaredCondition:
    code: str
    attributes: dict[str, Any]
    diagnosed_on: dt.date | None = None

    @classmethod
    def parse(cls, data: object, *, position: int = 0) -> DeclaredCondition:
        """From ``{"code", "attributes", "diagnosed_on"?}``; ValidationFailed names the field."""
        from kincare.core.errors import ValidationFailed

        if not isinstance(data, dict):
            raise ValidationFailed(_("疾病告知格式不正确"), code="condition_invalid", field=f"conditions.{position}")
        try:
            clean = validate_declaration(data.get("code"), data.get("attributes", {}), data.get("diagnosed_on"))
        except ValidationFailed as exc:
            exc.field = f"conditions.{position}.{exc.field}" if exc.field else f"conditions.{position}"
            raise
        diagnosed = clean["diagnosed_on"]
        return cls(
            code=clean["code"],
            attributes=clean["attributes"],
            diagnosed_on=dt.date.fromisoformat(diagnosed) if diagnosed else None,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "attributes": self.attributes,
            "diagnosed_on": self.diagnosed_on.isoformat() if self.diagnosed_on else None,
        }


@dataclass(frozen=True)
class Applicant:
    conditions: tuple[DeclaredCondition, ...] = ()
    age: int | None = None
    sex: str | None = None


@dataclass(frozen=True)
class RuleBook:
    """The active tables of one questionnaire, by condition code."""

    questionnaire: str
    tables: Mapping[str, RuleTable] = field(default_factory=dict)

    def versions(self) -> dict[str, int]:
        return {code: table.version for code, table in sorted(self.tables.items())}


def _context(condition: DeclaredCondition, applicant: Applicant, on_date: dt.date) -> dict[str, Any]:
    context: dict[str, Any] = dict(condition.attributes)
    if applicant.age is not None:
        context["age"] = applicant.age
    if applicant.sex is not None:
        context["sex"] = applicant.sex
    if condition.diagnosed_on is not None:
        context["years_since_diagnosis"] = max(0, (on_date - condition.diagnosed_on).days // 365)
    return context


def condition_outcome(
    book: RuleBook, condition: DeclaredCondition, applicant: Applicant, on_date: dt.date, *, trace: bool = True
) -> ConditionOutcome:
    if condition.code == "other":
        return ConditionOutcome(
            code="other",
            outcome="manual",
            reason="other.free_text",
            message=_("告知了其他疾病，需要核保人员人工审核"),
            attributes=condition.attributes,
        )
    table = book.tables.get(condition.code)
    if table is None:
        return ConditionOutcome(
            code=condition.code,
            outcome="manual",
            reason=f"{condition.code}.no_rule",
            message=_("该产品没有这项疾病的核保规则，需要人工审核"),
            attributes=condition.attributes,
        )
    result = evaluate_table(table, _context(condition, applicant, on_date), trace=trace)
    values = result.values
    hit = RuleHit(
        table=table.name,
        version=table.version,
        rule_id=result.rule_id,
        index=result.index,
        description=result.description,
    )
    outcome = values.get("outcome")
    if not values or outcome is None:
        return ConditionOutcome(
            code=condition.code,
            outcome="manual",
            reason=f"{condition.code}.no_rule_matched",
            message=_("告知的情况不在自动核保规则内，需要人工审核"),
            rule=hit,
            attributes=condition.attributes,
        )
    exclusions: tuple[Exclusion, ...] = ()
    if outcome == "exclusion":
        exclusions = (
            Exclusion(icd10=tuple(values.get("exclusions") or ()), description=str(values.get("exclusion_text", ""))),
        )
    return ConditionOutcome(
        code=condition.code,
        outcome=str(outcome),
        reason=str(values.get("reason", "")),
        message=str(values.get("message", "")),
        loading_pct=int(values.get("loading_pct") or 0) if outcome == "loading" else 0,
        exclusions=exclusions,
        postpone_months=int(values.get("postpone_months") or 0) if outcome == "postpone" else 0,
        rule=hit,
        attributes=condition.attributes,
    )


def underwrite(
    book: RuleBook | None, applicant: Applicant, *, on_date: dt.date | None = None, trace: bool = True
) -> Decision:
    """The decision for one applicant and one product's rule book.

    ``book`` is None for a product that asks no health questions (accident cover): standard.
    ``trace=False`` leaves out which rule row fired (for planning, which stores no decision).
    """
    if book is None:
        return Decision(outcome="standard")
    today = on_date or dt.date.today()
    return combine([condition_outcome(book, c, applicant, today, trace=trace) for c in applicant.conditions])
