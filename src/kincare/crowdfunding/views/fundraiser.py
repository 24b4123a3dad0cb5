"""The fundraiser's pages: a guided form (mobile first) with the goal cap checked live, the
campaign's manage page (status and reviewers' messages, documents, submission, updates, the
shares' reach, ending, disbursements and their evidence, closing), and "mine"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.core.errors import DomainError, NotFound
from kincare.core.views import posted_pk
from kincare.crowdfunding import selectors, services
from kincare.crowdfunding.engine import REASON_TITLES, goal_cap_fen
from kincare.crowdfunding.form_schemas import DisbursementInput, campaign_input, update_text
from kincare.crowdfunding.forms import CampaignForm, DisbursementForm, EvidenceForm, form_error
from kincare.crowdfunding.models import Campaign, CampaignDocument
from kincare.crowdfunding.services.lifecycle import REVIEW_REASON_LABELS
from kincare.families.models import Member

FIELD_MAP = {
    "goal_fen": "goal",
    "estimated_cost_fen": "estimated_cost",
    "patient_member_id": "patient",
    "hospital_code": "hospital_code",
    "icd10": "icd10",
    "documents": None,
}


def _members(request: HttpRequest) -> list[Member]:
    return selectors.patient_candidates(request.user)


def _own(request: HttpRequest, campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_own(user=request.user, campaign_id=campaign_id)
    except NotFound:
        raise Http404 from None


def _form_context(form: CampaignForm) -> dict[str, Any]:
    hospital = hospital_get(form.data.get("hospital_code") or form.initial.get("hospital_code"))
    diagnosis = diagnosis_get(form.data.get("icd10") or form.initial.get("icd10"))
    return {"form": form, "hospital": hospital, "diagnosis": diagnosis}


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, request.FILES or None, members=_members(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user,
                data=campaign_input(form.data_for_service()),
                documents=form.documents(request.FILES),
            )
        except DomainError as exc:
            form_error(form, exc, FIELD_MAP)  # type: ignore[arg-type]
        else:
            messages.success(request, _("草稿已保存。确认无误后提交审核。"))
            return redirect("crowdfunding:manage", campaign_id=campaign.pk)
    status = 422 if form.errors else 200
    return render(request, "crowdfunding/new.html", _form_context(form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _own(request, campaign_id)
    initial = _initial(campaign)
    form = CampaignForm(request.POST or None, request.FILES or None, members=_members(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the edit and its new documents, or neither
                data = campaign_input(form.data_for_service())
                services.campaign_update(actor=request.user, campaign=campaign, data=data)
                documents = form.documents(request.FILES)
                if documents:
                    services.campaign_documents_add(actor=request.user, campaign=campaign, documents=documents)
        except DomainError as exc:
            form_error(form, exc, FIELD_MAP)  # type: ignore[arg-type]
        else:
            messages.success(request, _("已保存"))
            return redirect("crowdfunding:manage", campaign_id=campaign.pk)
    context = _form_context(form) | {"campaign": campaign}
    return render(request, "crowdfunding/new.html", context, status=422 if form.errors else 200)


def _initial(campaign: Campaign) -> dict[str, Any]:
    def yuan(fen: int | None) -> str:
        return "" if fen is None else f"{fen / 100:.2f}"

    initial: dict[str, Any] = {
        "title": campaign.title,
        "story": campaign.story,
        "patient": str(campaign.patient_member_id) if campaign.patient_member_id else "other",
        "patient_name": campaign.patient_name,
        "relationship": campaign.relationship,
        "hospital_code": campaign.hospital_code,
        "department": campaign.department,
        "doctor": campaign.doctor,
        "icd10": campaign.icd10,
        "diagnosed_on": campaign.diagnosed_on,
        "treatment_finished": campaign.treatment_finished,
        "estimated_cost": yuan(campaign.estimated_cost_fen),
        "financial_assets": yuan(campaign.finances.get("financial_assets_fen")),
        "annual_income": yuan(campaign.finances.get("annual_income_fen")),
        "debts": yuan(campaign.finances.get("debts_fen")),
        "social_insurance": campaign.social_insurance,
        "goal": yuan(campaign.goal_fen),
        "surplus_charity": campaign.surplus_charity,
    }
    for i, house in enumerate(campaign.finances.get("houses", [])[:3], start=1):
        initial[f"house_{i}"], initial[f"house_{i}_only"] = yuan(house["value_fen"]), house["only_home"]
    for i, car in enumerate(campaign.finances.get("cars", [])[:2], start=1):
        initial[f"car_{i}"] = yuan(car["value_fen"])
    return initial


@login_required
@require_POST
def campaign_cap(request: HttpRequest) -> HttpResponse:
    """htmx partial: the goal cap for what is typed so far (declared insurance and aid; the
    platform's own policies are added when the draft is saved)."""
    form = CampaignForm(request.POST, members=_members(request))
    form.is_valid()
    data = form.cleaned_data
    cost = data.get("estimated_cost")
    if not cost:
        return render(request, "crowdfunding/partials/cap.html", {})
    declared = sum(data.get(f"policy_{i}_payout") or 0 for i in (1, 2) if data.get(f"policy_{i}_insurer"))
    aid = sum(data.get(f"aid_{i}_amount") or 0 for i in (1, 2) if data.get(f"aid_{i}_source"))
    cap = goal_cap_fen(cost, declared, aid)
    goal = data.get("goal")
    context = {
        "cost": cost,
        "insurance": declared,
        "aid": aid,
        "cap": cap,
        "goal": goal,
        "over": bool(goal and goal > cap),
    }
    return render(request, "crowdfunding/partials/cap.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_manage(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _own(request, campaign_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    disbursement_form = DisbursementForm(request.POST, request.FILES) if action == "disburse" else DisbursementForm()
    evidence_form = EvidenceForm(
        request.POST if action == "evidence" else None, request.FILES if action == "evidence" else None
    )
    if action:
        try:
            done = _act(request, campaign, action, disbursement_form, evidence_form)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if done:
                messages.success(request, done)
                return redirect("crowdfunding:manage", campaign_id=campaign.pk)
        campaign.refresh_from_db()
    view = selectors.fundraiser_view(user=request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        "reviews": [
            (r, [str(REVIEW_REASON_LABELS.get(c, REASON_TITLES.get(c, c))) for c in r.reasons]) for r in view.reviews
        ],
        "documents": view.documents,
        "progress": view.progress,
        "balance": view.balance_fen,
        "reach": view.reach,
        "disbursements": view.disbursements,
        "blocker": _blocker_message(campaign),
        "risk_labels": [str(REASON_TITLES.get(code, code)) for code in campaign.risk_reasons],
        "document_kinds": [(k, label) for k, label in CampaignDocument.Kind.choices if k != "invoice"],
        "disbursement_form": disbursement_form,
        "evidence_form": evidence_form,
    }
    return render(request, "crowdfunding/manage.html", context, status=422 if request.method == "POST" else 200)


def _blocker_message(campaign: Campaign) -> str:
    from kincare.crowdfunding.services.disbursements import BLOCKER_MESSAGES

    if campaign.status not in Campaign.FUNDED:
        return ""
    code = services.disbursement_blocker(campaign)
    return str(BLOCKER_MESSAGES[code]) if code else ""


def _act(
    request: HttpRequest,
    campaign: Campaign,
    action: str,
    disbursement_form: DisbursementForm,
    evidence_form: EvidenceForm,
) -> str:
    """Run one fundraiser action; the success message, or "" when a form has errors to show."""
    user = request.user
    if action == "submit":
        campaign = services.campaign_submit(actor=user, campaign=campaign)
        return _("已提交审核") if campaign.status == Campaign.Status.SUBMITTED else _("未通过自动核验，原因见下方")
    if action == "documents":
        docs = [(request.POST.get("kind", ""), f) for f in request.FILES.getlist("file")]
        services.campaign_documents_add(actor=user, campaign=campaign, documents=docs)
        return _("材料已上传")
    if action == "update":
        text = update_text(request.POST.get("text", ""))
        services.campaign_update_post(actor=user, campaign=campaign, text=text)
        return _("进展已发布")
    if action == "end":
        services.campaign_end(actor=user, campaign=campaign)
        return _("筹款已结束")
    if action == "disburse":
        if not disbursement_form.is_valid():
            return ""
        c = disbursement_form.cleaned_data
        request_input = DisbursementInput(
            amount_fen=c["amount"],
            recipient=c["recipient"],
            recipient_name=c["recipient_name"],
            recipient_account=c["recipient_account"],
            note=c["note"],
        )
        services.disbursement_request(
            actor=user, campaign=campaign, **request_input.model_dump(), invoices=c["invoices"]
        )
        return _("拨付申请已提交，审核通过后打款")
    if action == "evidence":
        if not evidence_form.is_valid():
            return ""
        disbursement = selectors.disbursement_own(
            user=user, campaign=campaign, disbursement_id=posted_pk(request.POST.get("disbursement"))
        )
        services.disbursement_evidence_add(
            actor=user,
            disbursement=disbursement,
            documents=[(evidence_form.cleaned_data["kind"], evidence_form.cleaned_data["file"])],
        )
        return _("使用凭证已上传，审核员核对后公示")
    if action == "close":
        services.campaign_close(actor=user, campaign=campaign)
        return _("项目已结案")
    raise NotFound(_("没有这个操作"))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "crowdfunding/mine.html",
        {"campaigns": selectors.my_campaigns(request.user), "donations": selectors.my_donations(request.user)[:100]},
    )


@login_required
@require_POST
def diagnosis_search(request: HttpRequest) -> HttpResponse:
    """htmx partial: diagnoses matching a name or ICD-10 code (the claims module's shipped list); a POST,
    so what a fundraiser searches never goes into a URL or an access log."""
    from kincare.claims import reference

    query = request.POST.get("diagnosis_q") or ""
    found = reference.diagnosis_search(query, limit=12)
    return render(request, "crowdfunding/partials/diagnosis_results.html", {"diagnoses": found, "query": query.strip()})


@login_required
@require_POST
def diagnosis_pick(request: HttpRequest) -> HttpResponse:
    diagnosis = diagnosis_get(request.POST.get("code"))
    if diagnosis is None:
        raise Http404
    return render(request, "crowdfunding/partials/diagnosis_chosen.html", {"diagnosis": diagnosis, "picked": True})
