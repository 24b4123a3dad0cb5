"""Start an application: plan, insured members and payment term, with a live quote (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kincare.catalog import selectors as catalog_selectors
from kincare.catalog.models import Product
from kincare.core.errors import DomainError, NotFound
from kincare.policies import services
from kincare.policies.forms import ApplyForm, form_error
from kincare.policies.views.common import Household, household


def _product_or_404(request: HttpRequest, code: str) -> Product:
    try:
        return catalog_selectors.product_get(user=request.user, code=code)
    except NotFound:
        raise Http404 from None


def _form(request: HttpRequest, product: Product, home: Household, data: Any = None) -> ApplyForm:
    payment_terms = sorted(set(product.premium_rows.values_list("payment_years", flat=True))) or [1]
    plans = list(product.plans.all())
    return ApplyForm(
        data,
        plans=plans,
        members=home.insurable,
        payment_terms=payment_terms,
        initial=_suggested(request, plans, home, payment_terms) if data is None else None,
    )


def _suggested(request: HttpRequest, plans: list[Any], home: Household, payment_terms: list[int]) -> dict[str, Any]:
    """What "buy this item" on the family protection plan chose: plan, insured member, payment term."""
    initial: dict[str, Any] = {}
    plan = request.GET.get("plan", "")
    if plan in {p.code for p in plans}:
        initial["plan"] = plan
    member = request.GET.get("member", "")
    if member.isascii() and member.isdigit() and int(member) in {m.pk for m in home.insurable}:
        initial["insured"] = [int(member)]
    years = request.GET.get("payment_years", "")
    if years.isascii() and years.isdigit() and int(years) in payment_terms:
        initial["payment_years"] = int(years)
    return initial


def _first_error(form: ApplyForm) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("请检查填写的内容")


def _quote(product: Product, form: ApplyForm) -> tuple[Any, str]:
    if not form.is_valid():
        return None, _first_error(form)
    try:
        quote = services.policy_quote(
            product=product,
            plan_code=form.cleaned_data["plan"],
            members=form.insured_members(),
            payment_years=form.payment_years_value(),
        )
    except DomainError as exc:
        return None, exc.message
    return quote, ""


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, product_code: str) -> HttpResponse:
    product = _product_or_404(request, product_code)
    home = household(request)
    if home is None or home.me is None:
        messages.error(request, _("请先创建或加入家庭，再为家人投保"))
        return redirect("families:home")
    form = _form(request, product, home, request.POST if request.method == "POST" else None)
    quote, quote_error = None, ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = services.application_create(
                    actor=request.user,
                    product=product,
                    plan_code=form.cleaned_data["plan"],
                    policyholder=home.me,
                    insured=form.insured_members(),
                    payment_years=form.payment_years_value(),
                )
            except DomainError as exc:
                form_error(form, exc, {"members": "insured", "plan_code": "plan", "policyholder": ""})
            else:
                messages.success(request, _("投保单已创建，请为每位被保险人完成健康告知"))
                return redirect("policies:application", application_id=application.pk)
        quote, quote_error = _quote(product, _form(request, product, home, request.POST))
        status = 422
    return render(
        request,
        "policies/apply.html",
        {
            "product": product,
            "form": form,
            "household": home,
            "quote": quote,
            "quote_error": quote_error,
        },
        status=status,
    )


@login_required
@require_GET
def apply_quote(request: HttpRequest, product_code: str) -> HttpResponse:
    """htmx partial: the premium per insured member and the total, or why there is none."""
    product = _product_or_404(request, product_code)
    home = household(request)
    if home is None:
        raise Http404
    quote, error = _quote(product, _form(request, product, home, request.GET))
    return render(request, "policies/partials/quote.html", {"quote": quote, "quote_error": error})
