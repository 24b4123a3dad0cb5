"""/api/v1/claims/: submit (adjudicated at once), list, read with the explanation of benefits; personas; bad input."""

from __future__ import annotations

import json

import pytest

from kincare.claims.models import Claim
from kincare.claims.tests.api_helpers import (
    API,
    HOSPITAL,
    SERVICE_END,
    SERVICE_START,
    call,
    client_for,
    error,
    example_body,
    medical_policy,
    ok,
    submit,
)


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def adult_policy(catalog, adult_member, adult_row, sandbox_pay):
    return medical_policy(adult_member, sandbox_pay, policyholder=adult_row, insured=adult_row)


def _codes(claim: dict) -> list[str]:
    return [line["code"] for line in claim["explanation"]]


# The spec's example ------------------------------------------------------------------------------


def test_the_spec_example_is_paid_3000_yuan_at_once(guardian, guardian_member, guardian_policy):
    claim = submit(client_for(guardian), guardian_policy, guardian_member)
    assert (claim["status"], claim["decision"], claim["decided_by"]) == ("paid", "approved", "engine")
    assert (claim["payout_fen"], claim["benefit"], claim["reasons"]) == (300_000, "general", [])
    assert claim["covered_fen"] == 2_500_000
    assert claim["not_covered_fen"] == 30_000
    assert claim["base_fen"] == 1_300_000
    assert claim["deductible_applied_fen"] == 1_000_000
    assert claim["ratio"] == "1.00"
    assert claim["total_fen"] == 2_530_000
    assert (claim["member_id"], claim["policy_id"], claim["claim_type"]) == (
        guardian_member.pk,
        guardian_policy.pk,
        "inpatient",
    )
    assert claim["claim_type_label"] == "住院"
    assert claim["hospital"]["code"] == HOSPITAL and claim["hospital"]["level"] == 3 and claim["hospital"]["public"]
    assert claim["diagnoses"] == [{"code": "K35.8", "name": "急性阑尾炎"}]
    assert [(i["category"], i["amount_fen"], i["covered"]) for i in claim["items"]] == [
        ("drug", 2_500_000, True),
        ("non_medical", 30_000, False),
    ]
    assert claim["fhir_claim_response"] == f"ClaimResponse/{claim['id']}"
    # the explanation, line by line, in plain Chinese (never the adjusters' risk lines)
    assert claim["explanation"], claim
    assert all(line["text"] and line["code"] != "risk_flag" for line in claim["explanation"])
    assert "deductible" in _codes(claim)
    not_covered = [line for line in claim["explanation"] if line["code"] == "item_not_covered"]
    assert [line["amount_fen"] for line in not_covered] == [30_000]
    assert "非医疗费用" in not_covered[0]["text"]
    deductible = next(line for line in claim["explanation"] if line["code"] == "deductible")
    assert deductible["amount_fen"] == 1_000_000 and "10,000.00" in deductible["text"]
    stored = Claim.objects.get(pk=claim["id"])
    assert (stored.status, stored.payout_fen, stored.submitted_by_id) == ("paid", 300_000, guardian_member.user_id)


def test_without_social_insurance_it_pays_60_percent(guardian, guardian_member, guardian_policy):
    claim = submit(
        client_for(guardian), guardian_policy, guardian_member, social_insurance_used=False, social_insurance_paid_fen=0
    )
    assert (claim["payout_fen"], claim["ratio"], claim["base_fen"]) == (900_000, "0.60", 2_500_000)


def test_a_second_claim_finds_the_deductible_used(guardian, guardian_member, guardian_policy):
    client = client_for(guardian)
    first = submit(client, guardian_policy, guardian_member)
    second = submit(client, guardian_policy, guardian_member, invoice_numbers=["INV-2"])
    assert (first["payout_fen"], second["payout_fen"]) == (300_000, 1_300_000)
    assert second["deductible_applied_fen"] == 0
    listed = ok(client.get(f"{API}/"))
    assert [c["id"] for c in listed] == [second["id"], first["id"]]
    assert listed[0]["payout_fen"] == 1_300_000 and listed[0]["status"] == "paid"
    assert "diagnoses" not in listed[0] and "items" not in listed[0]


def test_an_excluded_condition_is_rejected_with_its_reason(guardian, guardian_member, guardian_policy):
    claim = submit(client_for(guardian), guardian_policy, guardian_member, diagnoses=["F10.2"])
    assert (claim["status"], claim["payout_fen"], claim["decision"]) == ("rejected", 0, "rejected")
    assert [r["code"] for r in claim["reasons"]] == ["excluded_condition"]
    assert "F10.2" in claim["reasons"][0]["label"] and "责任免除" in claim["reasons"][0]["label"]


