"""Catalog reads, scoped by ``catalog.policies.ProductPolicy``: families and visitors see selected (严选)
products only; staff see every current product, the hidden ones marked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.catalog import engine
from kincare.catalog.facts import premium_table_from_db
from kincare.catalog.models import Benefit, Category, Product, ScoringModel
from kincare.catalog.policies import POLICY
from kincare.catalog.services import scoring_model_active
from kincare.core.errors import NotFound, ValidationFailed

MAX_COMPARE = 3
PRODUCT_CODE = re.compile(r"^[a-z0-9_]{1,60}$")


def _check_code(code: object) -> None:
    """Codes are short ASCII slugs; anything else (NUL bytes, 10 kB strings) is simply not found."""
    if not isinstance(code, str) or not PRODUCT_CODE.match(code):
        raise NotFound(_("找不到该产品"), code="product_not_found", field="code")


@dataclass(frozen=True)
class ProductFilters:
    category: str | None = None
    age: int | None = None
    social_insurance: bool | None = None
    accepts_chronic: bool | None = None
    guaranteed_renewal: bool | None = None


def _with_details(qs: QuerySet[Product]) -> QuerySet[Product]:
    return qs.select_related("insurer", "score", "score__scoring_model").prefetch_related(
        Prefetch("benefits", queryset=Benefit.objects.select_related("deductible_group")),
        "plans",
        "deductible_groups",
        "services",
    )


def product_list(*, user: Any, filters: ProductFilters) -> list[Product]:
    """Products of a category the user may see, best total first."""
    if filters.category is not None and filters.category not in Category.values:
        raise ValidationFailed(_("没有这个产品类别"), code="unknown_category", field="category")
    qs = POLICY.scope(user, "view").filter(score__isnull=False)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.age is not None:
        if filters.age < 0 or filters.age > 120:
            raise ValidationFailed(_("年龄应在 0 到 120 岁之间"), code="age_invalid", field="age")
        qs = qs.filter(issue_age_max_years__gte=filters.age, issue_age_min_days__lte=filters.age * 365 + 364)
    if filters.social_insurance is False:
        qs = qs.filter(social_insurance_required=False)
    if filters.accepts_chronic:
        qs = qs.filter(terms__accepts_chronic=True)
    if filters.guaranteed_renewal:
        qs = qs.filter(renewal_kind=Product.RenewalKind.GUARANTEED)
    return list(_with_details(qs).order_by("-score__total", "code"))


def product_get(*, user: Any, code: str) -> Product:
    """The current version of a product the user may see, or NotFound."""
    _check_code(code)
    product = _with_details(POLICY.scope(user, "view").filter(code=code)).first()
    if product is None:
        raise NotFound(_("找不到该产品"), code="product_not_found", field="code")
    return product


def product_compare(*, user: Any, codes: list[str]) -> list[Product]:
    """Up to three products of one category, in the order asked."""
    unique = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if len(unique) < 2:
        raise ValidationFailed(_("请至少选择两款产品进行对比"), code="compare_too_few", field="codes")
    if len(unique) > MAX_COMPARE:
        raise ValidationFailed(_("最多对比三款产品"), code="compare_too_many", field="codes")
    products = [product_get(user=user, code=code) for code in unique]
    if len({p.category for p in products}) > 1:
        raise ValidationFailed(_("只能对比同一类别的产品"), code="compare_mixed_categories", field="codes")
    return products


def product_quote(
    *,
    user: Any,
    code: str,
    sex: str,
    social_insurance: bool,
    plan: str | None = None,
    age: int | None = None,
    birth_date: dt.date | None = None,
    payment_years: int | None = None,
    on_date: dt.date | None = None,
) -> tuple[Product, engine.Quote]:
    _check_code(code)
    product = _with_details(POLICY.scope(user, "view").filter(code=code)).prefetch_related("premium_rows").first()
    if product is None:
        raise NotFound(_("找不到该产品"), code="product_not_found", field="code")
    table = premium_table_from_db(product)
    quote = engine.quote_premium(
        table,
        sex=sex,
        social_insurance=social_insurance,
        plan=plan or table.plans[0].code,
        on_date=on_date or timezone.localdate(),
        age=age,
        birth_date=birth_date,
        payment_years=payment_years,
    )
    return product, quote


def scoring_model_current() -> ScoringModel:
    return scoring_model_active()


def category_counts(*, user: Any) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(Category.values, 0)
    for category in POLICY.scope(user, "view").values_list("category", flat=True):
        counts[category] += 1
    return counts
