"""POST /fhir/Claim with hostile input: nesting deep enough to exhaust the stack, amounts too large for
decimal arithmetic. Each is a 422 in the error shape with a stable code, never a 500, and writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kincare.claims.fhir.inbound import MAX_JSON_DEPTH
from kincare.claims.models import Claim
from kincare.claims.tests.api_helpers import client_for, error, medical_policy
from kincare.claims.tests.test_fhir_claims import fhir_claim, post


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _nested_extension(levels: int) -> dict[str, Any]:
    extension: dict[str, Any] = {"url": "urn:test:leaf", "valueString": "x"}
    for _ in range(levels):
        extension = {"url": "urn:test:node", "extension": [extension]}
    return extension


def test_it_answers_422_to_json_nested_deeper_than_the_parser_can_follow(guardian, guardian_member, guardian_policy):
    found = error(post(client_for(guardian), "[" * 100_000 + "]" * 100_000), 422, "fhir_json_too_deep")
    assert found["field"] is None and found["message"]
    assert Claim.objects.count() == 0


def test_it_answers_422_to_an_extension_nested_300_levels_deep(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member, extension=[_nested_extension(300)])
    error(post(client_for(guardian), data), 422, "fhir_json_too_deep")
    assert Claim.objects.count() == 0


def test_it_still_reads_a_claim_with_a_few_nested_extensions(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member, extension=[_nested_extension(3)])
    response = post(client_for(guardian), data)
    assert response.status_code == 201, response.content


def test_it_answers_422_just_past_the_depth_limit(guardian, guardian_member, guardian_policy):
    # Claim → extension (array) → extension (object) → … : two levels per extension
    data = fhir_claim(guardian_policy, guardian_member, extension=[_nested_extension(MAX_JSON_DEPTH // 2)])
    error(post(client_for(guardian), data), 422, "fhir_json_too_deep")


@pytest.mark.parametrize("value", [Decimal("1e300"), Decimal("1E+29"), 10**300], ids=["1e300", "1e29", "int300digits"])
def test_it_answers_422_amount_too_large_to_an_item_of_1e300_yuan(guardian, guardian_member, guardian_policy, value):
    data = fhir_claim(guardian_policy, guardian_member)
    data["item"][0]["net"]["value"] = value
    del data["total"]
    found = error(post(client_for(guardian), data), 422, "amount_too_large")
    assert found["field"] == "item[0].net.value"
    assert Claim.objects.count() == 0


def test_it_answers_422_amount_too_large_to_a_settlement_of_1e300_yuan(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member, social_paid="1e300")
    found = error(post(client_for(guardian), data), 422, "amount_too_large")
    assert found["field"] == "supportingInfo[1].valueQuantity.value"


def test_it_answers_422_to_a_number_with_more_digits_than_python_reads(guardian, guardian_member, guardian_policy):
    body = '{"resourceType": "Claim", "total": {"value": ' + "9" * 5000 + "}}"
    error(post(client_for(guardian), body), 422, "fhir_json_invalid")