def test_the_detail_answers_what_the_submission_answered(guardian, guardian_member, guardian_policy):
    client = client_for(guardian)
    created = submit(client, guardian_policy, guardian_member)
    detail = ok(client.get(f"{API}/{created['id']}"))
    assert detail == created


# Personas ---------------------------------------------------------------------------------------


def test_another_adult_does_not_see_the_guardians_claim_details(
    guardian, guardian_member, guardian_policy, adult_member
):
    claim = submit(client_for(guardian), guardian_policy, guardian_member)
    a = client_for(adult_member)
    error(a.get(f"{API}/{claim['id']}"), 404, None)
    assert claim["id"] not in [c["id"] for c in ok(a.get(f"{API}/"))]


def test_the_adult_claims_for_herself_and_the_guardian_gets_404(guardian, adult_member, adult_row, adult_policy):
    a = client_for(adult_member)
    claim = submit(a, adult_policy, adult_row)
    assert claim["payout_fen"] == 300_000
    assert ok(a.get(f"{API}/{claim['id']}"))["id"] == claim["id"]
    g = client_for(guardian)
    error(g.get(f"{API}/{claim['id']}"), 404, None)
    assert claim["id"] not in [c["id"] for c in ok(g.get(f"{API}/"))]


def test_with_the_adults_grant_the_guardian_reads_her_claim_until_it_is_revoked(
    guardian, guardian_member, adult_member, adult_row, adult_policy
):
    from kincare.families.services.health import health_grant_give, health_grant_revoke

    claim = submit(client_for(adult_member), adult_policy, adult_row)
    grant = health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    g = client_for(guardian)
    detail = ok(g.get(f"{API}/{claim['id']}"))
    assert detail["diagnoses"][0]["code"] == "K35.8" and detail["payout_fen"] == 300_000
    assert claim["id"] in [c["id"] for c in ok(g.get(f"{API}/"))]
    health_grant_revoke(actor=adult_member, grant=grant)
    error(g.get(f"{API}/{claim['id']}"), 404, None)


def test_the_guardian_cannot_claim_on_the_adults_behalf(guardian, adult_row, adult_policy):
    response = call(client_for(guardian), "post", f"{API}/", example_body(adult_policy, adult_row))
    assert response.status_code in (403, 404), response.content
    assert set(response.json()) == {"code", "message", "field"}
    assert Claim.objects.count() == 0


def test_outsiders_get_404_and_anonymous_401(guardian, guardian_member, guardian_policy, outsider):
    claim = submit(client_for(guardian), guardian_policy, guardian_member)
    o, anonymous = client_for(outsider), client_for()
    error(o.get(f"{API}/{claim['id']}"), 404, None)
    assert ok(o.get(f"{API}/")) == []
    error(call(o, "post", f"{API}/", example_body(guardian_policy, guardian_member)), 404, None)
    error(anonymous.get(f"{API}/"), 401, "not_authenticated")
    error(anonymous.get(f"{API}/{claim['id']}"), 401, "not_authenticated")
    error(call(anonymous, "post", f"{API}/", example_body(guardian_policy, guardian_member)), 401, "not_authenticated")
    assert Claim.objects.count() == 1


def test_an_unknown_claim_is_404(guardian, family):
    error(client_for(guardian).get(f"{API}/999999"), 404, None)
    assert client_for(guardian).get(f"{API}/abc").status_code == 404


# Bad input ----------------------------------------------------------------------------------------


def _item(**overrides):
    return [{"category": "drug", "amount_fen": 2_500_000, **overrides}]


