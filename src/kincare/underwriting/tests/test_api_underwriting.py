"""GET /api/v1/underwriting/questionnaires/{product_code}: public questions with their follow-up forms."""

import pytest
from django.test import Client

from kincare.catalog.models import Product
from kincare.families.conditions import CONDITION_MODELS
from kincare.underwriting.questions import questions_for

API = "/api/v1/underwriting/questionnaires"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _with_questionnaire(code: str | None = None) -> Product:
    # products shown to the public: on sale and selected by the catalog's scoring
    products = Product.objects.filter(is_current=True, on_sale=True, score__selected=True).order_by("code")
    if code:
        return products.filter(questionnaire_code=code).first()
    return products.exclude(questionnaire_code__isnull=True).exclude(questionnaire_code="").first()


def test_a_product_lists_its_questions_ending_with_other_anonymously(catalog):
    product = _with_questionnaire()
    assert product is not None, "the sample catalog names questionnaires"
    response = _client().get(f"{API}/{product.code}")
    assert response.status_code == 200
    data = response.json()
    assert (data["product_code"], data["questionnaire"]) == (product.code, product.questionnaire_code)
    assert [q["condition"] for q in data["questions"]] == [
        q["condition"] for q in questions_for(product.questionnaire_code)
    ]
    assert data["questions"][-1]["condition"] == "other"
    assert all(q["text"] and q["label"] for q in data["questions"])


def test_each_question_carries_the_conditions_attribute_form(catalog, guardian):
    product = _with_questionnaire()
    questions = {q["condition"]: q for q in _client(guardian).get(f"{API}/{product.code}").json()["questions"]}
    for code, question in questions.items():
        assert [a["name"] for a in question["attributes"]] == list(CONDITION_MODELS[code].model_fields)
    hypertension = {a["name"]: a for a in questions["hypertension"]["attributes"]}
    assert hypertension["grade"] == {
        "name": "grade",
        "label": "分级",
        "type": "integer",
        "required": True,
        "minimum": 1,
        "maximum": 3,
        "max_length": None,
        "choices": [],
    }
    assert hypertension["controlled"]["type"] == "boolean"
    if "hepatitis_b" in questions:
        status = {a["name"]: a for a in questions["hepatitis_b"]["attributes"]}["status"]
        assert status["type"] == "choice"
        assert {c["value"]: c["label"] for c in status["choices"]} == {
            "carrier": "携带者",
            "small_three_positive": "小三阳",
            "big_three_positive": "大三阳",
        }
    if "diabetes" in questions:
        kind = {a["name"]: a for a in questions["diabetes"]["attributes"]}["type"]
        assert [c["value"] for c in kind["choices"]] == [1, 2]
    other = {a["name"]: a for a in questions["other"]["attributes"]}["description"]
    assert (other["type"], other["max_length"]) == ("text", 500)


def test_a_product_without_a_questionnaire_asks_nothing(catalog):
    product = (
        Product.objects.filter(is_current=True, on_sale=True, score__selected=True, questionnaire_code__isnull=True)
        .order_by("code")
        .first()
    )
    assert product is not None
    response = _client().get(f"{API}/{product.code}")
    assert response.status_code == 200
    assert response.json() == {"product_code": product.code, "questionnaire": None, "questions": []}


@pytest.mark.parametrize("code", ["nope_99", "med_01'--", "x" * 300, "％"])
def test_an_unknown_product_is_404(catalog, code):
    response = _client().get(f"{API}/{code}")
    assert response.status_code == 404
    assert response.json()["code"] in ("product_not_found", "not_found")


def test_medical_chronic_asks_about_hypertension(catalog):
    product = _with_questionnaire("medical_chronic")
    assert product is not None
    data = _client().get(f"{API}/{product.code}").json()
    assert data["questionnaire"] == "medical_chronic"
    assert "hypertension" in [q["condition"] for q in data["questions"]]
