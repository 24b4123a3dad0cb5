"""The edge parses declared conditions and an underwriter's terms once; the services take the
typed values (``tuple[DeclaredCondition, ...]``, ``ManualTerms``)."""

from __future__ import annotations

import pytest

from kincare.core.errors import ValidationFailed
from kincare.underwriting.engine import DeclaredCondition
from kincare.underwriting.form_schemas import ManualTerms, conditions_parsed


def test_declared_conditions_become_the_engines_conditions():
    parsed = conditions_parsed([{"code": "other", "attributes": {"description": "心律不齐"}}])
    assert parsed == (DeclaredCondition(code="other", attributes={"description": "心律不齐"}),)
    assert conditions_parsed(None) == conditions_parsed([]) == ()


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ("hypertension", "conditions_invalid", "conditions"),
        ([{"code": "other", "attributes": {"description": "x"}}] * 21, "conditions_too_many", "conditions"),
        (["hypertension"], "condition_invalid", "conditions.0"),
    ],
)
def test_nasty_conditions_are_refused_at_the_edge(raw, code, field):
    with pytest.raises(ValidationFailed) as refused:
        conditions_parsed(raw)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_manual_terms_are_normalised_as_a_whole():
    terms = ManualTerms(
        outcome="conditional",
        loading_pct=None,  # type: ignore[arg-type]
        exclusions=[{"icd10": [" k70 ", "K70"], "description": " 酒精性肝病 "}],
        note="  戒酒两年  ",
    )
    assert terms.model_dump() == {
        "outcome": "conditional",
        "loading_pct": 0,
        "exclusions": [{"icd10": ["K70"], "description": "酒精性肝病"}],
        "postpone_months": 0,
        "note": "戒酒两年",
    }


def test_manual_terms_refuse_anything_but_a_mapping():
    with pytest.raises(ValidationFailed) as refused:
        ManualTerms.model_validate(["standard"])
    assert refused.value.code == "invalid"
