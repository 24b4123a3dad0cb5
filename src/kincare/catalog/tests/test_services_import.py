"""``catalog_import``: validation errors name file, product and field; nothing is half-imported;
versions are kept; scores are stored with their explanation lines."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from kincare.catalog.models import Benefit, Insurer, PremiumRow, Product, ProductScore
from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR, CatalogInvalid, load_catalog


def _small_catalog(tmp_path: Path, codes: tuple[str, ...] = ("med_01", "med_02", "ci_01")) -> Path:
    (tmp_path / "products").mkdir()
    shutil.copy(DATA_DIR / "insurers.yaml", tmp_path / "insurers.yaml")
    for code in codes:
        shutil.copy(DATA_DIR / "products" / f"{code}.yaml", tmp_path / "products" / f"{code}.yaml")
    return tmp_path


def _edit(directory: Path, code: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = directory / "products" / f"{code}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogInvalid) as exc:
        load_catalog(directory)
    return [str(p) for p in exc.value.problems]


def test_the_shipped_catalog_is_valid_and_big_enough() -> None:
    catalog = load_catalog(DATA_DIR)
    by_category: dict[str, int] = {}
    for product in catalog.products:
        by_category[product.category] = by_category.get(product.category, 0) + 1
    assert len(catalog.insurers) >= 8
    assert any(i.risk_rating == "C" for i in catalog.insurers)
    assert len(catalog.products) >= 45
    assert by_category["medical"] >= 14
    assert by_category["critical_illness"] >= 10
    assert by_category["accident"] >= 8
    assert by_category["term_life"] >= 8
    assert by_category["long_term_care"] + by_category["disability_income"] >= 3


def test_the_shipped_premiums_follow_the_market() -> None:
    catalog = {p.code: p for p in load_catalog(DATA_DIR).products}

    def premium(code: str, age: int, plan: str, years: int = 1) -> float:
        for table in catalog[code].premiums:
            if table.plan == plan and table.sex == "M" and table.social_insurance and table.payment_years == years:
                for lo, hi, fen in table.bands:
                    if lo <= age <= hi:
                        return fen / 100
        raise AssertionError

    assert 300 <= premium("med_03", 0, "standard") <= 600
    assert 200 <= premium("med_03", 22, "standard") <= 400
    assert 450 <= premium("med_03", 35, "standard") <= 1100
    assert 900 <= premium("med_03", 45, "standard") <= 2200
    assert 1800 <= premium("med_03", 55, "standard") <= 4200
    assert 7000 <= premium("ci_01", 35, "si_500k", 20) <= 13000
    assert 800 <= premium("life_01", 30, "si_1m", 30) <= 1400
    assert 200 <= premium("acc_01", 30, "standard") <= 400


def test_a_missing_field_is_named_with_file_and_product(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(directory, "med_01", lambda d: d.pop("waiting_days"))
    problems = _problems(directory)
    assert problems == ["products/med_01.yaml: med_01: waiting_days: Field required"]


def test_a_negative_premium_is_refused(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(directory, "med_02", lambda d: d["premiums"][1]["bands"][3].__setitem__(2, -500))
    problems = _problems(directory)
    assert len(problems) == 1
    assert problems[0].startswith("products/med_02.yaml: med_02: premiums[1].bands[3]: premium must be positive")


def test_overlapping_age_bands_are_refused(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(
        directory, "ci_01", lambda d: d["premiums"][0]["bands"][2].__setitem__(0, d["premiums"][0]["bands"][2][0] - 2)
    )
    problems = _problems(directory)
    assert any("ci_01: premiums[0].bands[2]: age band" in p and "overlaps" in p for p in problems), problems


def test_a_gap_in_the_premium_table_is_refused(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(directory, "med_01", lambda d: d["premiums"][0]["bands"].pop(4))
    problems = _problems(directory)
    assert problems == [
        "products/med_01.yaml: med_01: premiums[0].bands[4]: gap in premium table: no band covers ages 16-20"
    ]


def test_a_missing_sex_or_social_insurance_column_is_a_gap(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(directory, "med_02", lambda d: d["premiums"].pop(3))
    problems = _problems(directory)
    assert len(problems) == 1
    assert "med_02: premiums: gap in premium table" in problems[0]
    assert "sex F, without social insurance" in problems[0]


def test_an_unknown_insurer_is_refused(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(directory, "med_01", lambda d: d.__setitem__("insurer", "nobody_life"))
    assert _problems(directory) == ["products/med_01.yaml: med_01: insurer: unknown insurer 'nobody_life'"]


def test_wrong_types_and_unknown_fields_are_named(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    _edit(directory, "med_01", lambda d: d.update({"waiting_days": "三十", "colour": "red"}))
    problems = _problems(directory)
    assert any("med_01: waiting_days:" in p for p in problems)
    assert any("med_01: colour: Extra inputs are not permitted" in p for p in problems)


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    directory = _small_catalog(tmp_path)
    (directory / "products" / "med_02.yaml").write_text("code: [unclosed", encoding="utf-8")
    assert any(p.startswith("products/med_02.yaml: -: -: unreadable YAML") for p in _problems(directory))


@pytest.mark.django_db
def test_nothing_is_imported_when_one_file_is_wrong(tmp_path: Path) -> None:
    Product.objects.all().delete()
    directory = _small_catalog(tmp_path)
    _edit(directory, "ci_01", lambda d: d["premiums"][0]["bands"][0].__setitem__(2, 0))
    with pytest.raises(CatalogInvalid):
        catalog_import(directory=directory)
    assert not Product.objects.filter(code__in=["med_01", "med_02", "ci_01"]).exists()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("catalog", "import", str(directory))


@pytest.mark.django_db
def test_import_upserts_and_a_new_version_keeps_the_old_one(tmp_path: Path) -> None:
    Product.objects.all().delete()
    directory = _small_catalog(tmp_path)
    first = catalog_import(directory=directory)
    assert (first.products_created, first.products_updated, first.scored) == (3, 0, 3)
    again = catalog_import(directory=directory)
    assert (again.products_created, again.products_updated) == (0, 3)
    assert Product.objects.count() == 3
    v1 = Product.objects.get(code="med_01", version=1)
    rows_v1 = PremiumRow.objects.filter(product=v1).count()
    assert rows_v1 > 50

    _edit(directory, "med_01", lambda d: d.update({"version": 2, "waiting_days": 0}))
    catalog_import(directory=directory)
    v1.refresh_from_db()
    v2 = Product.objects.get(code="med_01", version=2)
    assert not v1.is_current
    assert v2.is_current
    assert PremiumRow.objects.filter(product=v1).count() == rows_v1  # old policies keep their terms
    assert v1.waiting_days == 30
    assert v2.waiting_days == 0
    assert not ProductScore.objects.filter(product=v1).exists()
    assert ProductScore.objects.filter(product=v2).exists()


@pytest.mark.django_db
def test_import_stores_benefit_rows_and_explained_scores(tmp_path: Path) -> None:
    Product.objects.all().delete()
    catalog_import(directory=_small_catalog(tmp_path))
    product = Product.objects.get(code="med_01")
    kinds = set(Benefit.objects.filter(product=product).values_list("kind", flat=True))
    assert {"general", "serious_illness"} <= kinds
    assert Insurer.objects.get(code="ankang_life").risk_rating == "AAA"
    score = product.score
    for dimension in ("coverage", "price", "renewal", "insurer", "services"):
        lines = score.explanations[dimension]
        assert lines
        assert sum(float(line["points"]) for line in lines) == pytest.approx(float(getattr(score, dimension)))
