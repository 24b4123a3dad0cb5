"""The planner's catalog from the database, cached per process by a version signature.

The signature changes when a product is imported or changed, scores are recomputed or an
underwriting rule table is activated; a request then rebuilds the catalog once (a few tens
of milliseconds) and every later plan reuses it.
"""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal

from django.db.models import Count, Max, Prefetch

from kincare.catalog.facts import premium_table_from_db
from kincare.catalog.models import Benefit, Product, ProductScore
from kincare.planning.engine import CATEGORIES, CatalogPlan, CatalogProduct, PlanningCatalog
from kincare.planning.engine.shipped import pays_death
from kincare.underwriting.models import RuleSet
from kincare.underwriting.selectors import rulebook_active

_lock = threading.Lock()
_cached: PlanningCatalog | None = None


def catalog_signature() -> str:
    products = Product.objects.filter(is_current=True).aggregate(
        n=Count("id"), changed=Max("updated_at"), top=Max("id")
    )
    scores = ProductScore.objects.aggregate(n=Count("id"), changed=Max("computed_at"))
    rules = RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).aggregate(n=Count("id"), top=Max("id"))
    text = repr((products, scores, rules))
    return "db:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def catalog_from_db(version: str = "") -> PlanningCatalog:
    products = list(
        Product.objects.filter(is_current=True, category__in=CATEGORIES, score__isnull=False)
        .select_related("insurer", "score")
        .prefetch_related(
            Prefetch("benefits", queryset=Benefit.objects.only("product_id", "kind")), "plans", "premium_rows"
        )
        .order_by("code")
    )
    planning_products = [
        CatalogProduct(
            code=p.code,
            name=p.name,
            category=p.category,
            score=Decimal(p.score.total),
            selected=p.score.selected,
            on_sale=p.on_sale,
            issue_age_min_days=p.issue_age_min_days,
            issue_age_max_years=p.issue_age_max_years,
            social_insurance_required=p.social_insurance_required,
            occupation_classes=frozenset(int(c) for c in (p.occupation_classes or [])),
            questionnaire=p.questionnaire_code or None,
            plans=tuple(CatalogPlan(plan.code, plan.name, plan.cover_fen) for plan in p.plans.all()),
            table=premium_table_from_db(p),
            insurer_name=p.insurer.short_name,
            pays_death=pays_death(p.category, {b.kind for b in p.benefits.all()}),
            minor_death_capped=bool((p.terms or {}).get("minor_death_capped")),
        )
        for p in products
    ]
    books = {}
    for code in sorted({p.questionnaire for p in planning_products if p.questionnaire}):
        book = rulebook_active(code)
        if book is not None:
            books[code] = book
    return PlanningCatalog(planning_products, books, version=version or catalog_signature())


def planning_catalog_current() -> PlanningCatalog:
    """The catalog as of now, rebuilt only when its signature changed."""
    global _cached
    version = catalog_signature()
    cached = _cached
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        if _cached is None or _cached.version != version:
            _cached = catalog_from_db(version)
        return _cached
