"""The family protection page: needs, cover and gaps per member, the recommended plan, a budget
control that re-plans live (htmx preview, not stored) and a button that keeps the budget."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kincare.core.errors import DomainError, NotFound
from kincare.core.money import MAX_FEN, fen_to_yuan_str, parse_yuan
from kincare.families.models import Family
from kincare.families.selectors import family_get_for_user
from kincare.planning import selectors, services
from kincare.planning.schemas import budget_checked

#: the budget control's range, in yuan
SLIDER_MAX_YUAN = 100_000


def _family(request: HttpRequest) -> Family | None:
    return family_get_for_user(request.user)


def _budget_from(request: HttpRequest, data: dict[str, str]) -> int | None:
    """The budget typed in yuan ("" → the default), or ValidationFailed with a readable message."""
    text = (data.get("budget") or "").strip()
    if text == "":
        return None
    return budget_checked(parse_yuan(text, field="budget", allow_zero=True, max_fen=MAX_FEN))


@login_required
@require_GET
def plan_page(request: HttpRequest) -> HttpResponse:
    family = _family(request)
    if family is None:
        messages.info(request, _("先创建或加入家庭，才能规划全家的保障"))
        return redirect("families:home")
    try:
        plan = services.family_plan_ensure(actor=request.user, family=family)
    except NotFound:
        raise Http404 from None
    view = selectors.plan_view(user=request.user, family=family, plan=plan)
    return render(request, "planning/plan.html", _context(view))


def _context(view: selectors.PlanView, error: str = "") -> dict[str, object]:
    return {
        "view": view,
        "budget_yuan": fen_to_yuan_str(view.budget_fen),
        "slider_max": max(SLIDER_MAX_YUAN, view.budget_fen // 100, view.premium_to_close_all_gaps_fen // 100),
        "budget_error": error,
    }


@login_required
@require_GET
def plan_preview(request: HttpRequest) -> HttpResponse:
    """htmx partial: the plan with the budget in the control, computed but not stored."""
    family = _family(request)
    if family is None:
        raise Http404
    try:
        budget = _budget_from(request, request.GET)
        _inputs, result = services.family_plan_preview(actor=request.user, family=family, budget_fen=budget)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        current = selectors.plan_current(user=request.user, family=family)
        view = selectors.plan_view(user=request.user, family=family, plan=current)
        return render(request, "planning/partials/result.html", _context(view, exc.message), status=422)
    view = selectors.plan_view(user=request.user, family=family, preview=result.as_json())
    return render(request, "planning/partials/result.html", _context(view))


@login_required
@require_POST
def plan_budget(request: HttpRequest) -> HttpResponse:
    family = _family(request)
    if family is None:
        raise Http404
    data = {} if "default" in request.POST else request.POST.dict()
    try:
        services.family_budget_set(actor=request.user, family=family, budget_fen=_budget_from(request, data))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已按新的预算重新规划"))
    return redirect("planning:plan")


@login_required
@require_POST
def plan_refresh(request: HttpRequest) -> HttpResponse:
    family = _family(request)
    if family is None:
        raise Http404
    services.family_replan_by(actor=request.user, family=family)
    messages.success(request, _("已重新规划"))
    return redirect("planning:plan")
