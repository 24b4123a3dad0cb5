"""POST /api/v1/policies/quotes: premiums for members of the user's own family, nasty input refused."""

import pytest

from kincare.catalog.models import Plan
from kincare.families.models import Member
from kincare.policies.tests.api_helpers import API, CHRONIC_PLAN, CHRONIC_PRODUCT, call, client_for, error, ok

URL = f"{API}/quotes"


def _body(*members, **overrides):
    body = {"product_code": CHRONIC_PRODUCT, "plan_code": CHRONIC_PLAN, "member_ids": [m.pk for m in members]}
    return {**body, **overrides}


def test_the_guardian_quotes_the_grandparent_and_themself(catalog, guardian, guardian_member, grandparent):
    data = ok(call(client_for(guardian), "post", URL, _body(grandparent, guardian_member)))
    assert (data["product_code"], data["plan_code"]) == (CHRONIC_PRODUCT, CHRONIC_PLAN)
    lines = {line["member_id"]: line for line in data["lines"]}
    assert list(lines) == [grandparent.pk, guardian_member.pk]
    assert lines[grandparent.pk]["name"] == "王德福"
    # med_11 standard, a man of 66 with employee medical insurance: 4,899 yuan
    assert lines[grandparent.pk]["base_premium_fen"] == 489_900
    assert data["total_fen"] == sum(line["base_premium_fen"] for line in data["lines"])
    assert all(isinstance(line["base_premium_fen"], int) for line in data["lines"])
    assert data["effective_on"]


def test_another_adult_member_quotes_themself_and_the_family(catalog, adult_member, adult_row, grandparent):
    data = ok(call(client_for(adult_member), "post", URL, _body(adult_row, grandparent)))
    assert [line["member_id"] for line in data["lines"]] == [adult_row.pk, grandparent.pk]


def test_someone_elses_members_are_404_and_anonymous_is_401(catalog, outsider, grandparent, guardian):
    error(call(client_for(outsider), "post", URL, _body(grandparent)), 404, "not_found")
    outsider_row = Member.objects.get(user=outsider)
    error(call(client_for(guardian), "post", URL, _body(outsider_row)), 404, "not_found")
    error(call(client_for(), "post", URL, _body(grandparent)), 401, "not_authenticated")


def test_age_limits_are_refused_with_their_code(catalog, guardian, grandparent):
    # med_01 takes people up to 65
    plan = Plan.objects.filter(product__code="med_01", product__is_current=True).first()
    body = _body(grandparent, product_code="med_01", plan_code=plan.code)
    error(call(client_for(guardian), "post", URL, body), 422, "age_above_max")


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"member_ids": "12"}, 422, "validation_error"),
        ({"member_ids": ["12"]}, 422, "validation_error"),
        ({"member_ids": ["１２"]}, 422, "validation_error"),
        ({"member_ids": [1.5]}, 422, "validation_error"),
        ({"member_ids": [True]}, 422, "validation_error"),
        ({"member_ids": []}, 422, "validation_error"),
        ({"member_ids": [-3]}, 422, "validation_error"),
        ({"member_ids": [10**30]}, 422, "validation_error"),
        ({"member_ids": [2**63 - 1]}, 404, "not_found"),
        ({"member_ids": list(range(1, 40))}, 422, "validation_error"),
        ({"product_code": "nope_1"}, 404, "product_not_found"),
        ({"product_code": 11}, 422, "validation_error"),
        ({"product_code": ""}, 422, "validation_error"),
        ({"plan_code": "platinum"}, 422, "plan_unknown"),
        ({"payment_years": "1"}, 422, "validation_error"),
        ({"payment_years": 1.0}, 422, "validation_error"),
        ({"payment_years": True}, 422, "validation_error"),
        ({"payment_years": 0}, 422, "validation_error"),
        ({"payment_years": 10**20}, 422, "validation_error"),
        ({"payment_years": 20}, 422, "payment_years_unavailable"),
    ],
)
def test_nasty_input_is_refused_with_a_clear_code(catalog, guardian, grandparent, overrides, status, code):
    body = error(call(client_for(guardian), "post", URL, _body(grandparent, **overrides)), status, code)
    if code == "validation_error":
        assert body["field"]


def test_an_empty_or_broken_body_is_refused(catalog, guardian):
    client = client_for(guardian)
    for raw in ("", "{}", "[]", "null", "{not json"):
        response = call(client, "post", URL, raw=raw)
        assert response.status_code in (400, 422), (raw, response.content)
        assert set(response.json()) == {"code", "message", "field"}


def test_the_same_member_twice_is_refused(catalog, guardian, grandparent):
    error(call(client_for(guardian), "post", URL, _body(grandparent, grandparent)), 422, "insured_duplicate")
