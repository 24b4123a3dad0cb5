"""Catalog pages render for a visitor and a family; hidden products are marked for staff only."""

from __future__ import annotations

import pytest
from django.test import Client

from kincare.accounts.models import User

pytestmark = pytest.mark.usefixtures("sample_catalog")
HIDDEN = "med_13"


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_catalog_lists_ranked_products_with_score_bars(family_persona: User | None) -> None:
    response = _client(family_persona).get("/catalog/", {"category": "critical_illness"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="score-bars"' in html
    assert "保障范围" in html
    assert "/年起" in html
    assert "ci_10" not in html  # sold by the C-rated insurer
    assert "ci_01" in html


def test_filters_work_as_an_htmx_partial() -> None:
    response = Client().get("/catalog/", {"category": "medical", "accepts_chronic": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="product-list">')
    assert "<html" not in html


@pytest.mark.parametrize("age", ["１２", "-5", "abc", "9" * 50])
def test_a_bad_age_filter_shows_a_message_not_an_error(age: str) -> None:
    response = Client().get("/catalog/", {"age": age})
    assert response.status_code == 200
    assert "年龄" in response.content.decode()


def test_the_product_page_has_terms_calculator_breakdown_and_clause(family_persona: User | None) -> None:
    response = _client(family_persona).get("/catalog/p/med_01/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["保障责任", "保费试算", "评分明细", "条款原文", "一般医疗保险金", 'hx-get="/catalog/p/med_01/quote"']:
        assert text in html


def test_hidden_products_404_for_families_and_are_marked_for_staff(
    family_persona: User | None, staff_user: User
) -> None:
    assert _client(family_persona).get(f"/catalog/p/{HIDDEN}/").status_code == 404
    response = _client(staff_user).get(f"/catalog/p/{HIDDEN}/")
    assert response.status_code == 200
    assert "未入选严选" in response.content.decode()
    listing = _client(staff_user).get("/catalog/", {"category": "medical"}).content.decode()
    assert HIDDEN in listing
    assert "未入选严选" in listing


def test_the_calculator_returns_the_premium() -> None:
    response = Client().get(
        "/catalog/p/med_03/quote", {"age": "30", "sex": "M", "social_insurance": "1", "plan": "standard"}
    )
    assert response.status_code == 200
    assert "data-premium-fen" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"age": "90", "sex": "M"}, "最高投保年龄"),
        ({"age": "３０", "sex": "M"}, "半角数字"),
        ({"birth_date": "yesterday", "sex": "M"}, "出生日期"),
        ({"birth_date": "2099-01-01", "sex": "M"}, "出生日期"),
        ({"sex": "M"}, "年龄"),
        ({"age": "30", "sex": "M", "plan": "gold"}, "计划"),
    ],
)
def test_the_calculator_explains_bad_input(params: dict[str, str], message: str) -> None:
    response = Client().get("/catalog/p/med_03/quote", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert message in html


def test_compare_highlights_differences(family_persona: User | None) -> None:
    response = _client(family_persona).get("/catalog/compare", {"codes": ["med_01", "med_03"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="different"' in html
    assert "安康e生保2026" in html


def test_compare_explains_a_bad_selection() -> None:
    response = Client().get("/catalog/compare", {"codes": ["med_01", "ci_01"]})
    assert response.status_code == 200
    assert "同一类别" in response.content.decode()
    assert Client().get("/catalog/compare", {"codes": ["med_01", HIDDEN]}).status_code == 404


def test_the_methodology_page_states_the_formula_and_weights(family_persona: User | None) -> None:
    response = _client(family_persona).get("/catalog/methodology")
    assert response.status_code == 200
    html = response.content.decode()
    assert "加权平均" in html
    assert "<td>35</td>" in html
    assert "C 或 D" in html
