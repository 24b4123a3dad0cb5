"""Catalog writes: import a YAML catalog, (re)score it, publish new scoring weights.

Import is all-or-nothing: the files are validated completely before the transaction opens,
then every insurer and product is upserted by code (and version) and the scores recomputed,
inside one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, Prefetch, ProtectedError

from kincare.catalog.engine import (
    DIMENSIONS,
    Weights,
    score_catalog,
)
from kincare.catalog.facts import product_facts_from_db
from kincare.catalog.models import (
    Benefit,
    DeductibleGroup,
    Insurer,
    Plan,
    PremiumRow,
    Product,
    ProductScore,
    ProductService,
    ScoringModel,
)
from kincare.catalog.sources import (
    DATA_DIR,
    Catalog,
    InsurerIn,
    ProductIn,
    load_catalog,
)
from kincare.core.audit import audit_record
from kincare.core.errors import ValidationFailed


@dataclass(frozen=True)
class ImportResult:
    insurers: int
    products_created: int
    products_updated: int
    scored: int


def weights_of(model: ScoringModel) -> Weights:
    return Weights(
        coverage=model.coverage_weight,
        price=model.price_weight,
        renewal=model.renewal_weight,
        insurer=model.insurer_weight,
        services=model.services_weight,
        threshold=model.threshold,
    )


def scoring_model_active() -> ScoringModel:
    """The active weights; version 1 with the default weights is created on first use."""
    model = ScoringModel.objects.filter(is_active=True).first()
    if model is None:
        model, _created = ScoringModel.objects.get_or_create(
            version=1, defaults={"is_active": True, "note": "默认权重"}
        )
        if not model.is_active:
            ScoringModel.objects.filter(pk=model.pk).update(is_active=True)
            model.is_active = True
    return model


# --- import ----------------------------------------------------------------------------------


def _upsert_insurer(data: InsurerIn) -> Insurer:
    insurer, _created = Insurer.objects.update_or_create(code=data.code, defaults=data.model_dump(exclude={"code"}))
    return insurer


def _write_product(data: ProductIn, insurer: Insurer) -> bool:
    """Create or replace one (code, version); return True when it was new."""
    fields: dict[str, Any] = {
        "name": data.name,
        "insurer": insurer,
        "category": data.category,
        "on_sale": data.on_sale,
        "summary": data.summary,
        "issue_age_min_days": data.issue_age_min_days,
        "issue_age_max_years": data.issue_age_max_years,
        "max_renewal_age": data.max_renewal_age,
        "renewal_kind": data.renewal.kind,
        "guaranteed_years": data.renewal.guaranteed_years,
        "premium_adjustable": data.renewal.premium_adjustable,
        "waiting_days": data.waiting_days,
        "cooling_off_days": data.cooling_off_days,
        "social_insurance_required": data.social_insurance_required,
        "occupation_classes": sorted(set(data.occupation_classes)),
        "terms": data.terms.model_dump(mode="json"),
        "clause_text": data.clause_text,
    }
    product = Product.objects.filter(code=data.code, version=data.version).first()
    created = product is None
    if product is None:
        product = Product(code=data.code, version=data.version, is_current=False)
    for name, value in fields.items():
        setattr(product, name, value)
    if data.questionnaire is not None:
        product.questionnaire_code = data.questionnaire
    product.save()
    product.benefits.all().delete()
    product.premium_rows.all().delete()
    product.deductible_groups.all().delete()
    product.services.all().delete()
    groups = {
        g.code: DeductibleGroup.objects.create(product=product, code=g.code, amount_fen=g.amount_fen, scope=g.scope)
        for g in data.deductible_groups
    }
    Benefit.objects.bulk_create(
        Benefit(
            product=product,
            position=i,
            deductible_group=groups.get(b.deductible_group or ""),
            **b.model_dump(exclude={"deductible_group"}),
        )
        for i, b in enumerate(data.benefits)
    )
    plans = _write_plans(product, data)
    PremiumRow.objects.bulk_create(
        (
            PremiumRow(
                product=product,
                plan=plans[t.plan],
                age_min=lo,
                age_max=hi,
                sex=t.sex,
                social_insurance=t.social_insurance,
                payment_years=t.payment_years,
                annual_premium_fen=fen,
            )
            for t in data.premiums
            for lo, hi, fen in t.bands
        ),
        batch_size=1000,
    )
    ProductService.objects.bulk_create(ProductService(product=product, code=code) for code in data.services)
    return created


def _write_plans(product: Product, data: ProductIn) -> dict[str, Plan]:
    """Upsert plans by code: applications and policies point at them, so they are kept."""
    plans: dict[str, Plan] = {}
    for i, p in enumerate(data.plans):
        plans[p.code], _created = Plan.objects.update_or_create(
            product=product,
            code=p.code,
            defaults={"name": p.name, "position": i, "cover_fen": p.cover_fen, "deductible_fen": p.deductible_fen},
        )
    gone = product.plans.exclude(code__in=list(plans))
    try:
        with transaction.atomic():
            gone.delete()
    except ProtectedError:
        raise ValidationFailed(
            f"{data.code} v{data.version}: a plan with policies cannot be removed; publish a new version",
            code="plan_in_use",
            field="plans",
        ) from None
    return plans


def _mark_current_versions(codes: set[str]) -> None:
    """The highest version of each code is the one new business sees."""
    for code in codes:
        latest = Product.objects.filter(code=code).aggregate(v=Max("version"))["v"]
        Product.objects.filter(code=code).exclude(version=latest).update(is_current=False)
        Product.objects.filter(code=code, version=latest).update(is_current=True)


def catalog_import(*, directory: Path | str = DATA_DIR, actor: Any = None) -> ImportResult:
    """Validate a YAML catalog directory, then upsert it and rescore, all or nothing.

    Raises ``CatalogInvalid`` (a ``ValidationFailed``) listing every problem by file, product
    and field; the database is untouched then.
    """
    catalog = load_catalog(directory)
    return catalog_import_loaded(catalog=catalog, actor=actor)


def catalog_import_loaded(*, catalog: Catalog, actor: Any = None) -> ImportResult:
    with transaction.atomic():
        insurers = {data.code: _upsert_insurer(data) for data in catalog.insurers}
        created = updated = 0
        for data in catalog.products:
            insurer = insurers.get(data.insurer) or Insurer.objects.filter(code=data.insurer).first()
            if insurer is None:
                raise ValidationFailed(f"unknown insurer {data.insurer!r}", code="unknown_insurer", field="insurer")
            if _write_product(data, insurer):
                created += 1
            else:
                updated += 1
        _mark_current_versions({p.code for p in catalog.products})
        scored = catalog_scores_recompute()
        audit_record(
            actor=actor,
            action="catalog.import",
            subject_type="catalog.product",
            new={"insurers": len(insurers), "created": created, "updated": updated},
        )
    return ImportResult(len(insurers), created, updated, scored)


# --- scoring ---------------------------------------------------------------------------------


def catalog_scores_recompute(*, scoring_model: ScoringModel | None = None) -> int:
    """Score every current product with the active (or given) model and store the results."""
    model = scoring_model or scoring_model_active()
    products = list(
        Product.objects.filter(is_current=True)
        .select_related("insurer")
        .prefetch_related(
            Prefetch("benefits", queryset=Benefit.objects.select_related("deductible_group")),
            "plans",
            "premium_rows",
            "deductible_groups",
            "services",
        )
    )
    facts = [product_facts_from_db(p) for p in products]
    scores = score_catalog(facts, weights_of(model))
    price_from = dict(
        PremiumRow.objects.filter(product__in=products).values_list("product_id").annotate(m=Min("annual_premium_fen"))
    )
    with transaction.atomic():
        # older versions are not offered any more: only current products carry a score
        ProductScore.objects.filter(product__is_current=False).delete()
        ProductScore.objects.filter(product__in=products).delete()
        ProductScore.objects.bulk_create(
            ProductScore(
                product=product,
                scoring_model=model,
                total=score.total,
                selected=score.selected,
                hidden_reason=score.hidden_reason,
                price_from_fen=price_from.get(product.pk, 0),
                explanations={
                    d: [
                        {"label": line.label, "input": line.input, "points": str(line.points)}
                        for line in score.dimensions[d].lines
                    ]
                    for d in DIMENSIONS
                },
                **{d: score.dimensions[d].score for d in DIMENSIONS},
            )
            for product, score in zip(products, scores, strict=True)
        )
    return len(scores)


def scoring_model_create(
    *,
    actor: Any,
    coverage: int,
    price: int,
    renewal: int,
    insurer: int,
    services: int,
    threshold: int = 60,
    note: str = "",
) -> ScoringModel:
    """Publish new weights as the next version, make them active and re-rank the catalog. The edge
    parsed them (``catalog.form_schemas.ScoringWeights``)."""
    weights = {"coverage": coverage, "price": price, "renewal": renewal, "insurer": insurer, "services": services}
    with transaction.atomic():
        previous = ScoringModel.objects.select_for_update().filter(is_active=True).first()
        version = (ScoringModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        ScoringModel.objects.filter(is_active=True).update(is_active=False)
        model = ScoringModel.objects.create(
            version=version,
            is_active=True,
            threshold=threshold,
            note=note,
            **{f"{name}_weight": value for name, value in weights.items()},
        )
        catalog_scores_recompute(scoring_model=model)
        audit_record(
            actor=actor,
            action="catalog.scoring_model.activate",
            subject=model,
            old={"version": previous.version} if previous else None,
            new={**weights, "threshold": threshold, "version": version},
        )
    return model
