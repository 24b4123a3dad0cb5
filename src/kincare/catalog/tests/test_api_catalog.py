"""/api/v1/catalog/: public reads for every persona; hidden products only for staff; errors as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kincare.accounts.models import User

pytestmark = pytest.mark.usefixtures("sample_catalog")
API = "/api/v1/catalog"
HIDDEN = "med_13"  # sold by the C-rated insurer


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _json(response: Any) -> Any:
    return response.json()


def test_everyone_sees_the_same_ranked_selected_list(family_persona: User | None) -> None:
    response = _client(family_persona).get(f"{API}/products", {"category": "medical"})
    assert response.status_code == 200
    items = _json(response)
    assert len(items) >= 5
    totals = [float(i["score"]["total"]) for i in items]
    assert totals == sorted(totals, reverse=True)
    assert all(i["score"]["selected"] for i in items)
    assert HIDDEN not in {i["code"] for i in items}
    assert all(i["category"] == "medical" for i in items)
    assert all(i["price_from_fen"] > 0 for i in items)


def test_staff_also_see_hidden_products_marked(staff_user: User) -> None:
    items = _json(_client(staff_user).get(f"{API}/products", {"category": "medical"}))
    hidden = [i for i in items if i["code"] == HIDDEN]
    assert hidden
    assert hidden[0]["score"]["selected"] is False
    assert hidden[0]["score"]["hidden_reason"] == "insurer_rating"


def test_filters_narrow_the_list() -> None:
    client = Client()
    chronic = _json(client.get(f"{API}/products", {"category": "medical", "accepts_chronic": "true"}))
    assert chronic
    assert all(i["code"] in {"med_10", "med_11", "med_12"} for i in chronic)
    guaranteed = _json(client.get(f"{API}/products", {"category": "medical", "guaranteed_renewal": "true"}))
    assert guaranteed
    assert all(i["renewal_kind"] == "guaranteed" for i in guaranteed)
    old = _json(client.get(f"{API}/products", {"category": "accident", "age": 75}))
    assert all(i["issue_age_max_years"] >= 75 for i in old)
    children = _json(client.get(f"{API}/products", {"category": "term_life", "age": 5}))
    assert children == []


@pytest.mark.parametrize(
    "params",
    [
        {"age": "-1"},
        {"age": "１２"},
        {"age": "abc"},
        {"age": "9" * 40},
        {"category": "pets"},
        {"social_insurance": "maybe"},
    ],
)
def test_bad_filters_are_a_422_with_the_field(params: dict[str, str]) -> None:
    response = Client().get(f"{API}/products", params)
    assert response.status_code == 422
    body = _json(response)
    assert body["code"] == "validation_error"
    assert body["field"] == next(iter(params))


def test_the_detail_has_benefits_plans_and_explained_scores(family_persona: User | None) -> None:
    response = _client(family_persona).get(f"{API}/products/med_01")
    assert response.status_code == 200
    body = _json(response)
    assert body["code"] == "med_01"
    assert {b["kind"] for b in body["benefits"]} >= {"general"}
    assert body["plans"]
    assert body["clause_text"]
    for dimension in ("coverage", "price", "renewal", "insurer", "services"):
        points = sum(float(line["points"]) for line in body["explanations"][dimension])
        assert points == pytest.approx(float(body["score"][dimension]))


def test_a_hidden_product_is_not_found_for_families_but_visible_to_staff(
    family_persona: User | None, staff_user: User
) -> None:
    response = _client(family_persona).get(f"{API}/products/{HIDDEN}")
    assert response.status_code == 404
    assert _json(response)["code"] == "product_not_found"
    assert _client(staff_user).get(f"{API}/products/{HIDDEN}").status_code == 200


def test_an_unknown_code_is_a_clean_404() -> None:
    for code in ["nope", "x" * 300, "med_01'--", "%00"]:
        response = Client().get(f"{API}/products/{code}")
        assert response.status_code == 404, code


def test_a_quote_prices_one_buyer(family_persona: User | None) -> None:
    response = _client(family_persona).get(
        f"{API}/products/med_03/quote", {"sex": "M", "age": 30, "social_insurance": "true", "plan": "standard"}
    )
    assert response.status_code == 200
    body = _json(response)
    assert body["band_age_min"] <= 30 <= body["band_age_max"]
    assert 40_000 <= body["annual_premium_fen"] <= 120_000


def test_a_quote_by_birth_date_uses_the_age_on_the_given_day() -> None:
    response = Client().get(
        f"{API}/products/ci_01/quote",
        {"sex": "F", "birth_date": "1990-07-01", "on_date": "2026-06-30", "plan": "si_500k", "payment_years": 30},
    )
    assert response.status_code == 200
    assert _json(response)["age"] == 35
    assert _json(response)["payment_years"] == 30


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"sex": "M", "age": 90}, "age_above_max", "age"),
        ({"sex": "M"}, "age_required", "age"),
        ({"sex": "M", "age": 30, "plan": "gold"}, "unknown_plan", "plan"),
        ({"sex": "X", "age": 30}, "validation_error", "sex"),
        ({"sex": "M", "age": "３０"}, "validation_error", "age"),
        ({"sex": "M", "birth_date": "2026-13-01"}, "validation_error", "birth_date"),
    ],
)
def test_a_bad_quote_says_what_to_fix(params: dict[str, Any], code: str, field: str) -> None:
    response = Client().get(f"{API}/products/med_03/quote", params)
    assert response.status_code == 422
    body = _json(response)
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]


def test_a_hidden_product_cannot_be_quoted_by_families(family_persona: User | None) -> None:
    response = _client(family_persona).get(f"{API}/products/{HIDDEN}/quote", {"sex": "M", "age": 30})
    assert response.status_code == 404


def test_compare_lists_differences_between_products_of_one_category(family_persona: User | None) -> None:
    response = _client(family_persona).get(f"{API}/compare", {"codes": "med_01,med_03,med_08"})
    assert response.status_code == 200
    body = _json(response)
    assert [p["code"] for p in body["products"]] == ["med_01", "med_03", "med_08"]
    assert "insurer" in body["differences"]
    assert "score.total" in body["differences"]


@pytest.mark.parametrize(
    ("codes", "status", "code"),
    [
        ("med_01", 422, "compare_too_few"),
        ("med_01,med_01", 422, "compare_too_few"),
        ("med_01,med_02,med_03,med_04", 422, "compare_too_many"),
        ("med_01,ci_01", 422, "compare_mixed_categories"),
        (f"med_01,{HIDDEN}", 404, "product_not_found"),
        ("med_01,nope", 404, "product_not_found"),
    ],
)
def test_compare_refuses_bad_selections(codes: str, status: int, code: str) -> None:
    response = Client().get(f"{API}/compare", {"codes": codes})
    assert response.status_code == status
    assert _json(response)["code"] == code


def test_the_scoring_model_is_public() -> None:
    body = _json(Client().get(f"{API}/scoring-model"))
    assert body["weights"] == {"coverage": 35, "price": 20, "renewal": 20, "insurer": 15, "services": 10}
    assert body["threshold"] == 60


def test_the_endpoints_are_in_the_openapi_schema() -> None:
    paths = _json(Client().get("/api/v1/openapi.json"))["paths"]
    for path in ["/products", "/products/{code}", "/products/{code}/quote", "/compare"]:
        assert f"/api/v1/catalog{path}" in paths
