"""Input validation: a wrong request is refused with a stable code and the field that is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.claims.engine import ClaimInputInvalid, adjudicate, parse_request
from kincare.claims.tests.test_engine_examples import EXAMPLE, example
from kincare.core.errors import ValidationFailed


def refused(data: Any) -> ClaimInputInvalid:
    with pytest.raises(ClaimInputInvalid) as caught:
        adjudicate(data)
    assert isinstance(caught.value, ValidationFailed)
    return caught.value


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"claim": {"items": [{"category": "drug", "amount_fen": -1}]}}, "claim.items.0.amount_fen", "out_of_range"),
        (
            {"claim": {"items": [{"category": "drug", "amount_fen": 1.5}]}},
            "claim.items.0.amount_fen",
            "integer_required",
        ),
        ({"claim": {"items": [{"category": "food", "amount_fen": 1}]}}, "claim.items.0.category", "choice_invalid"),
        ({"claim": {"service_start": "2026-3-1"}}, "claim.service_start", "date_invalid"),
        ({"claim": {"service_start": "2026-02-30"}}, "claim.service_start", "date_invalid"),
        ({"claim": {"service_start": 20260301}}, "claim.service_start", "date_invalid"),
        ({"claim": {"service_end": "2026-02-01"}}, "claim.service_end", "service_dates_invalid"),
        ({"claim": {"diagnoses": []}}, "claim.diagnoses", "too_few"),
        ({"claim": {"diagnoses": ["appendicitis"]}}, "claim.diagnoses.0", "diagnosis_invalid"),
        ({"claim": {"social_insurance_used": "yes"}}, "claim.social_insurance_used", "boolean_required"),
        ({"claim": {"claim_type": "dental"}}, "claim.claim_type", "choice_invalid"),
        ({"claim": {"claim_type": "pre_post_outpatient"}}, "claim.related_stay", "related_stay_required"),
        ({"claim": {"hospital": None}}, "claim.hospital", "hospital_required"),
        ({"claim": {"colour": "red"}}, "claim.colour", "field_unknown"),
        (
            {"policy": {"ratio_with_social_insurance": "1.5"}},
            "policy.ratio_with_social_insurance",
            "ratio_out_of_range",
        ),
        ({"policy": {"ratio_with_social_insurance": "abc"}}, "policy.ratio_with_social_insurance", "ratio_invalid"),
        ({"policy": {"ratio_with_social_insurance": True}}, "policy.ratio_with_social_insurance", "ratio_invalid"),
        (
            {"policy": {"ratio_with_social_insurance": "0.12345"}},
            "policy.ratio_with_social_insurance",
            "ratio_too_precise",
        ),
        ({"policy": {"ratio_with_social_insurance": None}}, "policy.ratio_with_social_insurance", "ratio_required"),
        ({"policy": {"exclusions": ["b18!"]}}, "policy.exclusions", "icd_prefix_invalid"),
        ({"policy": {"deductibles": {}}}, "policy.benefits", "deductible_group_unknown"),
        ({"policy": {"benefits": [{"type": "serious_illness"}]}}, "policy.benefits", "benefit_required"),
        ({"policy": {"period_end": "2025-12-31"}}, "policy.period_end", "period_invalid"),
        ({"policy": {"category": "life"}}, "policy.category", "choice_invalid"),
        ({"policy": {"category": "critical_illness"}}, "policy.sum_insured_fen", "sum_insured_required"),
    ],
)
def test_a_wrong_field_is_named_with_a_stable_code(change: dict[str, Any], field: str, code: str) -> None:
    error = refused(example(**change))
    assert (error.field or "", error.code) == (field, code)
    assert error.message


def test_a_missing_part_is_required() -> None:
    data = example()
    del data["claim"]
    error = refused(data)
    assert (error.field, error.code) == ("claim", "field_required")


def test_something_that_is_not_an_object_is_refused() -> None:
    assert refused(["not", "a", "claim"]).code == "object_required"


def test_diagnoses_and_prefixes_are_written_in_capitals() -> None:
    request = parse_request(example(policy={"exclusions": ["b18"]}, claim={"diagnoses": [" k35.8 "]}))
    assert request.claim.diagnoses == ("K35.8",)
    assert request.policy.exclusions == ("B18",)


def test_ratios_may_be_strings_or_numbers() -> None:
    request = parse_request(example(policy={"ratio_with_social_insurance": 1, "ratio_without_social_insurance": 0.6}))
    assert str(request.policy.ratio_without_social_insurance) == "0.6"
    padded = parse_request(example(policy={"ratio_with_social_insurance": "0.900000"}))
    assert adjudicate(padded).as_json()["ratio"] == "0.90"
    assert adjudicate(request).as_json()["ratio"] == "1.00"


def test_the_example_validates_and_a_validated_request_passes_through() -> None:
    request = parse_request(EXAMPLE)
    assert parse_request(request) is request
