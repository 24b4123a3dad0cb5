"""/api/v1/claims/hospitals and /diagnoses (public searches) and POST /expected-payout (the family's own members;
the member id and the ICD-10 code go in the JSON body, never in the URL)."""

from __future__ import annotations

import pytest

from kincare.claims import selectors
from kincare.claims.tests.api_helpers import API, call, client_for, error, medical_policy, ok
from kincare.families.models import Member


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


# Hospitals and diagnoses ----------------------------------------------------------------------------


def test_anyone_searches_hospitals_without_seeing_the_watch_list(db):
    found = ok(client_for().get(f"{API}/hospitals", {"q": "北京"}))
    assert "BJ001" in [h["code"] for h in found]
    assert set(found[0]) == {"code", "name", "city", "level", "public"}
    bj001 = next(h for h in found if h["code"] == "BJ001")
    assert (bj001["level"], bj001["public"], bj001["city"]) == (3, True, "北京")
    assert [h["code"] for h in ok(client_for().get(f"{API}/hospitals", {"q": "gz00"}))][:1] == ["GZ001"]


def test_the_hospital_search_limits_and_refuses_odd_queries(db):
    client = client_for()
    assert ok(client.get(f"{API}/hospitals", {"q": ""})) == []
    assert len(ok(client.get(f"{API}/hospitals", {"q": "医院", "limit": 3}))) == 3
    error(client.get(f"{API}/hospitals", {"q": "x" * 51}), 422, "validation_error")
    error(client.get(f"{API}/hospitals", {"q": "医院", "limit": 0}), 422, "validation_error")
    error(client.get(f"{API}/hospitals", {"q": "医院", "limit": "many"}), 422, "validation_error")
    assert ok(client.get(f"{API}/hospitals", {"q": "'; drop table claims_claim; --"})) == []


def test_anyone_searches_diagnoses_by_name_or_code(db):
    by_name = ok(client_for().get(f"{API}/diagnoses", {"q": "阑尾"}))
    assert {"code": "K35.8", "name": "急性阑尾炎"} in by_name
    by_code = ok(client_for().get(f"{API}/diagnoses", {"q": "k35"}))
    assert by_code and all(d["code"].startswith("K35") for d in by_code)
    assert set(by_code[0]) == {"code", "name"}


# Expected payout -------------------------------------------------------------------------------------


def _expected(client, member, diagnosis="K35.8", cost_fen=2_500_000):
    body = {"member_id": member.pk, "diagnosis": diagnosis, "cost_fen": cost_fen}
    return call(client, "post", f"{API}/expected-payout", body)


def test_the_expected_payout_is_the_selectors(guardian, guardian_member, guardian_policy):
    found = ok(_expected(client_for(guardian), guardian_member))
    expected = selectors.expected_payout(guardian_member, "K35.8", 2_500_000)
    assert found == {
        "member_id": guardian_member.pk,
        "diagnosis": "K35.8",
        "cost_fen": 2_500_000,
        "expected_payout_fen": expected,
        "uses_claim_history": True,
    }
    assert expected > 0
    # the diagnosis is read as the shipped list writes it
    assert ok(_expected(client_for(guardian), guardian_member, diagnosis="k358"))["diagnosis"] == "K35.8"


def test_a_member_without_policies_expects_nothing(guardian, grandparent, catalog):
    assert ok(_expected(client_for(guardian), grandparent))["expected_payout_fen"] == 0


def test_family_members_ask_outsiders_get_404_anonymous_401(guardian_member, guardian_policy, adult_member, outsider):
    assert ok(_expected(client_for(adult_member), guardian_member))["member_id"] == guardian_member.pk
    error(_expected(client_for(outsider), guardian_member), 404, None)
    error(_expected(client_for(), guardian_member), 401, "not_authenticated")
    outsider_row = Member.objects.get(user=outsider)
    error(_expected(client_for(adult_member), outsider_row), 404, None)


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"cost_fen": 25000.00}, "amount_type", "cost_fen"),
        ({"cost_fen": "2500000"}, "amount_type", "cost_fen"),
        ({"cost_fen": -5}, "amount_negative", "cost_fen"),
        ({"cost_fen": "１２"}, "amount_type", "cost_fen"),
        ({"cost_fen": 1e6}, "amount_type", "cost_fen"),
        ({"cost_fen": True}, "amount_type", "cost_fen"),
        ({"cost_fen": 10**15}, "amount_too_large", "cost_fen"),
        ({"member_id": "abc"}, "id_invalid", "member_id"),
        ({"member_id": 1.0}, "id_invalid", "member_id"),
        ({"member_id": 0}, "id_invalid", "member_id"),
        ({"diagnosis": "ZZZ"}, "diagnosis_unknown", "diagnosis"),
        ({"diagnosis": ""}, "diagnosis_unknown", "diagnosis"),
    ],
)
def test_the_expected_payout_refuses_bad_parameters(guardian, guardian_member, catalog, params, code, field):
    body = {"member_id": guardian_member.pk, "diagnosis": "K35.8", "cost_fen": 2_500_000, **params}
    assert error(call(client_for(guardian), "post", f"{API}/expected-payout", body), 422, code)["field"] == field


def test_the_expected_payout_needs_every_parameter(guardian, guardian_member):
    error(call(client_for(guardian), "post", f"{API}/expected-payout", {"member_id": guardian_member.pk}), 422)


@pytest.mark.parametrize("user", ["guardian", None])
def test_the_expected_payout_refuses_get_so_no_health_data_goes_into_a_url(request, user, guardian_member):
    client = client_for(request.getfixturevalue(user) if user else None)
    query = {"member_id": guardian_member.pk, "diagnosis": "K35.8", "cost_fen": "2500000"}
    for response in (client.get(f"{API}/expected-payout", query), client.get(f"{API}/expected-payout")):
        assert response["Content-Type"].startswith("application/json")
        assert error(response, 405, "method_not_allowed")["message"]
