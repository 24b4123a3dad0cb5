"""Submit a claim: choose the policy, then the form (hospital and diagnoses searched with htmx,
invoice rows added with htmx) → ``claim_submit`` → the claim's page with its explanation."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kincare.claims import reference, services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.forms import ITEM_CATEGORIES, ClaimForm, ItemRow, form_error
from kincare.claims.policies import may_claim
from kincare.claims.presentation import hospital_level_label
from kincare.claims.services import CLAIM_TYPES_BY_CATEGORY
from kincare.claims.services.submit import CLAIMABLE_STATUSES
from kincare.claims.views.common import policy_or_404
from kincare.core.errors import DomainError, NotFound
from kincare.policies import selectors as policy_selectors

_ID = re.compile(r"^[1-9][0-9]{0,17}$")
#: the service's field names → the form's
FIELD_ALIASES = {
    "items": "invoice_items",
    "social_insurance_paid_fen": "social_insurance_paid",
    "other_insurance_paid_fen": "other_insurance_paid",
    "related_stay": "related_admission",
    "hospital": "hospital_code",
    "diagnosis": "diagnoses",
    "document": "documents",
    "files": "documents",
    "invoice_number": "invoice_numbers",
    "policy": "",
    "member": "",
}
SEARCH_LIMIT = 12


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest) -> HttpResponse:
    raw = (request.GET.get("policy") or request.POST.get("policy") or "").strip()
    if not raw:
        policies = policy_selectors.policy_list(user=request.user).filter(
            product__category__in=list(CLAIM_TYPES_BY_CATEGORY), status__in=CLAIMABLE_STATUSES
        )
        mine = [p for p in policies if may_claim(request.user, p.insured, p)]
        return render(request, "claims/choose_policy.html", {"policies": mine})
    if not _ID.match(raw):
        raise Http404
    policy = policy_or_404(request, raw)
    if not may_claim(request.user, policy.insured, policy):
        raise Http404  # as for every action the user may not take on what they can see
    category = policy.product.category
    if category not in CLAIM_TYPES_BY_CATEGORY:
        messages.error(request, _("该保单不支持在线理赔，请联系保险公司"))
        return redirect("policies:policy", policy_id=policy.pk)
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        category=category,
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(
                actor=request.user,
                policy=policy,
                member=policy.insured,
                draft=claim_draft(**form.draft_kwargs()),
                documents=form.uploads(),
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            form_error(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, _("理赔申请已提交，理算结果如下"))
            return redirect("claims:detail", claim_id=claim.pk)
    return render(
        request,
        "claims/new.html",
        {
            "policy": policy,
            "form": form,
            "item_categories": ITEM_CATEGORIES,
            "rows": form.display_rows,
            "chosen_hospital": _hospital_view(form.chosen_hospital),
            "chosen_diagnoses": form.chosen_diagnoses,
            "is_critical_illness": category == "critical_illness",
            "files_dropped": request.method == "POST" and bool(request.FILES),
        },
        status=422 if form.errors else 200,
    )


def _hospital_view(hospital: reference.Hospital | None) -> dict[str, object] | None:
    if hospital is None:
        return None
    return {
        "code": hospital.code,
        "name": hospital.name,
        "city": hospital.city,
        "level": hospital_level_label(hospital.level),
        "public": hospital.public,
    }


# -- htmx partials ---------------------------------------------------------------------------------


@login_required
@require_GET
def hospital_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("hospital_q") or request.GET.get("q") or ""
    hospitals = [_hospital_view(h) for h in reference.hospital_search(query, limit=SEARCH_LIMIT)]
    return render(request, "claims/partials/hospital_results.html", {"hospitals": hospitals, "query": query.strip()})


@login_required
@require_GET
def hospital_pick(request: HttpRequest) -> HttpResponse:
    hospital = reference.hospital_get(request.GET.get("code"))
    if hospital is None:
        raise Http404
    return render(
        request, "claims/partials/hospital_chosen.html", {"hospital": _hospital_view(hospital), "picked": True}
    )


@login_required
@require_POST
def diagnosis_search(request: HttpRequest) -> HttpResponse:
    """htmx partial: diagnoses matching a name or code (a POST: what a member searches is health data,
    never in a URL or an access log)."""
    query = request.POST.get("diagnosis_q") or request.POST.get("q") or ""
    found = reference.diagnosis_search(query, limit=SEARCH_LIMIT)
    return render(request, "claims/partials/diagnosis_results.html", {"diagnoses": found, "query": query.strip()})


@login_required
@require_POST
def diagnosis_pick(request: HttpRequest) -> HttpResponse:
    """One chosen diagnosis (a checked box named ``diagnoses``); nothing if it is chosen already (a POST)."""
    diagnosis = reference.diagnosis_get(request.POST.get("code"))
    if diagnosis is None:
        raise Http404
    chosen = {c.strip().upper() for c in request.POST.getlist("diagnoses")}
    return render(
        request,
        "claims/partials/diagnosis_chosen.html",
        {"diagnoses": [] if diagnosis.code in chosen else [diagnosis], "picked": True},
    )


@login_required
@require_GET
def item_row(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/partials/item_row.html", {"row": ItemRow(), "item_categories": ITEM_CATEGORIES})
