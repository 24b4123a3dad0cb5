"""POST /claims/ with hostile input: JSON nested deeper than the parser follows, numbers too large for any
amount or id. Each is a 4xx in the error shape with a stable code, never a 500, and writes nothing."""

from __future__ import annotations

import json

import pytest

from kincare.claims.models import Claim
from kincare.claims.tests.api_helpers import API, call, client_for, error, example_body, medical_policy


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _with_raw_number(body: dict, key: str, number: str) -> str:
    """The body as JSON with ``key``'s value replaced by a number written out as given."""
    body[key] = "__NUMBER__"
    return json.dumps(body).replace('"__NUMBER__"', number)


@pytest.mark.parametrize(
    "raw", ["[" * 100_000 + "]" * 100_000, '{"a": ' * 50_000 + "1" + "}" * 50_000], ids=["arrays", "objects"]
)
def test_it_answers_400_to_json_nested_deeper_than_the_parser_can_follow(guardian, family, raw):
    error(call(client_for(guardian), "post", f"{API}/", raw=raw), 400, "bad_request")
    assert Claim.objects.count() == 0


def test_it_answers_400_to_a_number_with_more_digits_than_python_reads(guardian, guardian_member, guardian_policy):
    raw = _with_raw_number(example_body(guardian_policy, guardian_member), "social_insurance_paid_fen", "9" * 5000)
    error(call(client_for(guardian), "post", f"{API}/", raw=raw), 400, "bad_request")
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("number", ["1e300", "1E+400", "-1e300"])
def test_it_answers_422_amount_type_to_an_amount_written_as_a_huge_float(
    guardian, guardian_member, guardian_policy, number
):
    raw = _with_raw_number(example_body(guardian_policy, guardian_member), "other_insurance_paid_fen", number)
    found = error(call(client_for(guardian), "post", f"{API}/", raw=raw), 422, "amount_type")
    assert found["field"] == "other_insurance_paid_fen"
    assert Claim.objects.count() == 0


def test_it_answers_422_amount_too_large_to_an_invoice_line_of_300_digits(guardian, guardian_member, guardian_policy):
    body = example_body(guardian_policy, guardian_member)
    body["items"] = [{"category": "drug", "amount_fen": 10**300}]
    found = error(call(client_for(guardian), "post", f"{API}/", body), 422, "amount_too_large")
    assert found["field"] == "items.amount_fen"


def test_it_answers_422_to_an_id_of_300_digits(guardian, guardian_member, guardian_policy):
    body = example_body(guardian_policy, guardian_member, member_id=10**300)
    error(call(client_for(guardian), "post", f"{API}/", body), 422, "validation_error")
    assert Claim.objects.count() == 0
