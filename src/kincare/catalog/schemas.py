"""API schemas of the catalog (money in fen, scores 0–100 with two decimals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from kincare.catalog.engine import DIMENSIONS
from kincare.catalog.models import Product


class InsurerOut(Schema):
    code: str
    name: str
    short_name: str
    risk_rating: str
    service_rating: str
    comprehensive_solvency_pct: Decimal
    core_solvency_pct: Decimal


class ScoreOut(Schema):
    total: Decimal
    coverage: Decimal
    price: Decimal
    renewal: Decimal
    insurer: Decimal
    services: Decimal
    selected: bool
    hidden_reason: str
    scoring_model_version: int


class ExplanationLineOut(Schema):
    label: str
    input: str
    points: Decimal


class ProductSummaryOut(Schema):
    code: str
    version: int
    name: str
    category: str
    insurer: InsurerOut
    summary: str
    issue_age_min_days: int
    issue_age_max_years: int
    renewal_kind: str
    guaranteed_years: int
    main_cover_fen: int
    deductible_fen: int | None
    price_from_fen: int
    services: list[str]
    score: ScoreOut | None


class BenefitOut(Schema):
    kind: str
    label: str
    annual_limit_fen: int | None
    deductible_fen: int | None
    deductible_scope: str | None
    ratio_with_social: Decimal | None
    ratio_without_social: Decimal | None
    disease_count: int | None
    payout_ratio: Decimal | None
    max_payouts: int | None
    note: str


class PlanOut(Schema):
    code: str
    name: str
    cover_fen: int
    deductible_fen: int | None


class ProductDetailOut(ProductSummaryOut):
    max_renewal_age: int
    premium_adjustable: bool
    waiting_days: int
    cooling_off_days: int
    social_insurance_required: bool
    occupation_classes: list[int]
    terms: dict[str, object]
    benefits: list[BenefitOut]
    plans: list[PlanOut]
    explanations: dict[str, list[ExplanationLineOut]]
    clause_text: str


class QuoteIn(Schema):
    sex: Literal["M", "F"]
    social_insurance: bool = True
    plan: str | None = Field(default=None, max_length=40)
    age: int | None = Field(default=None, ge=0, le=150)
    birth_date: dt.date | None = None
    payment_years: int | None = Field(default=None, ge=1, le=100)
    on_date: dt.date | None = None


class QuoteOut(Schema):
    product: str
    version: int
    plan: str
    age: int
    sex: str
    social_insurance: bool
    payment_years: int
    annual_premium_fen: int
    band_age_min: int
    band_age_max: int


class CompareOut(Schema):
    category: str
    products: list[ProductDetailOut]
    #: fields whose values differ between the products (highlighted on the page)
    differences: list[str]


class ScoringModelOut(Schema):
    version: int
    weights: dict[str, int]
    threshold: int


def main_deductible(product: Product) -> int | None:
    amounts = [g.amount_fen for g in product.deductible_groups.all()]
    for benefit in product.benefits.all():
        if benefit.kind in ("general", "accidental_medical") and benefit.deductible_group is not None:
            return benefit.deductible_group.amount_fen
    return min(amounts) if amounts else None


def score_out(product: Product) -> ScoreOut | None:
    score = getattr(product, "score", None)
    if score is None:
        return None
    return ScoreOut(
        total=score.total,
        selected=score.selected,
        hidden_reason=score.hidden_reason,
        scoring_model_version=score.scoring_model.version if score.scoring_model_id else 0,
        **{d: getattr(score, d) for d in DIMENSIONS},
    )


def summary_fields(product: Product) -> dict[str, object]:
    score = getattr(product, "score", None)
    return {
        "code": product.code,
        "version": product.version,
        "name": product.name,
        "category": product.category,
        "insurer": InsurerOut.from_orm(product.insurer),
        "summary": product.summary,
        "issue_age_min_days": product.issue_age_min_days,
        "issue_age_max_years": product.issue_age_max_years,
        "renewal_kind": product.renewal_kind,
        "guaranteed_years": product.guaranteed_years,
        "main_cover_fen": max((p.cover_fen for p in product.plans.all()), default=0),
        "deductible_fen": main_deductible(product),
        "price_from_fen": score.price_from_fen if score else 0,
        "services": sorted(s.code for s in product.services.all()),
        "score": score_out(product),
    }


def product_summary(product: Product) -> ProductSummaryOut:
    return ProductSummaryOut(**summary_fields(product))  # type: ignore[arg-type]


def product_detail(product: Product) -> ProductDetailOut:
    score = getattr(product, "score", None)
    return ProductDetailOut(
        **summary_fields(product),  # type: ignore[arg-type]
        max_renewal_age=product.max_renewal_age,
        premium_adjustable=product.premium_adjustable,
        waiting_days=product.waiting_days,
        cooling_off_days=product.cooling_off_days,
        social_insurance_required=product.social_insurance_required,
        occupation_classes=list(product.occupation_classes),
        terms=dict(product.terms),
        benefits=[
            BenefitOut(
                kind=b.kind,
                label=b.label,
                annual_limit_fen=b.annual_limit_fen,
                deductible_fen=b.deductible_group.amount_fen if b.deductible_group else None,
                deductible_scope=b.deductible_group.scope if b.deductible_group else None,
                ratio_with_social=b.ratio_with_social,
                ratio_without_social=b.ratio_without_social,
                disease_count=b.disease_count,
                payout_ratio=b.payout_ratio,
                max_payouts=b.max_payouts,
                note=b.note,
            )
            for b in product.benefits.all()
        ],
        plans=[
            PlanOut(code=p.code, name=p.name, cover_fen=p.cover_fen, deductible_fen=p.deductible_fen)
            for p in product.plans.all()
        ],
        explanations=score.explanations if score else {},
        clause_text=product.clause_text,
    )


COMPARED_FIELDS = (
    "insurer",
    "main_cover_fen",
    "deductible_fen",
    "renewal_kind",
    "guaranteed_years",
    "max_renewal_age",
    "waiting_days",
    "price_from_fen",
    "services",
    "issue_age_max_years",
)


def differences(details: list[ProductDetailOut]) -> list[str]:
    out = []
    for name in COMPARED_FIELDS:
        values = {str(getattr(d, name) if name != "insurer" else d.insurer.code) for d in details}
        if len(values) > 1:
            out.append(name)
    for dimension in ("total", *DIMENSIONS):
        values = {str(getattr(d.score, dimension)) if d.score else "" for d in details}
        if len(values) > 1:
            out.append(f"score.{dimension}")
    return out
