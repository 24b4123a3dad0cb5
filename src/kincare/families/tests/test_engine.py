import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kincare.core.errors import ValidationFailed
from kincare.families.conditions import CONDITION_MODELS, validate_declaration
from kincare.families.engine import (
    MemberRole,
    adult_cutoff,
    age_on,
    is_minor,
    member_role,
    parse_resident_id,
    resident_id_with_check_digit,
)

TODAY = dt.date(2026, 6, 1)


def _member(user_id, guardian_id, birth_date):
    return SimpleNamespace(user_id=user_id, birth_date=birth_date, family=SimpleNamespace(guardian_id=guardian_id))


def test_the_guardians_own_row_is_the_guardian():
    assert member_role(_member(7, 7, dt.date(1990, 1, 1)), TODAY) == MemberRole.GUARDIAN


def test_an_adult_is_eighteen_on_their_birthday():
    assert member_role(_member(None, 7, dt.date(2008, 6, 1)), TODAY) == MemberRole.ADULT
    assert member_role(_member(None, 7, dt.date(2008, 6, 2)), TODAY) == MemberRole.MINOR


def test_ages_are_whole_years_counted_from_the_birthday():
    assert age_on(dt.date(2000, 6, 2), TODAY) == 25
    assert age_on(dt.date(2000, 6, 1), TODAY) == 26


def test_the_adult_cutoff_on_29_february_falls_back_to_the_28th():
    assert adult_cutoff(dt.date(2024, 2, 29)) == dt.date(2006, 2, 28)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 1, 1)))
def test_the_cutoff_agrees_with_age(birth_date):
    assert is_minor(birth_date, TODAY) == (birth_date > adult_cutoff(TODAY))


def test_it_parses_full_width_ids_and_derives_birth_date_and_sex():
    number = resident_id_with_check_digit("11010119900307447")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    assert parse_resident_id(full_width) == (number, dt.date(1990, 3, 7), "M")


@pytest.mark.parametrize("value", ["", "   ", "1101011990030744", "110101199003074470", 12, None, "x" * 500])
def test_it_refuses_bad_resident_ids(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_resident_id(value)
    assert exc.value.code == "resident_id_invalid"


VALID = {
    "hypertension": {"grade": 2, "controlled": True, "years": 3, "complications": False},
    "diabetes": {"type": 2, "hba1c": 7.2, "complications": False, "insulin": False},
    "hyperlipidemia": {"ldl": 4.1, "on_medication": True},
    "hepatitis_b": {
        "status": "carrier",
        "liver_function_normal": True,
        "hbv_dna_positive": False,
        "cirrhosis": False,
    },
    "thyroid_nodule": {"tirads": 3, "operated": False, "pathology_benign": True},
    "lung_nodule": {"size_mm": 6, "solid": True},
    "breast_nodule": {"birads": 3},
    "pregnancy": {"weeks": 20},
    "cancer_history": {"years_since_treatment": 6},
    "other": {"description": "痛风"},
}


def test_every_condition_in_the_spec_table_has_a_model_and_a_valid_example():
    assert set(CONDITION_MODELS) == set(VALID)
    for code, attributes in VALID.items():
        assert validate_declaration(code, attributes, "2020-01-01")["attributes"]


@pytest.mark.parametrize(
    ("code", "attributes", "field"),
    [
        ("hypertension", {**VALID["hypertension"], "grade": 4}, "attributes.grade"),
        ("hypertension", {**VALID["hypertension"], "years": -1}, "attributes.years"),
        ("hypertension", {**VALID["hypertension"], "controlled": "yes"}, "attributes.controlled"),
        ("diabetes", {**VALID["diabetes"], "hba1c": 25}, "attributes.hba1c"),
        ("diabetes", {**VALID["diabetes"], "hba1c": float("nan")}, "attributes.hba1c"),
        ("diabetes", {**VALID["diabetes"], "type": 3}, "attributes.type"),
        ("thyroid_nodule", {**VALID["thyroid_nodule"], "tirads": 6}, "attributes.tirads"),
        ("breast_nodule", {"birads": 0}, "attributes.birads"),
        ("pregnancy", {"weeks": 46}, "attributes.weeks"),
        ("lung_nodule", {"size_mm": 101, "solid": True}, "attributes.size_mm"),
        ("cancer_history", {"years_since_treatment": -2}, "attributes.years_since_treatment"),
        ("hepatitis_b", {**VALID["hepatitis_b"], "status": "unknown"}, "attributes.status"),
        ("other", {"description": ""}, "attributes.description"),
        ("pregnancy", {"weeks": 20, "extra": 1}, "attributes.extra"),
    ],
)
def test_it_refuses_attributes_out_of_range(code, attributes, field):
    with pytest.raises(ValidationFailed) as exc:
        validate_declaration(code, attributes)
    assert exc.value.code == "condition_attributes_invalid"
    assert exc.value.field == field


@pytest.mark.parametrize(("code", "attributes"), [("flu", {}), (None, {}), ("pregnancy", ["weeks"])])
def test_it_refuses_unknown_conditions_and_non_objects(code, attributes):
    with pytest.raises(ValidationFailed):
        validate_declaration(code, attributes)


@pytest.mark.parametrize("diagnosed_on", ["2999-01-01", "yesterday", 12])
def test_it_refuses_bad_diagnosis_dates(diagnosed_on):
    with pytest.raises(ValidationFailed) as exc:
        validate_declaration("pregnancy", {"weeks": 10}, diagnosed_on)
    assert exc.value.code == "diagnosed_on_invalid"


@given(st.integers(min_value=-1000, max_value=1000))
def test_grades_outside_one_to_three_are_always_refused(grade):
    attributes = {**VALID["hypertension"], "grade": grade}
    if 1 <= grade <= 3:
        assert validate_declaration("hypertension", attributes)["attributes"]["grade"] == grade
    else:
        with pytest.raises(ValidationFailed):
            validate_declaration("hypertension", attributes)
