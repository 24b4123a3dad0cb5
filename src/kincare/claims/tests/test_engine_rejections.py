"""Rejections: each check of the spec's steps 1–5, their order, and their boundaries."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.claims.engine import adjudicate, general_exclusion
from kincare.claims.tests.test_engine_examples import EXAMPLE, example


def reason(data: dict[str, Any]) -> str | None:
    result = adjudicate(data)
    if result.decision != "rejected":
        return None
    assert result.payout_fen == 0 and result.benefit is None and result.ratio is None
    assert result.accumulators_after == data["accumulators"]
    (only,) = result.reasons
    return only


def test_a_claim_before_the_period_is_rejected_not_in_period() -> None:
    assert reason(example(claim={"service_start": "2025-12-31", "service_end": "2026-01-02"})) == "not_in_period"


def test_a_claim_after_the_period_is_rejected_not_in_period() -> None:
    assert reason(example(claim={"service_start": "2027-01-01", "service_end": "2027-01-02"})) == "not_in_period"


def test_the_first_and_last_days_of_the_period_are_in_it() -> None:
    assert reason(example(claim={"service_start": "2026-01-01", "service_end": "2026-01-02"})) is None
    assert reason(example(claim={"service_start": "2026-12-31", "service_end": "2027-01-05"})) is None


def test_the_not_in_period_line_names_the_dates() -> None:
    (line,) = adjudicate(example(claim={"service_start": "2027-01-01", "service_end": "2027-01-02"})).lines
    assert line == {
        "code": "rejected",
        "reason": "not_in_period",
        "service_start": "2027-01-01",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }


@pytest.mark.parametrize(("prefix", "code"), [("B18", "B18.1"), ("K7", "K70.3"), ("K7", "K74")])
def test_a_diagnosis_under_an_underwriting_exclusion_is_rejected(prefix: str, code: str) -> None:
    result = adjudicate(example(claim={"diagnoses": ["K35.8", code]}))
    assert result.reasons == ("excluded_condition",)
    assert result.lines[0] == {
        "code": "rejected",
        "reason": "excluded_condition",
        "diagnosis": code,
        "prefix": prefix,
        "source": "policy",
    }


def test_exclusions_given_as_the_policys_objects_are_flattened() -> None:
    data = example(policy={"exclusions": [{"icd10": ["B18", "K70"], "description": "乙肝及肝病"}]})
    assert reason({**data, "claim": {**data["claim"], "diagnoses": ["K70.1"]}}) == "excluded_condition"
    assert reason(data) is None  # K35.8 is not K70


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("O80", "O"),
        ("O82.1", "O"),
        ("Q21.0", "Q"),
        ("Z41.1", "Z41"),
        ("F10.2", "F10-F19"),
        ("F10", "F10-F19"),
        ("F15.0", "F10-F19"),
        ("F19", "F10-F19"),
        ("F19.9", "F10-F19"),
        ("X60", "X60-X84"),
        ("X70.0", "X60-X84"),
        ("X84", "X60-X84"),
        ("X84.9", "X60-X84"),
    ],
)
def test_the_general_exclusions_reject_whatever_the_policy_says(code: str, rule: str) -> None:
    assert general_exclusion(code) == rule
    result = adjudicate(example(policy={"exclusions": []}, claim={"diagnoses": [code]}))
    assert result.reasons == ("excluded_condition",)
    assert result.lines[0]["source"] == "general" and result.lines[0]["prefix"] == rule


@pytest.mark.parametrize("code", ["F09", "F09.9", "F20", "F20.0", "F01", "X59", "X59.9", "X85", "X85.0", "Z40", "Z42"])
def test_codes_just_outside_the_general_exclusion_ranges_are_covered(code: str) -> None:
    assert general_exclusion(code) is None
    assert reason(example(claim={"diagnoses": [code]})) is None


def test_a_hospital_below_the_minimum_level_is_not_eligible() -> None:
    data = example(claim={"hospital": {"level": 1, "public": True, "special_needs_ward": False}})
    result = adjudicate(data)
    assert result.reasons == ("hospital_not_eligible",)
    assert result.lines[0]["rule"] == "min_level" and result.lines[0]["min_level"] == 2


def test_the_minimum_level_itself_is_eligible() -> None:
    assert reason(example(claim={"hospital": {"level": 2, "public": True}})) is None


def test_a_private_hospital_is_not_eligible_when_the_policy_wants_public_ones() -> None:
    data = example(claim={"hospital": {"level": 3, "public": False}})
    assert reason(data) == "hospital_not_eligible"
    assert adjudicate(data).lines[0]["rule"] == "public_only"
    private_ok = {"hospital_rule": {"min_level": 2, "public_only": False}}
    assert reason(example(policy=private_ok, claim={"hospital": {"level": 3, "public": False}})) is None


def test_a_special_needs_ward_is_not_eligible_unless_allowed() -> None:
    ward = {"hospital": {"level": 3, "public": True, "special_needs_ward": True}}
    assert reason(example(claim=ward)) == "hospital_not_eligible"
    allowed = {"hospital_rule": {"min_level": 2, "public_only": True, "special_needs_ward": True}}
    assert reason(example(policy=allowed, claim=ward)) is None


def test_without_a_hospital_rule_any_hospital_will_do() -> None:
    assert reason(example(policy={"hospital_rule": None}, claim={"hospital": {"level": 0, "public": False}})) is None


def test_a_claim_type_the_policy_does_not_cover_is_rejected() -> None:
    data = example(policy={"covered_claim_types": ["inpatient"]}, claim={"claim_type": "special_outpatient"})
    assert reason(data) == "claim_type_not_covered"
    assert adjudicate(data).lines[0]["claim_type"] == "special_outpatient"


def test_a_critical_illness_claim_against_a_medical_policy_is_a_claim_type_not_covered() -> None:
    assert reason(example(claim={"claim_type": "critical_illness"})) == "claim_type_not_covered"


def pre_post(start: str) -> dict[str, Any]:
    return example(
        claim={
            "claim_type": "pre_post_outpatient",
            "service_start": start,
            "service_end": start,
            "related_stay": {"admission": "2026-05-01", "discharge": "2026-05-10"},
        }
    )


@pytest.mark.parametrize("start", ["2026-04-01", "2026-04-15", "2026-05-01", "2026-05-10", "2026-06-09"])
def test_pre_and_post_hospital_outpatient_care_inside_the_window_is_covered(start: str) -> None:
    # 30 days before admission (2026-04-01) to 30 days after discharge (2026-06-09), both inclusive
    assert reason(pre_post(start)) is None


@pytest.mark.parametrize("start", ["2026-03-31", "2026-06-10", "2026-05-05"])
def test_pre_and_post_hospital_outpatient_care_outside_the_window_is_rejected(start: str) -> None:
    result = adjudicate(pre_post(start))
    assert result.reasons == ("outside_pre_post_window",)
    line = result.lines[0]
    assert (line["window_before_from"], line["window_after_to"]) == ("2026-04-01", "2026-06-09")


def test_the_window_uses_the_policys_own_days() -> None:
    data = pre_post("2026-04-01")
    data["policy"]["pre_post_days"] = [7, 30]
    assert reason(data) == "outside_pre_post_window"
    data["claim"]["service_start"] = data["claim"]["service_end"] = "2026-04-24"
    assert reason(data) is None


# -- the order -------------------------------------------------------------------------------------

FAILS: dict[str, dict[str, dict[str, Any]]] = {
    "not_in_period": {"claim": {"service_start": "2027-02-01", "service_end": "2027-02-02"}},
    "waiting_period": {"policy": {"first_effective_date": "2026-02-15"}},
    "excluded_condition": {"claim": {"diagnoses": ["F10.2"]}},
    "hospital_not_eligible": {"claim": {"hospital": {"level": 1, "public": False, "special_needs_ward": True}}},
    "claim_type_not_covered": {"policy": {"covered_claim_types": ["outpatient_surgery"]}},
}
ORDER = list(FAILS)


def failing(*reasons: str) -> dict[str, Any]:
    policy: dict[str, Any] = {}
    claim: dict[str, Any] = {}
    for name in reasons:
        policy.update(FAILS[name].get("policy", {}))
        claim.update(FAILS[name].get("claim", {}))
    return example(policy=policy, claim=claim)


@pytest.mark.parametrize("name", ORDER)
def test_each_check_on_its_own_rejects_with_its_reason(name: str) -> None:
    assert reason(failing(name)) == name


@pytest.mark.parametrize("start", range(len(ORDER)))
def test_a_claim_failing_several_checks_reports_the_first_in_the_specs_order(start: int) -> None:
    names = ORDER[start:]
    assert reason(failing(*names)) == names[0]
    # and any pair reports the earlier one
    for later in names[1:]:
        assert reason(failing(later, names[0])) == names[0]


def test_the_window_check_comes_after_the_claim_type_check() -> None:
    data = pre_post("2026-03-01")
    assert reason(data) == "outside_pre_post_window"
    data["policy"]["covered_claim_types"] = ["inpatient"]
    assert reason(data) == "claim_type_not_covered"
    data["claim"]["hospital"] = {"level": 1, "public": True}
    assert reason(data) == "hospital_not_eligible"


def test_a_waiting_period_claim_with_an_excluded_diagnosis_reports_the_waiting_period() -> None:
    data = example(
        policy={"period_start": "2025-01-01", "period_end": "2025-12-31", "first_effective_date": "2025-01-01"},
        claim={"service_start": "2025-01-20", "service_end": "2025-01-25", "diagnoses": ["O80"]},
    )
    assert reason(data) == "waiting_period"


def test_a_rejection_leaves_the_accumulators_exactly_as_they_were() -> None:
    data = example(
        claim={"diagnoses": ["B18.1"]},
        accumulators={"deductible_used_fen": {"main": 250000}, "paid_fen": {"general": 777}},
    )
    result = adjudicate(data)
    assert result.decision == "rejected"
    assert result.accumulators_after == {"deductible_used_fen": {"main": 250000}, "paid_fen": {"general": 777}}
    assert (result.covered_fen, result.base_fen, result.deductible_applied_fen) == (0, 0, 0)
    assert result.as_json()["ratio"] is None
    assert EXAMPLE["accumulators"]["deductible_used_fen"] == {"main": 0}
