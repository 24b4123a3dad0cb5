"""/api/v1/policies/external (保单托管): record, list, remove; integer fen only, refused otherwise."""

import datetime as dt

import pytest

from kincare.families.models import Member
from kincare.policies.models import ExternalPolicy
from kincare.policies.tests.api_helpers import API, call, client_for, error, ok

URL = f"{API}/external"


def _body(member, **overrides):
    return {
        "insured_member_id": member.pk,
        "insurer_name": "中国人寿",
        "product_name": "国寿福终身寿险",
        "category": "critical_illness",
        "sum_insured_fen": 30_000_000,
        "premium_fen": 450_000,
        "starts_on": "2022-03-01",
        "ends_on": None,
        "policy_number": "P2022030100012",
        **overrides,
    }


def test_the_guardian_records_a_policy_for_the_grandparent(guardian, adult_member, grandparent):
    created = ok(call(client_for(guardian), "post", URL, _body(grandparent)), 201)
    assert created["fhir_id"] == f"ext-{created['id']}"
    assert (created["insured_member_id"], created["sum_insured_fen"], created["premium_fen"]) == (
        grandparent.pk,
        30_000_000,
        450_000,
    )
    assert (created["verified"], created["in_force"], created["category_label"]) == (False, True, "重疾险")
    # the whole family sees it in the wallet's external list
    assert [e["id"] for e in ok(client_for(adult_member).get(URL))] == [created["id"]]


def test_another_adult_records_their_own_but_not_the_grandparents(adult_member, adult_row, grandparent):
    client = client_for(adult_member)
    ok(call(client, "post", URL, _body(adult_row)), 201)
    response = call(client, "post", URL, _body(grandparent))
    assert response.status_code in (403, 422)
    assert response.json()["code"] == "external_policy_not_allowed"
    assert ExternalPolicy.objects.count() == 1


def test_outsiders_get_404_and_anonymous_401(guardian, outsider, grandparent):
    external = ok(call(client_for(guardian), "post", URL, _body(grandparent)), 201)
    o, anonymous = client_for(outsider), client_for()
    error(call(o, "post", URL, _body(grandparent)), 404, "not_found")
    assert ok(o.get(URL)) == []
    error(o.delete(f"{URL}/{external['id']}"), 404, "not_found")
    error(anonymous.get(URL), 401, "not_authenticated")
    error(call(anonymous, "post", URL, _body(grandparent)), 401, "not_authenticated")
    error(anonymous.delete(f"{URL}/{external['id']}"), 401, "not_authenticated")
    outsider_row = Member.objects.get(user=outsider)
    error(call(client_for(guardian), "post", URL, _body(outsider_row)), 404, "not_found")
    assert ExternalPolicy.objects.filter(removed_at__isnull=True).count() == 1


def test_removing_a_recorded_policy(guardian, adult_member, adult_row, grandparent):
    g, a = client_for(guardian), client_for(adult_member)
    grandparents = ok(call(g, "post", URL, _body(grandparent)), 201)
    own = ok(call(a, "post", URL, _body(adult_row)), 201)
    # the other adult may not remove the grandparent's record (the guardian's)
    response = a.delete(f"{URL}/{grandparents['id']}")
    assert response.status_code in (403, 404)
    assert a.delete(f"{URL}/{own['id']}").status_code == 204
    assert g.delete(f"{URL}/{grandparents['id']}").status_code == 204
    assert ok(g.get(URL)) == []
    error(g.delete(f"{URL}/{grandparents['id']}"), 404)
    error(g.delete(f"{URL}/99999999999999999999999"), 404)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"sum_insured_fen": 300000.5}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": "300000"}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": "3000.00"}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": "３０００"}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": True}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": None}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": [1]}, "amount_type", "sum_insured_fen"),
        ({"sum_insured_fen": -100}, "amount_negative", "sum_insured_fen"),
        ({"sum_insured_fen": 0}, "amount_zero", "sum_insured_fen"),
        ({"sum_insured_fen": 10**30}, "amount_too_large", "sum_insured_fen"),
        ({"premium_fen": 1.0}, "amount_type", "premium_fen"),
        ({"premium_fen": False}, "amount_type", "premium_fen"),
        ({"premium_fen": -1}, "amount_negative", "premium_fen"),
        ({"premium_fen": 10**15}, "amount_too_large", "premium_fen"),
        ({"category": "pet"}, "category_unknown", "category"),
        ({"category": 3}, "category_unknown", "category"),
        ({"insured_member_id": "1"}, "validation_error", "insured_member_id"),
        ({"insured_member_id": 0}, "validation_error", "insured_member_id"),
        ({"insurer_name": ""}, "validation_error", "insurer_name"),
        ({"insurer_name": "x" * 121}, "validation_error", "insurer_name"),
        ({"starts_on": "2022-02-30"}, "validation_error", "starts_on"),
        ({"starts_on": "２０２２-03-01"}, "validation_error", "starts_on"),
        ({"starts_on": None}, "validation_error", "starts_on"),
    ],
)
def test_nasty_amounts_and_fields_are_refused_with_clear_codes(guardian, grandparent, overrides, code, field):
    body = error(call(client_for(guardian), "post", URL, _body(grandparent, **overrides)), 422, code)
    assert body["field"] == field
    assert not ExternalPolicy.objects.exists()


def test_a_period_ending_before_it_starts_is_refused(guardian, grandparent):
    body = _body(grandparent, starts_on="2024-05-01", ends_on="2024-04-30")
    response = call(client_for(guardian), "post", URL, body)
    assert response.status_code == 422
    assert response.json()["field"] == "ends_on"
    assert not ExternalPolicy.objects.exists()


def test_an_empty_body_and_a_missing_amount(guardian, grandparent):
    client = client_for(guardian)
    for raw in ("", "{}", "[]"):
        response = call(client, "post", URL, raw=raw)
        assert response.status_code in (400, 422)
        assert set(response.json()) == {"code", "message", "field"}
    body = _body(grandparent)
    del body["sum_insured_fen"]
    error(call(client, "post", URL, body), 422, "validation_error")
    # premium defaults to 0 (unknown); the period may be open-ended
    body = _body(grandparent, ends_on=(dt.date.today() + dt.timedelta(days=365)).isoformat())
    del body["premium_fen"]
    assert ok(call(client, "post", URL, body), 201)["premium_fen"] == 0
