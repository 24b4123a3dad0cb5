"""Scoring weights are versioned; publishing new ones re-ranks the stored catalog (service, not signal)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from kincare.accounts.models import User
from kincare.catalog.form_schemas import ScoringWeights
from kincare.catalog.models import Product, ProductScore, ScoringModel
from kincare.catalog.services import scoring_model_active, scoring_model_create
from kincare.core.errors import ValidationFailed
from kincare.core.models import AuditEvent


@pytest.mark.usefixtures("sample_catalog")
def test_new_weights_are_a_new_version_and_re_rank_the_catalog(staff_user: User) -> None:
    before = scoring_model_active()
    model = scoring_model_create(actor=staff_user, coverage=0, price=1, renewal=0, insurer=0, services=0, threshold=0)
    assert model.version == before.version + 1
    assert ScoringModel.objects.get(pk=before.pk).is_active is False
    assert scoring_model_active() == model
    for score in ProductScore.objects.all():
        assert score.scoring_model_id == model.pk
        assert score.total == score.price
    rated_c = ProductScore.objects.filter(product__insurer__risk_rating="C")
    assert rated_c.exists()
    assert not rated_c.filter(selected=True).exists()
    assert AuditEvent.objects.filter(action="catalog.scoring_model.activate").exists()


@pytest.mark.usefixtures("sample_catalog")
def test_a_higher_threshold_hides_more_products(staff_user: User) -> None:
    selected_before = ProductScore.objects.filter(selected=True).count()
    scoring_model_create(actor=staff_user, coverage=35, price=20, renewal=20, insurer=15, services=10, threshold=70)
    assert ProductScore.objects.filter(selected=True).count() < selected_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"coverage": -1}, "weight_invalid"),
        ({"coverage": True}, "weight_invalid"),
        ({"coverage": 0, "price": 0, "renewal": 0, "insurer": 0, "services": 0}, "weights_all_zero"),
        ({"threshold": 101}, "threshold_invalid"),
    ],
)
def test_bad_weights_are_refused(kwargs: dict[str, object], code: str) -> None:
    params: dict[str, object] = {"coverage": 35, "price": 20, "renewal": 20, "insurer": 15, "services": 10}
    params.update(kwargs)
    with pytest.raises(ValidationFailed) as exc:  # refused at the edge (the console's form builds ScoringWeights)
        ScoringWeights.model_validate(params)
    assert exc.value.code == code


@pytest.mark.usefixtures("sample_catalog")
@pytest.mark.parametrize(
    ("change", "field"), [({"price_weight": 5000}, "price_weight"), ({"threshold": 101}, "threshold")]
)
def test_the_console_refuses_bad_weights_next_to_the_field(
    staff_user: User, change: dict[str, int], field: str
) -> None:
    client = Client()
    client.force_login(staff_user)
    version = scoring_model_active().version
    weights = {"coverage_weight": 10, "price_weight": 60, "renewal_weight": 10, "insurer_weight": 10}
    response = client.post(
        "/admin/catalog/scoringmodel/add/", {**weights, "services_weight": 10, "threshold": 50, **change}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert scoring_model_active().version == version


@pytest.mark.usefixtures("sample_catalog")
def test_saving_weights_in_the_console_publishes_a_version_and_rescores(staff_user: User) -> None:
    client = Client()
    client.force_login(staff_user)
    version = scoring_model_active().version
    response = client.post(
        "/admin/catalog/scoringmodel/add/",
        {
            "coverage_weight": 10,
            "price_weight": 60,
            "renewal_weight": 10,
            "insurer_weight": 10,
            "services_weight": 10,
            "threshold": 50,
            "note": "价格优先",
        },
    )
    assert response.status_code == 302
    active = scoring_model_active()
    assert active.version == version + 1
    assert active.price_weight == 60
    score = ProductScore.objects.select_related("product").get(product__code="med_01")
    expected = (
        score.coverage * 10 + score.price * 60 + score.renewal * 10 + score.insurer * 10 + score.services * 10
    ) / 100
    assert score.total == expected.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    assert score.scoring_model_id == active.pk


@pytest.mark.usefixtures("sample_catalog")
def test_the_console_pages_open_for_staff(staff_user: User) -> None:
    client = Client()
    client.force_login(staff_user)
    product = Product.objects.get(code="med_01", is_current=True)
    for url in [
        "/admin/catalog/insurer/",
        "/admin/catalog/product/",
        f"/admin/catalog/product/{product.pk}/change/",
        "/admin/catalog/premiumrow/",
        "/admin/catalog/scoringmodel/",
        "/admin/catalog/productscore/",
    ]:
        assert client.get(url).status_code == 200, url


def test_kincare_score_needs_no_database(capsys: pytest.CaptureFixture[str]) -> None:
    # no db fixture: any query would fail the test
    call_command("score", "--category", "term_life")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) >= 8
    assert {line["category"] for line in lines} == {"term_life"}
    for line in lines:
        assert set(line) == {
            "code",
            "category",
            "total",
            "coverage",
            "price",
            "renewal",
            "insurer",
            "services",
            "selected",
        }
        assert 0 <= line["total"] <= 100


def test_kincare_score_accepts_weights(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("score", "--category", "medical", "--weights", "coverage=0,price=1,renewal=0,insurer=0,services=0")
    for line in map(json.loads, capsys.readouterr().out.splitlines()):
        assert line["total"] == pytest.approx(line["price"], abs=0.01)
