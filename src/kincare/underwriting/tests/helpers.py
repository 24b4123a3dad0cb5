"""Helpers for the operator-side underwriting tests (rule tables, referred cases, the policies hook)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kincare.accounts.models import User
from kincare.accounts.services import staff_user_create
from kincare.catalog.models import Product
from kincare.families.models import Member
from kincare.policies.tests.fixtures import hypertension
from kincare.underwriting.engine.shipped import RULES_DIR
from kincare.underwriting.form_schemas import conditions_parsed
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.services import decision_listeners, underwriting_decide

QUESTIONNAIRE = "medical_chronic"
OTHER_TEXT = "腰椎间盘突出，正在理疗"


def chronic_product() -> Product:
    product = Product.objects.filter(is_current=True, questionnaire_code=QUESTIONNAIRE).order_by("code").first()
    assert product is not None, "the sample catalog has a medical_chronic product"
    return product


def shipped_text(condition: str = "hypertension") -> str:
    return (RULES_DIR / QUESTIONNAIRE / f"{condition}.json").read_text(encoding="utf-8")


def table_with(condition: str = "hypertension", **changes: Any) -> dict[str, Any]:
    """The shipped table with the output cells of rule ``rule_id`` replaced: table_with(rule=..., out_x=...)."""
    data = json.loads(shipped_text(condition))
    rule_id = changes.pop("rule")
    table = next(n for n in data["nodes"] if n["type"] == "decisionTableNode")["content"]
    row = next(r for r in table["rules"] if r["_id"] == rule_id)
    row.update(changes)
    return data


def grade3_declines() -> str:
    """The shipped hypertension table, except grade 3 is declined instead of referred."""
    return json.dumps(
        table_with(rule="hypertension_02", out_outcome='"decline"', out_message='"3级高血压，本产品无法承保"'),
        ensure_ascii=False,
    )


def other(description: str = OTHER_TEXT) -> dict[str, Any]:
    return {"code": "other", "attributes": {"description": description}}


def referred(actor: User, member: Member, *conditions: dict[str, Any]) -> UnderwritingDecision:
    """A pending manual decision (a free-text "other" condition always goes to a person)."""
    decision = underwriting_decide(
        actor=actor,
        member=member,
        product=chronic_product(),
        conditions=conditions_parsed(list(conditions) or [other()]),
    )
    assert decision.status == UnderwritingDecision.Status.PENDING
    return decision


def engine_decided(actor: User, member: Member) -> UnderwritingDecision:
    decision = underwriting_decide(
        actor=actor, member=member, product=chronic_product(), conditions=conditions_parsed([])
    )
    assert decision.decided_by == UnderwritingDecision.DecidedBy.ENGINE
    return decision


def claims_adjuster() -> User:
    return staff_user_create(
        phone="13900008802", password="Claims-2026-ok!", role="claims_adjuster", display_name="理赔员乙"
    )


@pytest.fixture
def on_decision_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records each call of the policies decision listener (``application_on_decision``); the real
    listener still runs when one is registered."""
    calls: list[Any] = []
    real = decision_listeners.get("policies")

    def spy(*, decision: Any) -> Any:
        calls.append(decision)
        return real(decision=decision) if real is not None else None

    monkeypatch.setitem(decision_listeners.entries, "policies", spy)
    return calls


__all__ = ["hypertension"]
