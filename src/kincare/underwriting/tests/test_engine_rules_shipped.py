"""The shipped rule tables, row by row: attributes in, the expected outcome, reason and terms out.

Every row of every table is reached by at least one case (checked below), and every table ends
with a catch-all row that routes anything the rows do not name to a person. No database.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from typing import Any

import pytest

from kincare.underwriting.engine import Applicant, DeclaredCondition, combine, condition_outcome, evaluate_table
from kincare.underwriting.engine.shipped import (
    DATA_DIR,
    RULES_DIR,
    product_questionnaires,
    questionnaires,
    shipped_book,
)

ON = dt.date(2026, 6, 1)
QUESTIONNAIRES = ("medical_standard", "medical_chronic", "ci_standard", "ci_smart", "life_standard")
CONDITIONS = (
    "hypertension",
    "diabetes",
    "hyperlipidemia",
    "hepatitis_b",
    "thyroid_nodule",
    "lung_nodule",
    "breast_nodule",
    "pregnancy",
    "cancer_history",
)

BASE: dict[str, dict[str, Any]] = {
    "hypertension": {"grade": 1, "controlled": True, "years": 3, "complications": False},
    "diabetes": {"type": 2, "hba1c": 6.5, "complications": False, "insulin": False},
    "hyperlipidemia": {"ldl": 4.0, "on_medication": True},
    "hepatitis_b": {"status": "carrier", "liver_function_normal": True, "hbv_dna_positive": False, "cirrhosis": False},
    "thyroid_nodule": {"tirads": 3, "operated": False, "pathology_benign": False},
    "lung_nodule": {"size_mm": 4, "solid": False},
    "breast_nodule": {"birads": 2},
    "pregnancy": {"weeks": 12},
    "cancer_history": {"years_since_treatment": 2},
}

T, F = True, False
SMALL = "small_three_positive"
BIG = "big_three_positive"

# (attribute overrides, age, expected "outcome[ term]", reason); term: loading %, first ICD-10 prefix, months
Case = tuple[dict[str, Any], int | None, str, str]
CASES: dict[str, dict[str, list[Case]]] = {
    "medical_standard": {
        "hypertension": [
            ({"complications": T}, 50, "decline", "hypertension.complications"),
            ({"grade": 3}, 50, "decline", "hypertension.grade3"),
            ({}, 50, "exclusion I10", "hypertension.grade1_controlled"),
            ({"controlled": F}, 50, "postpone 3", "hypertension.grade1_uncontrolled"),
            ({"grade": 2}, 50, "manual", "hypertension.grade2"),
            ({"grade": 2, "controlled": F}, 50, "manual", "hypertension.grade2"),
        ],
        "diabetes": [
            ({"type": 1}, 30, "decline", "diabetes.type1"),
            ({"complications": T}, 50, "decline", "diabetes.complications"),
            ({"insulin": T}, 50, "decline", "diabetes.insulin"),
            ({}, 50, "manual", "diabetes.type2_controlled"),
            ({"hba1c": 7.0}, 50, "decline", "diabetes.type2_hba1c_high"),
        ],
        "hyperlipidemia": [
            ({}, 45, "standard", "hyperlipidemia.mild"),
            ({"ldl": 4.9}, 45, "exclusion E78", "hyperlipidemia.moderate"),
            ({"ldl": 6.4}, 45, "exclusion E78", "hyperlipidemia.moderate"),
            ({"ldl": 6.5}, 45, "manual", "hyperlipidemia.severe"),
        ],
        "hepatitis_b": [
            ({"cirrhosis": T}, 40, "decline", "hepatitis_b.cirrhosis"),
            ({"status": BIG}, 40, "decline", "hepatitis_b.big_three_positive"),
            ({"liver_function_normal": F}, 40, "decline", "hepatitis_b.liver_function_abnormal"),
            ({"hbv_dna_positive": T}, 40, "decline", "hepatitis_b.dna_positive"),
            ({}, 40, "exclusion B18", "hepatitis_b.carrier_normal"),
            ({"status": SMALL}, 40, "manual", "hepatitis_b.small_three_positive"),
        ],
        "thyroid_nodule": [
            ({"operated": T, "pathology_benign": T, "tirads": 4}, 40, "standard", "thyroid_nodule.operated_benign"),
            ({"operated": T}, 40, "decline", "thyroid_nodule.operated_malignant"),
            ({}, 40, "exclusion E00", "thyroid_nodule.tirads_1_3"),
            ({"tirads": 1}, 40, "exclusion E00", "thyroid_nodule.tirads_1_3"),
            ({"tirads": 4}, 40, "postpone 6", "thyroid_nodule.tirads_4"),
            ({"tirads": 5}, 40, "decline", "thyroid_nodule.tirads_5"),
        ],
        "lung_nodule": [
            ({"size_mm": 9}, 40, "decline", "lung_nodule.over_8mm"),
            ({"size_mm": 7, "solid": T}, 40, "manual", "lung_nodule.solid_6_8mm"),
            ({"size_mm": 5}, 62, "manual", "lung_nodule.older_5mm"),
            ({}, 62, "exclusion R91", "lung_nodule.under_5mm"),
            ({"size_mm": 5, "solid": T}, 40, "postpone 6", "lung_nodule.5_8mm"),
            ({"size_mm": 8}, None, "postpone 6", "lung_nodule.5_8mm"),
        ],
        "breast_nodule": [
            ({"birads": 1}, 35, "standard", "breast_nodule.birads_1_2"),
            ({"birads": 3}, 35, "exclusion N60", "breast_nodule.birads_3"),
            ({"birads": 4}, 35, "postpone 6", "breast_nodule.birads_4"),
            ({"birads": 6}, 35, "decline", "breast_nodule.birads_5_6"),
        ],
        "pregnancy": [
            ({"weeks": 27}, 30, "exclusion O", "pregnancy.before_28_weeks"),
            ({"weeks": 28}, 30, "postpone 3", "pregnancy.late"),
        ],
        "cancer_history": [
            ({"years_since_treatment": 20}, 60, "decline", "cancer_history.declined"),
        ],
    },
    "medical_chronic": {
        "hypertension": [
            ({"complications": T, "grade": 3}, 60, "decline", "hypertension.complications"),
            ({"grade": 3}, 60, "manual", "hypertension.grade3"),
            ({"grade": 2}, 60, "standard", "hypertension.controlled"),
            ({"controlled": F}, 60, "exclusion I10", "hypertension.uncontrolled"),
        ],
        "diabetes": [
            ({"type": 1}, 30, "decline", "diabetes.type1"),
            ({"complications": T}, 55, "decline", "diabetes.complications"),
            ({"insulin": T, "hba1c": 7.9}, 55, "loading 50", "diabetes.type2_insulin"),
            ({"hba1c": 7.9}, 55, "loading 25", "diabetes.type2_controlled"),
            ({"hba1c": 8.0}, 55, "manual", "diabetes.type2_hba1c_8_9"),
            ({"hba1c": 9.0, "insulin": T}, 55, "manual", "diabetes.type2_hba1c_8_9"),
            ({"hba1c": 9.1}, 55, "decline", "diabetes.type2_hba1c_high"),
        ],
        "hyperlipidemia": [
            ({"ldl": 7.7}, 55, "standard", "hyperlipidemia.accepted"),
            ({"ldl": 7.8}, 55, "exclusion E78", "hyperlipidemia.severe"),
        ],
        "hepatitis_b": [
            ({"cirrhosis": T}, 40, "decline", "hepatitis_b.cirrhosis"),
            ({"liver_function_normal": F}, 40, "decline", "hepatitis_b.liver_function_abnormal"),
            ({"status": BIG}, 40, "manual", "hepatitis_b.big_three_positive"),
            ({"status": BIG, "hbv_dna_positive": T}, 40, "decline", "hepatitis_b.big_three_dna_positive"),
            ({}, 40, "exclusion B18", "hepatitis_b.carrier_normal"),
            ({"status": SMALL}, 40, "exclusion B18", "hepatitis_b.carrier_normal"),
            ({"hbv_dna_positive": T}, 40, "manual", "hepatitis_b.dna_positive"),
        ],
        "thyroid_nodule": [
            ({"operated": T, "pathology_benign": T}, 40, "standard", "thyroid_nodule.operated_benign"),
            ({"operated": T}, 40, "decline", "thyroid_nodule.operated_malignant"),
            ({"tirads": 2}, 40, "standard", "thyroid_nodule.tirads_1_2"),
            ({}, 40, "exclusion E00", "thyroid_nodule.tirads_3"),
            ({"tirads": 4}, 40, "postpone 6", "thyroid_nodule.tirads_4"),
            ({"tirads": 5}, 40, "decline", "thyroid_nodule.tirads_5"),
        ],
        "lung_nodule": [
            ({"size_mm": 8.5}, 40, "decline", "lung_nodule.over_8mm"),
            ({"size_mm": 6}, 60, "manual", "lung_nodule.older_6mm"),
            ({"size_mm": 5.9}, 60, "exclusion R91", "lung_nodule.under_6mm"),
            ({"size_mm": 7}, 40, "exclusion R91", "lung_nodule.6_8mm_subsolid"),
            ({"size_mm": 8, "solid": T}, None, "postpone 6", "lung_nodule.6_8mm_solid"),
        ],
        "breast_nodule": [
            ({"birads": 2}, 35, "standard", "breast_nodule.birads_1_2"),
            ({"birads": 3}, 35, "exclusion N60", "breast_nodule.birads_3"),
            ({"birads": 4}, 35, "postpone 6", "breast_nodule.birads_4"),
            ({"birads": 5}, 35, "decline", "breast_nodule.birads_5_6"),
        ],
        "pregnancy": [
            ({"weeks": 1}, 30, "exclusion O", "pregnancy.before_28_weeks"),
            ({"weeks": 40}, 30, "postpone 3", "pregnancy.late"),
        ],
        "cancer_history": [
            ({"years_since_treatment": 5}, 60, "manual", "cancer_history.five_years"),
            ({"years_since_treatment": 4}, 60, "decline", "cancer_history.recent"),
        ],
    },
    "ci_standard": {
        "hypertension": [
            ({"complications": T}, 50, "decline", "hypertension.complications"),
            ({"grade": 3}, 50, "decline", "hypertension.grade3"),
            ({}, 50, "loading 25", "hypertension.grade1_controlled"),
            ({"grade": 2}, 50, "loading 50", "hypertension.grade2_controlled"),
            ({"controlled": F}, 50, "postpone 3", "hypertension.grade1_uncontrolled"),
            ({"grade": 2, "controlled": F}, 50, "decline", "hypertension.grade2_uncontrolled"),
        ],
        "diabetes": [
            ({"type": 1}, 30, "decline", "diabetes.type1"),
            ({"complications": T}, 50, "decline", "diabetes.complications"),
            ({"insulin": T}, 50, "decline", "diabetes.insulin"),
            ({"hba1c": 6.9}, 50, "manual", "diabetes.type2_controlled"),
            ({"hba1c": 7.5}, 50, "decline", "diabetes.type2_hba1c_high"),
        ],
        "hyperlipidemia": [
            ({}, 45, "standard", "hyperlipidemia.mild"),
            ({"ldl": 5.5, "on_medication": F}, 45, "loading 25", "hyperlipidemia.moderate"),
            ({"ldl": 8.0}, 45, "manual", "hyperlipidemia.severe"),
        ],
        "hepatitis_b": [
            ({"cirrhosis": T}, 40, "decline", "hepatitis_b.cirrhosis"),
            ({"status": BIG}, 40, "decline", "hepatitis_b.big_three_positive"),
            ({"liver_function_normal": F}, 40, "decline", "hepatitis_b.liver_function_abnormal"),
            ({"hbv_dna_positive": T}, 40, "decline", "hepatitis_b.dna_positive"),
            ({}, 40, "exclusion C22", "hepatitis_b.carrier_normal"),
            ({"status": SMALL}, 40, "manual", "hepatitis_b.small_three_positive"),
        ],
        "thyroid_nodule": [
            ({"operated": T, "pathology_benign": T}, 40, "standard", "thyroid_nodule.operated_benign"),
            ({"operated": T}, 40, "decline", "thyroid_nodule.operated_malignant"),
            ({}, 40, "exclusion C73", "thyroid_nodule.tirads_1_3"),
            ({"tirads": 4}, 40, "postpone 6", "thyroid_nodule.tirads_4"),
            ({"tirads": 5}, 40, "decline", "thyroid_nodule.tirads_5"),
        ],
        "lung_nodule": [
            ({"size_mm": 12, "solid": T}, 40, "decline", "lung_nodule.over_8mm"),
            ({"size_mm": 5}, 60, "manual", "lung_nodule.older_5mm"),
            ({}, 60, "exclusion C34", "lung_nodule.under_5mm"),
            ({"size_mm": 6, "solid": T}, 40, "postpone 6", "lung_nodule.5_8mm"),
        ],
        "breast_nodule": [
            ({"birads": 2}, 35, "standard", "breast_nodule.birads_1_2"),
            ({"birads": 3}, 35, "exclusion C50", "breast_nodule.birads_3"),
            ({"birads": 4}, 35, "postpone 6", "breast_nodule.birads_4"),
            ({"birads": 5}, 35, "decline", "breast_nodule.birads_5_6"),
        ],
        "pregnancy": [
            ({"weeks": 20}, 30, "standard", "pregnancy.before_28_weeks"),
            ({"weeks": 30}, 30, "postpone 3", "pregnancy.late"),
        ],
        "cancer_history": [
            ({"years_since_treatment": 10}, 60, "decline", "cancer_history.declined"),
        ],
    },
    "ci_smart": {
        "hypertension": [
            ({"complications": T}, 50, "decline", "hypertension.complications"),
            ({"grade": 3}, 50, "manual", "hypertension.grade3"),
            ({}, 50, "standard", "hypertension.grade1_controlled"),
            ({"grade": 2}, 50, "loading 25", "hypertension.grade2_controlled"),
            ({"controlled": F}, 50, "loading 25", "hypertension.grade1_uncontrolled"),
            ({"grade": 2, "controlled": F}, 50, "postpone 3", "hypertension.grade2_uncontrolled"),
        ],
        "diabetes": [
            ({"type": 1}, 30, "decline", "diabetes.type1"),
            ({"complications": T}, 50, "decline", "diabetes.complications"),
            ({}, 50, "loading 50", "diabetes.type2_hba1c_under_7"),
            ({"insulin": T}, 50, "loading 75", "diabetes.type2_insulin_under_7"),
            ({"hba1c": 7.0}, 50, "loading 75", "diabetes.type2_hba1c_7_8"),
            ({"hba1c": 7.9, "insulin": T}, 50, "loading 100", "diabetes.type2_insulin_7_8"),
            ({"hba1c": 8.0}, 50, "manual", "diabetes.type2_hba1c_8_9"),
            ({"hba1c": 9.0}, 50, "decline", "diabetes.type2_hba1c_high"),
        ],
        "hyperlipidemia": [
            ({"ldl": 6.4}, 45, "standard", "hyperlipidemia.accepted"),
            ({"ldl": 6.5}, 45, "loading 25", "hyperlipidemia.severe"),
        ],
        "hepatitis_b": [
            ({"cirrhosis": T}, 40, "decline", "hepatitis_b.cirrhosis"),
            ({"liver_function_normal": F}, 40, "decline", "hepatitis_b.liver_function_abnormal"),
            ({"hbv_dna_positive": T}, 40, "decline", "hepatitis_b.dna_positive"),
            ({"status": BIG}, 40, "manual", "hepatitis_b.big_three_positive"),
            ({"status": SMALL}, 40, "exclusion C22", "hepatitis_b.carrier_normal"),
        ],
        "thyroid_nodule": [
            ({"operated": T, "pathology_benign": T}, 40, "standard", "thyroid_nodule.operated_benign"),
            ({"operated": T}, 40, "decline", "thyroid_nodule.operated_malignant"),
            ({"tirads": 2}, 40, "standard", "thyroid_nodule.tirads_1_2"),
            ({}, 40, "exclusion C73", "thyroid_nodule.tirads_3"),
            ({"tirads": 4}, 40, "postpone 6", "thyroid_nodule.tirads_4"),
            ({"tirads": 5}, 40, "decline", "thyroid_nodule.tirads_5"),
        ],
        "lung_nodule": [
            ({"size_mm": 20}, 40, "decline", "lung_nodule.over_8mm"),
            ({"size_mm": 4.9}, 70, "standard", "lung_nodule.under_5mm"),
            ({"size_mm": 5}, 60, "manual", "lung_nodule.older_5mm"),
            ({"size_mm": 6}, 40, "exclusion C34", "lung_nodule.5_8mm_subsolid"),
            ({"size_mm": 6, "solid": T}, 40, "postpone 6", "lung_nodule.5_8mm_solid"),
        ],
        "breast_nodule": [
            ({"birads": 1}, 35, "standard", "breast_nodule.birads_1_2"),
            ({"birads": 3}, 35, "exclusion C50", "breast_nodule.birads_3"),
            ({"birads": 4}, 35, "postpone 6", "breast_nodule.birads_4"),
            ({"birads": 6}, 35, "decline", "breast_nodule.birads_5_6"),
        ],
        "pregnancy": [
            ({"weeks": 12}, 30, "standard", "pregnancy.before_28_weeks"),
            ({"weeks": 36}, 30, "postpone 3", "pregnancy.late"),
        ],
        "cancer_history": [
            ({"years_since_treatment": 8}, 60, "decline", "cancer_history.declined"),
        ],
    },
    "life_standard": {
        "hypertension": [
            ({"grade": 3, "complications": T}, 50, "decline", "hypertension.grade3"),
            ({"complications": T}, 50, "manual", "hypertension.complications"),
            ({}, 50, "standard", "hypertension.grade1_controlled"),
            ({"controlled": F}, 50, "loading 25", "hypertension.grade1_uncontrolled"),
            ({"grade": 2}, 50, "loading 50", "hypertension.grade2_controlled"),
            ({"grade": 2, "controlled": F}, 50, "loading 100", "hypertension.grade2_uncontrolled"),
        ],
        "diabetes": [
            ({"type": 1}, 30, "decline", "diabetes.type1"),
            ({"complications": T}, 50, "decline", "diabetes.complications"),
            ({"hba1c": 8.0, "insulin": T}, 50, "decline", "diabetes.type2_hba1c_high"),
            ({"insulin": T}, 50, "loading 100", "diabetes.type2_insulin"),
            ({}, 50, "loading 50", "diabetes.type2_hba1c_under_7"),
            ({"hba1c": 7.5}, 50, "loading 100", "diabetes.type2_hba1c_7_8"),
        ],
        "hyperlipidemia": [
            ({}, 45, "standard", "hyperlipidemia.mild"),
            ({"ldl": 5.0}, 45, "loading 25", "hyperlipidemia.moderate"),
            ({"ldl": 9.0}, 45, "loading 50", "hyperlipidemia.severe"),
        ],
        "hepatitis_b": [
            ({"cirrhosis": T}, 40, "decline", "hepatitis_b.cirrhosis"),
            ({"liver_function_normal": F}, 40, "manual", "hepatitis_b.liver_function_abnormal"),
            ({"status": BIG, "hbv_dna_positive": T}, 40, "loading 50", "hepatitis_b.big_three_positive"),
            ({"hbv_dna_positive": T}, 40, "loading 50", "hepatitis_b.dna_positive"),
            ({}, 40, "loading 25", "hepatitis_b.carrier_normal"),
            ({"status": SMALL}, 40, "loading 25", "hepatitis_b.carrier_normal"),
        ],
        "thyroid_nodule": [
            ({"operated": T, "pathology_benign": T}, 40, "standard", "thyroid_nodule.operated_benign"),
            ({"operated": T}, 40, "manual", "thyroid_nodule.operated_malignant"),
            ({}, 40, "standard", "thyroid_nodule.tirads_1_3"),
            ({"tirads": 4}, 40, "postpone 6", "thyroid_nodule.tirads_4"),
            ({"tirads": 5}, 40, "decline", "thyroid_nodule.tirads_5"),
        ],
        "lung_nodule": [
            ({}, 65, "standard", "lung_nodule.under_5mm"),
            ({"size_mm": 8}, 60, "manual", "lung_nodule.older_5mm"),
            ({"size_mm": 6}, 40, "standard", "lung_nodule.5_8mm_subsolid"),
            ({"size_mm": 6, "solid": T}, 40, "postpone 6", "lung_nodule.5_8mm_solid"),
            ({"size_mm": 10}, 65, "postpone 6", "lung_nodule.over_8mm"),
        ],
        "breast_nodule": [
            ({"birads": 3}, 35, "standard", "breast_nodule.birads_1_3"),
            ({"birads": 4}, 35, "postpone 6", "breast_nodule.birads_4"),
            ({"birads": 5}, 35, "decline", "breast_nodule.birads_5_6"),
        ],
        "pregnancy": [
            ({"weeks": 39}, 30, "standard", "pregnancy.accepted"),
        ],
        "cancer_history": [
            ({"years_since_treatment": 6}, 60, "manual", "cancer_history.five_years"),
            ({"years_since_treatment": 0}, 60, "decline", "cancer_history.recent"),
        ],
    },
}

ALL_CASES = [
    pytest.param(q, c, case, id=f"{q}-{c}-{n}")
    for q, by_condition in CASES.items()
    for c, cases in by_condition.items()
    for n, case in enumerate(cases, start=1)
]


def decide(questionnaire: str, condition: str, case: Case) -> Any:
    overrides, age, _, _ = case
    declared = DeclaredCondition.parse({"code": condition, "attributes": {**BASE[condition], **overrides}})
    return condition_outcome(shipped_book(questionnaire), declared, Applicant(conditions=(declared,), age=age), ON)


def rows(questionnaire: str, condition: str) -> list[dict[str, Any]]:
    document = json.loads(shipped_book(questionnaire).tables[condition].content)
    table = next(n for n in document["nodes"] if n["type"] == "decisionTableNode")
    return table["content"]["rules"]


@pytest.mark.parametrize(("questionnaire", "condition", "case"), ALL_CASES)
def test_each_row_decides_as_the_underwriting_guidelines_say(questionnaire: str, condition: str, case: Case) -> None:
    _, _, expected, reason = case
    result = decide(questionnaire, condition, case)
    outcome, _, term = expected.partition(" ")
    assert (result.outcome, result.reason) == (outcome, reason)
    assert result.message and result.rule is not None and result.rule.table == f"{questionnaire}/{condition}"
    assert result.loading_pct == (int(term) if outcome == "loading" else 0)
    assert result.postpone_months == (int(term) if outcome == "postpone" else 0)
    if outcome == "exclusion":
        (exclusion,) = result.exclusions
        assert exclusion.icd10[0] == term and exclusion.description
    else:
        assert result.exclusions == ()


def test_the_cases_reach_every_row_but_the_catch_all_of_every_table() -> None:
    hit: set[tuple[str, str, str]] = set()
    for questionnaire, by_condition in CASES.items():
        for condition, cases in by_condition.items():
            for case in cases:
                rule = decide(questionnaire, condition, case).rule
                assert rule is not None
                hit.add((questionnaire, condition, rule.rule_id))
    missing = [
        (q, c, row["_id"])
        for q in QUESTIONNAIRES
        for c in CONDITIONS
        for row in rows(q, c)[:-1]
        if (q, c, row["_id"]) not in hit
    ]
    assert missing == []


@pytest.mark.parametrize("questionnaire", QUESTIONNAIRES)
@pytest.mark.parametrize("condition", CONDITIONS)
def test_every_table_ends_with_a_catch_all_that_asks_a_person(questionnaire: str, condition: str) -> None:
    last = rows(questionnaire, condition)[-1]
    assert all(value == "" for key, value in last.items() if key.startswith("in_"))
    # a value no row names (outside the attribute schema) still gets an answer, from the last row
    result = evaluate_table(shipped_book(questionnaire).tables[condition], {"grade": 9, "tirads": 9, "birads": 9})
    if result.index == len(rows(questionnaire, condition)) - 1:
        assert result.values["outcome"] == "manual"
        assert result.values["reason"] == f"{condition}.outside_rules"
    assert evaluate_table(shipped_book(questionnaire).tables[condition], {}).values["outcome"] == "manual"


def test_the_questionnaires_file_lists_five_questionnaires_with_a_table_per_condition() -> None:
    specs = questionnaires()
    assert set(specs) == set(QUESTIONNAIRES)
    for code, spec in specs.items():
        assert spec.conditions == (*CONDITIONS, "other")
        assert spec.name and spec.category
        assert sorted(p.stem for p in (RULES_DIR / code).glob("*.json")) == sorted(CONDITIONS)
        assert set(shipped_book(code).tables) == set(CONDITIONS)


def test_the_catalog_names_a_shipped_questionnaire_for_every_product_that_asks_health_questions() -> None:
    mapping = product_questionnaires()
    assert {q for q in mapping.values() if q} == set(QUESTIONNAIRES)
    assert all(q is None for code, q in mapping.items() if code.startswith("acc_"))
    assert mapping["med_10"] == mapping["med_11"] == mapping["med_12"] == "medical_chronic"
    assert mapping["med_01"] == "medical_standard"
    assert all(mapping[c] == "life_standard" for c in mapping if c.startswith(("life_", "di_", "ltc_")))
    ci = [q for c, q in mapping.items() if c.startswith("ci_")]
    assert set(ci) == {"ci_standard", "ci_smart"} and abs(ci.count("ci_smart") - ci.count("ci_standard")) <= 1


def test_the_chronic_medical_product_accepts_what_the_ordinary_one_declines() -> None:
    diabetes = DeclaredCondition.parse({"code": "diabetes", "attributes": {**BASE["diabetes"], "hba1c": 7.5}})
    hypertension = DeclaredCondition.parse({"code": "hypertension", "attributes": {**BASE["hypertension"], "grade": 2}})
    carrier = DeclaredCondition.parse({"code": "hepatitis_b", "attributes": BASE["hepatitis_b"]})
    applicant = Applicant(conditions=(diabetes, hypertension, carrier), age=52, sex="M")

    def decision(questionnaire: str) -> Any:
        book = shipped_book(questionnaire)
        return combine([condition_outcome(book, c, applicant, ON) for c in applicant.conditions])

    ordinary, chronic = decision("medical_standard"), decision("medical_chronic")
    assert ordinary.outcome == "decline"
    assert chronic.outcome == "conditional" and chronic.loading_pct == 25
    assert [e.icd10 for e in chronic.exclusions] == [("B18", "K70", "K71", "K72", "K73", "K74", "K75", "K76", "K77")]


def test_the_shipped_files_are_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("generate_rules", DATA_DIR / "generate_rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.render()
    assert module.validate(files) == []
    for path, text in files.items():
        assert (DATA_DIR / path).read_text(encoding="utf-8") == text, path
