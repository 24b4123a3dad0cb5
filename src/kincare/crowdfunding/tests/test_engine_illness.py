"""The serious-illness list: the spec's prefixes and ranges, matched by structure, not by string."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kincare.crowdfunding.engine import is_serious_illness, normalise_icd10, serious_illness, serious_illness_list
from kincare.crowdfunding.engine.illness import _expand

CLAIMS_CI_LIST = Path(__file__).resolve().parents[2] / "claims" / "data" / "critical_illness.yaml"


@pytest.mark.parametrize(
    "code",
    [
        "C00", "C00.0", "C34.9", "C50.9", "C92.0", "C97",  # malignant neoplasms C00–C97
        "I21", "I21.0", "I21.09",  # acute myocardial infarction
        "I60.9", "I61.9", "I62.0", "I63.4", "I64",  # stroke I60–I64
        "N18.5", "N18.50",  # end-stage renal disease
        "D61", "D61.9",  # aplastic anaemia
        "Z94.0", "Z94.8",  # organ and stem-cell transplants
        "T31.3", "T31.30", "T31.9",  # burns of 30% and more
        "K72.0", "G12.2", "I71.0", "D33.2", "S06.2",  # other 2020 severe definitions
    ],
)  # fmt: skip
def test_it_knows_the_serious_illnesses_of_the_spec(code):
    assert is_serious_illness(code)


@pytest.mark.parametrize(
    "code",
    [
        "C98", "D00", "D01.0",  # C97 is the last malignant category; in situ is not on the list
        "I20.0", "I25.1",  # angina and coronary disease are not infarctions
        "I59", "I65", "I69.3",  # next to the stroke range, and its sequelae
        "N18", "N18.4",  # N18.5 is stage 5 only
        "D62", "D60",  # next to aplastic anaemia
        "Z95.0",  # a pacemaker is no transplant
        "T31.2", "T31.0", "T32.3", "T30",  # burns under 30%, and other categories
        "J18.9", "A09.0", "E11.9",  # common illnesses
    ],
)  # fmt: skip
def test_it_does_not_take_a_neighbour_for_a_serious_illness(code):
    assert not is_serious_illness(code)


@pytest.mark.parametrize("code", ["C9", "C", "", "C92-0", "C92.", "92.0", "C9A.0", "白血病", None, 920, "C" * 40])
def test_a_string_that_is_no_icd10_code_is_not_serious(code):
    assert not is_serious_illness(code)
    assert normalise_icd10(code) is None


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("c92.0", "C92.0"),
        ("C920", "C92.0"),
        (" C 92.0 ", "C92.0"),
        ("Ｃ９２．０", "C92.0"),
        ("c34.900x001", "C34.900X001"),
    ],
)
def test_it_reads_codes_as_people_and_the_chinese_clinical_edition_write_them(typed, normal):
    assert normalise_icd10(typed) == normal
    assert is_serious_illness(typed)


def test_the_most_specific_entry_names_the_illness():
    entry = serious_illness("T31.45")
    assert entry is not None and entry.prefix == "T31.4" and "烧伤" in entry.name
    assert serious_illness("C92.0").name == "恶性肿瘤"  # type: ignore[union-attr]


def test_ranges_expand_to_explicit_prefixes():
    codes = [e.prefix for e in _expand({"from": "C00", "to": "C97", "name": "恶性肿瘤"}, 0)]
    assert len(codes) == 98 and codes[0] == "C00" and codes[9] == "C09" and codes[-1] == "C97"
    burns = [e.prefix for e in _expand({"from": "T31.3", "to": "T31.9", "name": "烧伤"}, 0)]
    assert burns == [f"T31.{n}" for n in range(3, 10)]


@pytest.mark.parametrize(
    "entry",
    [
        {"prefix": "C9", "name": "x"},
        {"prefix": "C", "name": "x"},
        {"from": "C00", "to": "D09", "name": "x"},
        {"from": "C97", "to": "C00", "name": "x"},
        {"from": "T31.3", "to": "T32.9", "name": "x"},
        {"from": "T31.3", "to": "T31.10", "name": "x"},
        {"from": "T31.3", "name": "x"},
        {"prefix": "I21"},
    ],
)
def test_a_malformed_entry_of_the_list_is_refused_when_read(entry):
    with pytest.raises(ValueError):
        _expand(entry, 0)


def test_the_list_is_read_once_and_every_entry_matches_itself():
    assert serious_illness_list() is serious_illness_list()
    for entry in serious_illness_list():
        assert is_serious_illness(entry.prefix), entry


def test_every_severe_disease_of_the_claims_list_is_serious_here_too():
    data = yaml.safe_load(CLAIMS_CI_LIST.read_text(encoding="utf-8"))
    for item in data["severe"]:
        prefix = str(item["prefix"])
        probe = prefix if len(prefix) >= 3 else f"{prefix}00"  # "C" stands for all of C00–C97
        assert is_serious_illness(probe), prefix
