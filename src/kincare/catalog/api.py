"""/api/v1/catalog/: the public, scored catalog (no login needed; staff also see hidden products)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kincare.catalog import schemas, selectors
from kincare.catalog.engine import DIMENSIONS

router = Router(tags=["catalog"])


class ListFilters(Schema):
    category: (
        Literal["medical", "critical_illness", "accident", "term_life", "long_term_care", "disability_income"] | None
    ) = None
    age: int | None = Field(default=None, ge=0, le=120)
    social_insurance: bool | None = None
    accepts_chronic: bool | None = None
    guaranteed_renewal: bool | None = None


class QuoteQuery(Schema):
    sex: Literal["M", "F"]
    social_insurance: bool = True
    plan: str | None = Field(default=None, max_length=40)
    age: int | None = Field(default=None, ge=0, le=150)
    birth_date: dt.date | None = None
    payment_years: int | None = Field(default=None, ge=1, le=100)
    on_date: dt.date | None = None


class CompareQuery(Schema):
    codes: str = Field(max_length=200, description="2–3 product codes, comma-separated")


@router.get("/products", response=list[schemas.ProductSummaryOut], auth=None, summary="Selected products, ranked")
def product_list(request: HttpRequest, filters: Query[ListFilters]) -> list[schemas.ProductSummaryOut]:
    products = selectors.product_list(user=request.user, filters=selectors.ProductFilters(**filters.dict()))
    return [schemas.product_summary(p) for p in products]


@router.get("/products/{code}", response=schemas.ProductDetailOut, auth=None, summary="A product with its score")
def product_detail(request: HttpRequest, code: str) -> schemas.ProductDetailOut:
    return schemas.product_detail(selectors.product_get(user=request.user, code=code))


@router.get("/products/{code}/quote", response=schemas.QuoteOut, auth=None, summary="Annual premium for one buyer")
def product_quote(request: HttpRequest, code: str, query: Query[QuoteQuery]) -> schemas.QuoteOut:
    product, quote = selectors.product_quote(user=request.user, code=code, **query.dict())
    return schemas.QuoteOut(
        product=product.code,
        version=product.version,
        plan=quote.plan,
        age=quote.age,
        sex=quote.sex,
        social_insurance=quote.social_insurance,
        payment_years=quote.payment_years,
        annual_premium_fen=quote.annual_premium_fen,
        band_age_min=quote.band_age_min,
        band_age_max=quote.band_age_max,
    )


@router.get("/compare", response=schemas.CompareOut, auth=None, summary="Compare 2–3 products of one category")
def product_compare(request: HttpRequest, query: Query[CompareQuery]) -> schemas.CompareOut:
    products = selectors.product_compare(user=request.user, codes=query.codes.split(","))
    details = [schemas.product_detail(p) for p in products]
    return schemas.CompareOut(category=products[0].category, products=details, differences=schemas.differences(details))


@router.get("/scoring-model", response=schemas.ScoringModelOut, auth=None, summary="The active scoring weights")
def scoring_model(request: HttpRequest) -> schemas.ScoringModelOut:
    model = selectors.scoring_model_current()
    return schemas.ScoringModelOut(
        version=model.version,
        weights={d: getattr(model, f"{d}_weight") for d in DIMENSIONS},
        threshold=model.threshold,
    )