NASTY = [
    ({"items": _item(amount_fen=2_500_000.0)}, "amount_type", "items.amount_fen"),
    ({"items": _item(amount_fen="25000.00")}, "amount_type", "items.amount_fen"),
    ({"items": _item(amount_fen=True)}, "amount_type", "items.amount_fen"),
    ({"items": _item(amount_fen=-1)}, "amount_negative", "items.amount_fen"),
    ({"items": _item(amount_fen=0)}, "amount_zero", "items.amount_fen"),
    ({"items": _item(amount_fen=10**15)}, "amount_too_large", "items.amount_fen"),
    ({"items": _item(amount_fen=None)}, "amount_type", "items.amount_fen"),
    ({"social_insurance_paid_fen": "1200000"}, "amount_type", "social_insurance_paid_fen"),
    ({"social_insurance_paid_fen": 12000.5}, "amount_type", "social_insurance_paid_fen"),
    ({"other_insurance_paid_fen": -400_000}, "amount_negative", "other_insurance_paid_fen"),
    ({"other_insurance_paid_fen": False}, "amount_type", "other_insurance_paid_fen"),
    ({"claim_type": "dental"}, "claim_type_invalid", "claim_type"),
    ({"claim_type": 1}, "claim_type_invalid", "claim_type"),
    ({"service_start": 20260301}, "date_invalid", "service_start"),
    ({"service_start": "2026/03/01"}, "date_invalid", "service_start"),
    ({"service_end": "2026-02-30"}, "date_invalid", "service_end"),
    ({"severity": "very"}, "severity_invalid", "severity"),
    (
        {"service_start": SERVICE_END.isoformat(), "service_end": SERVICE_START.isoformat()},
        "service_dates_order",
        "service_end",
    ),
    ({"related_stay": {"admission": 1, "discharge": "2026-01-01"}}, "date_invalid", "related_stay.admission"),
    ({"policy_id": "1"}, "validation_error", "policy_id"),
    ({"policy_id": True}, "validation_error", "policy_id"),
    ({"policy_id": 0}, "validation_error", "policy_id"),
    ({"member_id": 2**70}, "validation_error", "member_id"),
    ({"member_id": 1.0}, "validation_error", "member_id"),
    ({"social_insurance_used": "true"}, "validation_error", "social_insurance_used"),
    ({"is_accident": 1}, "validation_error", "is_accident"),
    ({"diagnoses": []}, "validation_error", "diagnoses"),
    ({"diagnoses": [35]}, "validation_error", "diagnoses.0"),
    ({"diagnoses": ["K35.8" * 5]}, "validation_error", "diagnoses.0"),
    ({"items": [{"category": "drug"}]}, "validation_error", "items.0.amount_fen"),
    ({"items": "drug"}, "validation_error", "items"),
    ({"hospital_code": ""}, "validation_error", "hospital_code"),
    ({"invoice_numbers": ["x" * 65]}, "validation_error", "invoice_numbers.0"),
]


@pytest.mark.parametrize(("overrides", "code", "field"), NASTY)
def test_bad_input_is_refused_with_a_stable_code_and_nothing_is_written(
    guardian, guardian_member, guardian_policy, overrides, code, field
):
    body = example_body(guardian_policy, guardian_member, **overrides)
    found = error(call(client_for(guardian), "post", f"{API}/", body), 422, code)
    assert found["field"] == field
    assert Claim.objects.count() == 0


def test_a_missing_field_and_a_broken_body_are_refused(guardian, guardian_member, guardian_policy):
    client = client_for(guardian)
    body = example_body(guardian_policy, guardian_member)
    del body["social_insurance_used"]
    assert error(call(client, "post", f"{API}/", body), 422, "validation_error")["field"] == "social_insurance_used"
    response = call(client, "post", f"{API}/", raw='{"policy_id": ')
    assert response.status_code in (400, 422) and set(response.json()) == {"code", "message", "field"}
    response = call(client, "post", f"{API}/", raw=json.dumps([1, 2]))
    assert response.status_code in (400, 422)
    assert Claim.objects.count() == 0


def test_the_service_refuses_what_the_schema_lets_through(guardian, guardian_member, guardian_policy):
    client = client_for(guardian)
    for overrides in (
        {"hospital_code": "NOPE999"},
        {"diagnoses": ["ZZ99.9"]},
        {"items": _item(category="champagne")},
    ):
        body = example_body(guardian_policy, guardian_member, **overrides)
        response = call(client, "post", f"{API}/", body)
        assert response.status_code == 422, (overrides, response.content)
        assert set(response.json()) == {"code", "message", "field"}
    assert Claim.objects.count() == 0


def test_someone_elses_policy_or_member_is_404(guardian, guardian_member, guardian_policy, outsider):
    from kincare.families.models import Member

    outsider_row = Member.objects.get(user=outsider)
    client = client_for(guardian)
    error(call(client, "post", f"{API}/", example_body(guardian_policy, outsider_row)), 404, None)
    error(call(client, "post", f"{API}/", example_body(guardian_policy, guardian_member, policy_id=999_999)), 404, None)
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"items": _item(description="挂号费\x00")}, "items.description"),
        ({"items": _item(description="\x1b[31m药费")}, "items.description"),
        ({"invoice_numbers": ["INV\x0001"]}, "invoice_numbers"),
    ],
)
def test_it_refuses_control_characters_in_free_text(guardian, guardian_member, guardian_policy, overrides, field):
    body = example_body(guardian_policy, guardian_member, **overrides)
    found = error(call(client_for(guardian), "post", f"{API}/", body), 422, "invalid_characters")
    assert found["field"] == field
    assert Claim.objects.count() == 0
