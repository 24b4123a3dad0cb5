"""The shipped hospitals and Chinese ICD-10 list: loaders, look-ups and search."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from kincare.claims import reference
from kincare.claims.data import generate
from kincare.claims.reference import (
    Diagnosis,
    Hospital,
    diagnosis_get,
    diagnosis_search,
    hospital_get,
    hospital_search,
)

ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")


def test_the_directory_ships_about_sixty_hospitals_in_several_cities() -> None:
    hospitals = list(reference.hospitals().values())
    assert 50 <= len(hospitals) <= 80
    assert len({h.city for h in hospitals}) >= 8
    assert {h.level for h in hospitals} == {1, 2, 3}
    assert any(not h.public for h in hospitals) and sum(h.public for h in hospitals) > len(hospitals) // 2
    assert 1 <= sum(h.watchlist for h in hospitals) <= 5
    assert all(h.name and h.code == h.code.upper() for h in hospitals)


def test_the_icd10_list_has_hundreds_of_common_diagnoses_with_chinese_names() -> None:
    diagnoses = list(reference.diagnoses().values())
    assert 300 <= len(diagnoses) <= 500
    assert all(ICD10.match(d.code) for d in diagnoses), [d.code for d in diagnoses if not ICD10.match(d.code)]
    assert all(re.search(r"[\u4e00-\u9fff]", d.name) for d in diagnoses)
    chapters = Counter(d.code[0] for d in diagnoses)
    for letter in "CIJKMNOQS":
        assert chapters[letter] >= 5, letter
    for code in ("K35.8", "J18.9", "I63.9", "I21.9", "E11.9", "I10", "B18.1", "O80", "C34.1", "S72.0", "Q21.0"):
        assert diagnosis_get(code) is not None, code


def test_costs_are_whole_fen_and_severities_known() -> None:
    for diagnosis in reference.diagnoses().values():
        assert diagnosis.usual_cost_fen is None or (
            diagnosis.usual_cost_fen > 0 and diagnosis.usual_cost_fen % 100 == 0
        )
        assert diagnosis.severity in (None, "severe", "moderate", "mild")
    assert diagnosis_get("C34.1").severity == "severe"  # type: ignore[union-attr]
    assert diagnosis_get("I21.9").severity == "severe"  # type: ignore[union-attr]
    assert diagnosis_get("D05.1").severity == "mild"  # type: ignore[union-attr]
    assert diagnosis_get("K35.8").severity is None  # type: ignore[union-attr]


def test_the_spec_example_appendicitis_is_not_unusual_at_twenty_five_thousand_yuan() -> None:
    appendicitis = diagnosis_get("K35.8")
    assert appendicitis == Diagnosis(code="K35.8", name="急性阑尾炎", usual_cost_fen=1_500_000, severity=None)
    assert 3 * (appendicitis.usual_cost_fen or 0) >= 2_500_000  # no "amount far above usual" flag


def test_a_diagnosis_is_found_by_its_code_in_any_case_with_or_without_the_dot() -> None:
    for text in ("K35.8", "k35.8", " K358 ", "k35 8"):
        found = diagnosis_get(text)
        assert found is not None and found.code == "K35.8", text
    assert diagnosis_get("K99.9") is None
    assert diagnosis_get("") is None
    assert diagnosis_get(None) is None
    assert diagnosis_get(358) is None


def test_diagnosis_search_by_code_prefix_lists_the_codes_in_order() -> None:
    assert [d.code for d in diagnosis_search("k35")] == ["K35.2", "K35.3", "K35.8"]
    assert [d.code for d in diagnosis_search("I21.")][:3] == ["I21.0", "I21.1", "I21.4"]
    assert all(d.code.startswith("C") for d in diagnosis_search("C", limit=50))
    assert len(diagnosis_search("C", limit=50)) == 50


def test_diagnosis_search_by_chinese_name_finds_substrings_best_first() -> None:
    assert [d.code for d in diagnosis_search("阑尾炎")] == ["K35.2", "K35.3", "K35.8", "K36"]
    pneumonia = diagnosis_search("肺炎")
    assert pneumonia[0].name.startswith("肺炎") and "J18.9" in {d.code for d in pneumonia}
    assert all("骨折" in d.name for d in diagnosis_search("骨折", limit=100))
    assert len(diagnosis_search("骨折", limit=100)) >= 20


def test_diagnosis_search_respects_the_limit_and_ignores_empty_or_silly_queries() -> None:
    assert len(diagnosis_search("癌", limit=5)) == 5
    assert diagnosis_search("") == [] and diagnosis_search("   ") == [] and diagnosis_search(None) == []
    assert diagnosis_search("不存在的病名xyz") == []
    assert diagnosis_search("肺" * 500) == []  # long input is cut, never slow or an error
    assert diagnosis_search("癌", limit=0) == []


def test_hospitals_are_found_by_code_and_searched_by_name_or_city() -> None:
    found = hospital_get("bj001")
    assert isinstance(found, Hospital) and found.level == 3 and found.public
    assert found.snapshot() == {"code": "BJ001", "name": found.name, "level": 3, "public": True, "city": "北京"}
    assert hospital_get("XX999") is None and hospital_get(None) is None
    beijing = hospital_search("北京")
    assert beijing and all(h.city == "北京" for h in beijing)
    assert [h.code for h in hospital_search("SH00")][:1] == ["SH001"]
    assert all("社区" in h.name for h in hospital_search("社区卫生"))
    assert len(hospital_search("医院", limit=7)) == 7
    assert hospital_search("") == []


def test_the_watch_list_and_private_hospitals_are_marked() -> None:
    watched = [h for h in reference.hospitals().values() if h.watchlist]
    assert watched and all(not h.public for h in watched)
    assert any(h.level == 1 for h in reference.hospitals().values() if not h.public)


def test_the_shipped_files_are_what_the_generator_writes() -> None:
    hospitals = yaml.safe_load(reference.HOSPITALS_FILE.read_text(encoding="utf-8"))["hospitals"]
    diagnoses = yaml.safe_load(reference.DIAGNOSES_FILE.read_text(encoding="utf-8"))["diagnoses"]
    assert hospitals == generate.hospitals()
    assert diagnoses == generate.diagnoses()


def test_the_loaders_read_the_files_once() -> None:
    assert reference.diagnoses() is reference.diagnoses()
    assert reference.hospitals() is reference.hospitals()
