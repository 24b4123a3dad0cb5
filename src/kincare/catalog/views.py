"""Catalog pages (mobile-first, zh-hans): ranked list, product page with htmx premium
calculator, compare, methodology. Public; hidden products 404 for everyone but staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.catalog import schemas, selectors
from kincare.catalog.engine import DIMENSIONS, RISK_RATING_POINTS, SERVICE_POINTS, SERVICE_RATING_POINTS
from kincare.catalog.models import Category, Product, ProductService
from kincare.catalog.policies import is_operator
from kincare.core.errors import DomainError, NotFound

DIMENSION_LABELS = {
    "coverage": gettext_lazy("保障范围"),
    "price": gettext_lazy("价格指数"),
    "renewal": gettext_lazy("续保条件"),
    "insurer": gettext_lazy("保险公司"),
    "services": gettext_lazy("增值服务"),
}
SERVICE_LABELS = dict(ProductService.Code.choices)
TRUE_VALUES = {"1", "true", "on", "yes"}


def _flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() in TRUE_VALUES


def _int_or_none(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 3:
        raise DomainError(_("年龄请填写 0 到 120 之间的半角数字"), code="age_invalid", field="age")
    return int(text)


def _bars(product: Product) -> list[dict[str, Any]]:
    score = getattr(product, "score", None)
    if score is None:
        return []
    return [{"key": d, "label": DIMENSION_LABELS[d], "value": getattr(score, d)} for d in DIMENSIONS]


def _card(product: Product) -> dict[str, Any]:
    return {
        "product": product,
        "bars": _bars(product),
        "cover_fen": max((p.cover_fen for p in product.plans.all()), default=0),
        "deductible_fen": schemas.main_deductible(product),
        "services": [SERVICE_LABELS.get(s.code, s.code) for s in product.services.all()],
    }


def catalog_index(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or Category.MEDICAL
    if category not in Category.values:
        category = Category.MEDICAL
    error = ""
    products: list[Product] = []
    try:
        filters = selectors.ProductFilters(
            category=category,
            age=_int_or_none(request.GET.get("age")),
            social_insurance=_flag(request.GET.get("social_insurance")),
            accepts_chronic=_flag(request.GET.get("accepts_chronic")),
            guaranteed_renewal=_flag(request.GET.get("guaranteed_renewal")),
        )
        products = selectors.product_list(user=request.user, filters=filters)
    except DomainError as exc:
        error = exc.message
    context = {
        "categories": Category.choices,
        "category": category,
        "cards": [_card(p) for p in products],
        "error": error,
        "query": request.GET,
        "is_operator": is_operator(request.user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "catalog/partials/product_list.html", context)
    return render(request, "catalog/index.html", context)


def _product_or_404(request: HttpRequest, code: str) -> Product:
    try:
        return selectors.product_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None


def product_detail(request: HttpRequest, code: str) -> HttpResponse:
    product = _product_or_404(request, code)
    score = getattr(product, "score", None)
    breakdown = []
    if score is not None:
        for d in DIMENSIONS:
            breakdown.append(
                {"label": DIMENSION_LABELS[d], "value": getattr(score, d), "lines": score.explanations.get(d, [])}
            )
    payment_terms = sorted(set(product.premium_rows.values_list("payment_years", flat=True)))
    return render(
        request,
        "catalog/product.html",
        {
            "card": _card(product),
            "product": product,
            "breakdown": breakdown,
            "plans": list(product.plans.all()),
            "payment_terms": payment_terms,
            "is_operator": is_operator(request.user),
        },
    )


def product_quote(request: HttpRequest, code: str) -> HttpResponse:
    """htmx partial: the premium for the calculator's inputs, or the reason there is none."""
    _product_or_404(request, code)
    params = request.GET
    context: dict[str, Any] = {}
    try:
        birth_date = None
        raw_birth = (params.get("birth_date") or "").strip()
        if raw_birth:
            try:
                birth_date = dt.date.fromisoformat(raw_birth)
            except ValueError:
                raise DomainError(
                    _("出生日期格式应为 2020-01-31"), code="birth_date_invalid", field="birth_date"
                ) from None
        age = None if birth_date else _int_or_none(params.get("age"))
        raw_years = (params.get("payment_years") or "").strip()
        payment_years = int(raw_years) if raw_years.isascii() and raw_years.isdigit() and len(raw_years) < 4 else None
        _product, quote = selectors.product_quote(
            user=request.user,
            code=code,
            sex=params.get("sex") or "",
            social_insurance=_flag(params.get("social_insurance")) is True,
            plan=params.get("plan") or None,
            age=age,
            birth_date=birth_date,
            payment_years=payment_years,
        )
        context["quote"] = quote
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        context["error"] = exc.message
    return render(request, "catalog/partials/quote.html", context)


def compare(request: HttpRequest) -> HttpResponse:
    raw = request.GET.getlist("codes")
    codes = [c for part in raw for c in part.split(",")]
    context: dict[str, Any] = {"error": "", "rows": [], "cards": []}
    try:
        products = selectors.product_compare(user=request.user, codes=codes)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "catalog/compare.html", context, status=200)
    details = [schemas.product_detail(p) for p in products]
    different = set(schemas.differences(details))
    rows: list[tuple[Any, str, list[Any]]] = [
        (_("保险公司"), "insurer", [p.insurer.short_name for p in products]),
        (_("总分"), "score.total", [d.score.total if d.score else "-" for d in details]),
    ]
    rows += [
        (DIMENSION_LABELS[d], f"score.{d}", [getattr(x.score, d) if x.score else "-" for x in details])
        for d in DIMENSIONS
    ]
    rows += [
        (_("最高保额"), "main_cover_fen", [_yuan(d.main_cover_fen) for d in details]),
        (
            _("免赔额"),
            "deductible_fen",
            [_yuan(d.deductible_fen) if d.deductible_fen is not None else "-" for d in details],
        ),
        (_("续保"), "renewal_kind", [p.get_renewal_kind_display() for p in products]),
        (_("保证续保年数"), "guaranteed_years", [d.guaranteed_years for d in details]),
        (_("最高续保年龄"), "max_renewal_age", [d.max_renewal_age for d in details]),
        (_("等待期（天）"), "waiting_days", [d.waiting_days for d in details]),
        (_("最高投保年龄"), "issue_age_max_years", [d.issue_age_max_years for d in details]),
        (_("保费低至（每年）"), "price_from_fen", [_yuan(d.price_from_fen) for d in details]),
        (
            _("增值服务"),
            "services",
            ["、".join(str(SERVICE_LABELS.get(s, s)) for s in d.services) or "-" for d in details],
        ),
    ]
    context["rows"] = [{"label": label, "values": values, "different": key in different} for label, key, values in rows]
    context["products"] = products
    return render(request, "catalog/compare.html", context)


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}"


def methodology(request: HttpRequest) -> HttpResponse:
    model = selectors.scoring_model_current()
    weights = [(DIMENSION_LABELS[d], getattr(model, f"{d}_weight")) for d in DIMENSIONS]
    return render(
        request,
        "catalog/methodology.html",
        {
            "model": model,
            "weights": weights,
            "total_weight": sum(w for _label, w in weights),
            "risk_points": RISK_RATING_POINTS,
            "service_rating_points": SERVICE_RATING_POINTS,
            "service_points": [(SERVICE_LABELS.get(code, code), points) for code, points in SERVICE_POINTS.items()],
        },
    )
