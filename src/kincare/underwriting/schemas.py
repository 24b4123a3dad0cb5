"""API schemas of underwriting: questionnaires (questions + attribute forms) and decisions.

The attribute form of each condition is derived from the declaration models in
``kincare.families.conditions`` (``CONDITION_MODELS``: names, types, bounds, allowed values)
and labelled with ``ATTRIBUTE_LABELS``, so the API, the pages and validation never disagree.
A decision is shown in plain Chinese (``decision_summary``) next to its codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import Field

from kincare.families.conditions import (
    ATTRIBUTE_LABELS,
    CONDITION_MODELS,
    HEPATITIS_B_STATUS_LABELS,
    condition_label,
)
from kincare.underwriting.models import UnderwritingDecision

#: labels of enumerated attribute values that are not self-explanatory
VALUE_LABELS: dict[tuple[str, str], dict[Any, Any]] = {
    ("hepatitis_b", "status"): dict(HEPATITIS_B_STATUS_LABELS),
    ("diabetes", "type"): {1: gettext_lazy("1 型糖尿病"), 2: gettext_lazy("2 型糖尿病")},
}

_JSON_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "text"}


class ChoiceOut(Schema):
    value: Any = Field(description="the value to send (a string or an integer)")
    label: str


class AttributeOut(Schema):
    name: str = Field(description="the key in the condition's `attributes` object")
    label: str
    type: str = Field(description="integer | number | boolean | choice | text")
    required: bool
    minimum: int | float | None = None
    maximum: int | float | None = None
    max_length: int | None = None
    choices: list[ChoiceOut] = Field(default_factory=list, description="allowed values of a `choice` attribute")


class QuestionOut(Schema):
    condition: str = Field(description="the condition code sent back in answers")
    label: str = Field(description="the condition's name, e.g. 高血压")
    text: str = Field(description="the question as the family reads it")
    attributes: list[AttributeOut] = Field(description="follow-up fields asked when the answer is yes")


class QuestionnaireOut(Schema):
    product_code: str
    questionnaire: str | None = Field(description="null: the product asks no health questions")
    questions: list[QuestionOut]


def condition_attributes(code: str) -> list[AttributeOut]:
    """The follow-up fields of one condition, from its declaration model's JSON schema."""
    model = CONDITION_MODELS[code]
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        labels = VALUE_LABELS.get((code, name), {})
        choices = [ChoiceOut(value=v, label=str(labels.get(v, v))) for v in prop.get("enum", ())]
        out.append(
            AttributeOut(
                name=name,
                label=str(ATTRIBUTE_LABELS.get(name, name)),
                type="choice" if choices else _JSON_TYPES.get(str(prop.get("type")), "text"),
                required=name in required,
                minimum=prop.get("minimum"),
                maximum=prop.get("maximum"),
                max_length=prop.get("maxLength"),
                choices=choices,
            )
        )
    return out


def questions_out(questions: list[dict[str, str]]) -> list[QuestionOut]:
    """``questions_for(...)`` rows with their labels and attribute forms."""
    return [
        QuestionOut(
            condition=q["condition"],
            label=condition_label(q["condition"]),
            text=q["text"],
            attributes=condition_attributes(q["condition"]),
        )
        for q in questions
    ]


# Decisions -------------------------------------------------------------------------------


class ExclusionOut(Schema):
    icd10: list[str] = Field(description="ICD-10 code prefixes excluded from cover")
    description: str


class ConditionDecisionOut(Schema):
    code: str
    label: str
    outcome: str = Field(description="standard | loading | exclusion | postpone | decline | manual")
    loading_pct: int
    postpone_months: int
    message: str = Field(description="why, in plain Chinese")


class DecisionOut(Schema):
    id: int
    member_id: int
    product_code: str
    outcome: str = Field(description="standard | conditional | postpone | manual | decline")
    outcome_label: str
    status: str = Field(description="pending (an underwriter decides) | decided | withdrawn")
    decided_by: str = Field(description="engine | underwriter | '' while pending")
    loading_pct: int
    exclusions: list[ExclusionOut]
    postpone_months: int
    reasons: list[str] = Field(description="stable reason codes")
    summary: str = Field(description="the decision in one plain Chinese sentence")
    conditions: list[ConditionDecisionOut]
    decided_at: dt.datetime | None
    valid_until: dt.date | None

    @staticmethod
    def build(decision: UnderwritingDecision) -> DecisionOut:
        result = decision.engine_result or {}
        conditions = [
            ConditionDecisionOut(
                code=str(c.get("code", "")),
                label=condition_label(str(c.get("code", ""))),
                outcome=str(c.get("outcome", "")),
                loading_pct=int(c.get("loading_pct") or 0),
                postpone_months=int(c.get("postpone_months") or 0),
                message=str(c.get("message", "")),
            )
            for c in result.get("conditions", ())
        ]
        return DecisionOut(
            id=decision.pk,
            member_id=decision.member_id,
            product_code=decision.product.code,
            outcome=decision.outcome,
            outcome_label=str(decision.get_outcome_display()),
            status=decision.status,
            decided_by=decision.decided_by or "",
            loading_pct=decision.loading_pct,
            exclusions=[ExclusionOut(**e) for e in (decision.exclusions or [])],
            postpone_months=decision.postpone_months,
            reasons=list(decision.reasons or []),
            summary=decision_summary(decision),
            conditions=conditions,
            decided_at=decision.decided_at,
            valid_until=decision.valid_until,
        )


def decision_summary(decision: UnderwritingDecision) -> str:
    """The decision in plain Chinese: 标准体承保 / 加费 25% 承保 / 除外… / 延期 6 个月 / 拒保 — and why."""
    if decision.status == UnderwritingDecision.Status.PENDING:
        return _("需要核保人员人工审核，审核结果会通过消息通知你")
    if decision.status == UnderwritingDecision.Status.WITHDRAWN:
        return _("该核保结果已撤回")
    messages = [
        str(c.get("message"))
        for c in (decision.engine_result or {}).get("conditions", ())
        if c.get("message") and c.get("outcome") == _rule_outcome(decision.outcome)
    ]
    why = "；".join(dict.fromkeys(messages))
    outcome = decision.outcome
    if outcome == UnderwritingDecision.Outcome.STANDARD:
        return _("标准体承保：按标准保费承保")
    if outcome == UnderwritingDecision.Outcome.CONDITIONAL:
        terms = []
        if decision.loading_pct:
            terms.append(_("加费 %(pct)d%%") % {"pct": decision.loading_pct})
        descriptions = [str(e.get("description", "")) for e in (decision.exclusions or []) if e.get("description")]
        if descriptions:
            terms.append(_("除外%(what)s") % {"what": "、".join(descriptions)})
        return _("有条件承保：%(terms)s") % {"terms": "，".join(terms) or _("按核保人员给出的条件承保")}
    if outcome == UnderwritingDecision.Outcome.POSTPONE:
        text = _("暂时不能承保，请 %(months)d 个月后再申请") % {"months": decision.postpone_months}
        return f"{text}（{why}）" if why else text
    if outcome == UnderwritingDecision.Outcome.DECLINE:
        if "loading_over_limit" in (decision.reasons or []):
            why = "；".join(filter(None, [why, _("累计加费超过 150%")]))
        text = _("很抱歉，未通过核保")
        return f"{text}：{why}" if why else text
    return _("需要核保人员人工审核，审核结果会通过消息通知你")


def _rule_outcome(outcome: str) -> str:
    # the per-condition outcome whose messages explain a combined outcome
    return {"postpone": "postpone", "decline": "decline"}.get(outcome, "")
