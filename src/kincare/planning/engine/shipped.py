"""The planner's catalog from YAML files and the shipped rule tables (no database).

``kincare plan``, the bench and the tests read the sample catalog this way; the product reads
the same shape from the database (``planning.catalog``).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from kincare.catalog.engine import Weights, score_catalog
from kincare.catalog.sources import DATA_DIR, ProductIn, current_products, load_catalog, premium_table, product_facts
from kincare.planning.engine.catalog import PlanningCatalog
from kincare.planning.engine.model import CATEGORIES, CatalogPlan, CatalogProduct
from kincare.underwriting.engine.shipped import RULES_DIR, questionnaires, shipped_book

ACCIDENTAL_DEATH = "accidental_death_disability"


def pays_death(category: str, benefit_kinds: set[str]) -> bool:
    return category == "term_life" or (category == "accident" and ACCIDENTAL_DEATH in benefit_kinds)


def catalog_product(product: ProductIn, *, insurer_name: str, score: object, selected: bool) -> CatalogProduct:
    from decimal import Decimal

    return CatalogProduct(
        code=product.code,
        name=product.name,
        category=product.category,
        score=Decimal(str(score)),
        selected=selected,
        on_sale=product.on_sale,
        issue_age_min_days=product.issue_age_min_days,
        issue_age_max_years=product.issue_age_max_years,
        social_insurance_required=product.social_insurance_required,
        occupation_classes=frozenset(product.occupation_classes),
        questionnaire=product.questionnaire,
        plans=tuple(CatalogPlan(p.code, p.name, p.cover_fen) for p in product.plans),
        table=premium_table(product),
        insurer_name=insurer_name,
        pays_death=pays_death(product.category, {b.kind for b in product.benefits}),
        minor_death_capped=product.terms.minor_death_capped,
    )


@functools.cache
def load_planning_catalog(catalog_dir: Path = DATA_DIR, rules_dir: Path = RULES_DIR) -> PlanningCatalog:
    """Score the catalog with the default weights and read the shipped rule tables."""
    catalog = load_catalog(catalog_dir)
    insurers = {i.code: i for i in catalog.insurers}
    products = [p for p in current_products(catalog) if p.category in CATEGORIES]
    scores = {
        s.code: s
        for s in score_catalog([product_facts(p, insurers[p.insurer]) for p in current_products(catalog)], Weights())
    }
    planning_products = [
        catalog_product(
            p, insurer_name=insurers[p.insurer].short_name, score=scores[p.code].total, selected=scores[p.code].selected
        )
        for p in products
    ]
    needed = {p.questionnaire for p in products if p.questionnaire}
    books = {code: shipped_book(code, rules_dir) for code in sorted(needed) if code in questionnaires()}
    digest = hashlib.sha256()
    for path in sorted(Path(catalog_dir).rglob("*.yaml")):
        digest.update(path.read_bytes())
    for book in books.values():
        for table in book.tables.values():
            digest.update(table.sha256.encode())
    return PlanningCatalog(planning_products, books, version=f"files:{digest.hexdigest()[:16]}")
