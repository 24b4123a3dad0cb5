"""Combining per-condition outcomes (spec, "Combining outcomes over several conditions"), with Hypothesis:

decline > postpone (the longest) > manual > terms; loadings add, a total above 150% declines,
exclusions are the union; no conditions → standard; the order of the conditions never matters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kincare.underwriting.engine import (
    MAX_TOTAL_LOADING_PCT,
    Applicant,
    ConditionOutcome,
    Decision,
    DeclaredCondition,
    Exclusion,
    combine,
    underwrite,
)
from kincare.underwriting.engine.shipped import shipped_book

ICD = st.sampled_from(["B18", "K70", "K74", "C22", "C73", "I10", "I11", "E78", "O", "C50", "R91", "D14.3"])
EXCLUSION = st.builds(
    Exclusion,
    icd10=st.lists(ICD, min_size=1, max_size=4, unique=True).map(tuple),
    description=st.sampled_from(["肝脏疾病", "甲状腺恶性肿瘤", "高血压及其并发症"]),
)
CODES = st.sampled_from(["hypertension", "diabetes", "hepatitis_b", "thyroid_nodule", "lung_nodule", "other"])


@st.composite
def condition_outcomes(
    draw: st.DrawFn, outcomes: tuple[str, ...] = ("standard", "loading", "exclusion", "postpone", "decline", "manual")
) -> ConditionOutcome:
    outcome = draw(st.sampled_from(outcomes))
    code = draw(CODES)
    return ConditionOutcome(
        code=code,
        outcome=outcome,
        reason=f"{code}.{outcome}_{draw(st.integers(0, 3))}",
        message="…",
        loading_pct=draw(st.integers(1, 300)) if outcome == "loading" else 0,
        exclusions=(draw(EXCLUSION),) if outcome == "exclusion" else (),
        postpone_months=draw(st.integers(1, 60)) if outcome == "postpone" else 0,
    )


ANY = st.lists(condition_outcomes(), max_size=8)
TERMS = st.lists(condition_outcomes(("standard", "loading", "exclusion")), max_size=8)


def exclusion_keys(decision: Decision) -> set[tuple[str, ...]]:
    return {tuple(sorted(e.icd10)) for e in decision.exclusions}


def test_no_conditions_is_standard() -> None:
    assert combine([]) == Decision(outcome="standard")


@given(ANY)
def test_a_decline_wins_over_everything(conditions: list[ConditionOutcome]) -> None:
    decision = combine(conditions)
    declines = [c for c in conditions if c.outcome == "decline"]
    if declines:
        assert decision.outcome == "decline"
        assert set(decision.reasons) == {c.reason for c in declines}
        assert decision.loading_pct == 0 and decision.exclusions == () and decision.postpone_months == 0


@given(ANY)
def test_postpone_comes_next_and_takes_the_longest(conditions: list[ConditionOutcome]) -> None:
    decision = combine(conditions)
    postpones = [c for c in conditions if c.outcome == "postpone"]
    if postpones and not any(c.outcome == "decline" for c in conditions):
        assert decision.outcome == "postpone"
        assert decision.postpone_months == max(c.postpone_months for c in postpones)
        assert set(decision.reasons) == {c.reason for c in postpones}


@given(ANY)
def test_manual_beats_any_terms(conditions: list[ConditionOutcome]) -> None:
    decision = combine(conditions)
    outcomes = {c.outcome for c in conditions}
    if "manual" in outcomes and not outcomes & {"decline", "postpone"}:
        assert decision.outcome == "manual"
        assert set(decision.reasons) == {c.reason for c in conditions if c.outcome == "manual"}
        assert not decision.automated


@given(TERMS)
def test_loadings_add_up_and_exclusions_are_the_union(conditions: list[ConditionOutcome]) -> None:
    decision = combine(conditions)
    total = sum(c.loading_pct for c in conditions)
    termed = [c for c in conditions if c.outcome in ("loading", "exclusion")]
    if total > MAX_TOTAL_LOADING_PCT:
        assert decision.outcome == "decline"
        assert "loading_over_limit" in decision.reasons
    elif termed:
        assert decision.outcome == "conditional" and decision.accepted
        assert decision.loading_pct == total
        assert exclusion_keys(decision) == {tuple(sorted(e.icd10)) for c in conditions for e in c.exclusions}
        assert len(decision.exclusions) == len(exclusion_keys(decision))  # one entry per distinct set
    else:
        assert decision.outcome == "standard" and decision.loading_pct == 0 and decision.exclusions == ()


@given(st.lists(st.integers(1, 300), min_size=1, max_size=6))
def test_a_total_loading_above_150_declines(loadings: list[int]) -> None:
    conditions = [
        ConditionOutcome(code="diabetes", outcome="loading", reason="diabetes.x", message="…", loading_pct=pct)
        for pct in loadings
    ]
    decision = combine(conditions)
    assert decision.outcome == ("decline" if sum(loadings) > 150 else "conditional")
    if sum(loadings) == 150:
        assert decision.loading_pct == 150


@given(st.data(), ANY)
def test_the_order_of_the_conditions_never_matters(data: st.DataObject, conditions: list[ConditionOutcome]) -> None:
    shuffled = data.draw(st.permutations(conditions))
    a, b = combine(conditions), combine(shuffled)
    assert (a.outcome, a.loading_pct, a.postpone_months) == (b.outcome, b.loading_pct, b.postpone_months)
    assert set(a.reasons) == set(b.reasons)
    assert exclusion_keys(a) == exclusion_keys(b)


# -- the same properties through the engine with the shipped tables ---------------------------------

ATTRIBUTES: dict[str, Any] = {
    "hypertension": st.fixed_dictionaries(
        {
            "grade": st.integers(1, 3),
            "controlled": st.booleans(),
            "years": st.integers(0, 30),
            "complications": st.booleans(),
        }
    ),
    "diabetes": st.fixed_dictionaries(
        {
            "type": st.sampled_from([1, 2]),
            "hba1c": st.floats(4, 14).map(lambda x: round(x, 1)),
            "complications": st.booleans(),
            "insulin": st.booleans(),
        }
    ),
    "hyperlipidemia": st.fixed_dictionaries(
        {"ldl": st.floats(1, 10).map(lambda x: round(x, 1)), "on_medication": st.booleans()}
    ),
    "hepatitis_b": st.fixed_dictionaries(
        {
            "status": st.sampled_from(["carrier", "small_three_positive", "big_three_positive"]),
            "liver_function_normal": st.booleans(),
            "hbv_dna_positive": st.booleans(),
            "cirrhosis": st.booleans(),
        }
    ),
    "thyroid_nodule": st.fixed_dictionaries(
        {"tirads": st.integers(1, 5), "operated": st.booleans(), "pathology_benign": st.booleans()}
    ),
    "lung_nodule": st.fixed_dictionaries(
        {"size_mm": st.floats(0, 30).map(lambda x: round(x, 1)), "solid": st.booleans()}
    ),
    "breast_nodule": st.fixed_dictionaries({"birads": st.integers(1, 6)}),
    "pregnancy": st.fixed_dictionaries({"weeks": st.integers(1, 42)}),
    "cancer_history": st.fixed_dictionaries({"years_since_treatment": st.integers(0, 30)}),
}


@st.composite
def declared(draw: st.DrawFn) -> DeclaredCondition:
    code = draw(st.sampled_from(sorted(ATTRIBUTES)))
    return DeclaredCondition.parse({"code": code, "attributes": draw(ATTRIBUTES[code])})


@settings(max_examples=60, deadline=None)
@given(
    st.data(),
    st.sampled_from(["medical_standard", "medical_chronic", "ci_standard", "ci_smart", "life_standard"]),
    st.lists(declared(), max_size=4),
    st.one_of(st.none(), st.integers(0, 80)),
)
def test_the_engine_gives_the_same_decision_whatever_the_order_of_the_answers(
    data: st.DataObject, questionnaire: str, conditions: list[DeclaredCondition], age: int | None
) -> None:
    book = shipped_book(questionnaire)
    on = dt.date(2026, 6, 1)
    first = underwrite(book, Applicant(conditions=tuple(conditions), age=age), on_date=on)
    shuffled = data.draw(st.permutations(conditions))
    second = underwrite(book, Applicant(conditions=tuple(shuffled), age=age), on_date=on)
    assert (first.outcome, first.loading_pct, first.postpone_months) == (
        second.outcome,
        second.loading_pct,
        second.postpone_months,
    )
    assert set(first.reasons) == set(second.reasons) and exclusion_keys(first) == exclusion_keys(second)
    if not conditions:
        assert first.outcome == "standard"
    # every condition is decided by a row of its table (never "no rule matched")
    assert all(c.rule is not None and c.rule.rule_id for c in first.conditions)


def test_a_product_without_questions_is_standard_whatever_was_declared() -> None:
    other = DeclaredCondition.parse({"code": "other", "attributes": {"description": "痛风"}})
    assert underwrite(None, Applicant(conditions=(other,))).outcome == "standard"


def test_other_conditions_always_go_to_a_person() -> None:
    other = DeclaredCondition.parse({"code": "other", "attributes": {"description": "痛风"}})
    decision = underwrite(shipped_book("life_standard"), Applicant(conditions=(other,)))
    assert decision.outcome == "manual" and decision.reasons == ("other.free_text",)
