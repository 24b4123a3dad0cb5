"""The application page (insured, decisions, premium, beneficiaries, pay) and the questionnaire."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kincare.core.errors import DomainError
from kincare.core.fsm import status_history
from kincare.families import selectors as family_selectors
from kincare.families.conditions import CONDITION_MODELS
from kincare.policies import selectors, services
from kincare.policies.forms import YES, BeneficiariesForm, Questionnaire, prefilled_condition_form
from kincare.policies.models import Application, ApplicationInsured
from kincare.policies.services.applications import WITHDRAWABLE
from kincare.policies.services.common import LIFE_CATEGORIES
from kincare.policies.views.common import application_or_404, may_act, raise_404_for
from kincare.policies.views.display import ANSWERABLE, PAYABLE, decision_summary, history
from kincare.underwriting.questions import questions_for


def _has_beneficiaries(application: Application) -> bool:
    return application.product.category in LIFE_CATEGORIES


def _application_context(
    request: HttpRequest, application: Application, beneficiaries_form: BeneficiariesForm | None = None
) -> dict[str, Any]:
    mine = may_act(request, application)
    # a renewal keeps the terms of the policy it renews: no questionnaire
    asks_questions = bool(questions_for(application.product.questionnaire_code)) and not application.renewal_of_id
    rows = []
    # decisions and loadings are health data: only for the policyholder, the insured and who may
    # read the insured's health data, each read audited (the selector)
    for read in selectors.application_insured_read(user=request.user, application=application):
        insured = read.row
        rows.append(
            {
                "insured": insured,
                "member": read.member,
                "terms_visible": read.terms_visible,
                "decision": decision_summary(read.decision, detailed=True) if read.decision is not None else None,
                "can_answer": mine and asks_questions and application.status in ANSWERABLE,
                "answered": read.answered,
                "loading_fen": insured.premium_fen - insured.base_premium_fen,
            }
        )
    if _has_beneficiaries(application) and mine and beneficiaries_form is None:
        beneficiaries_form = BeneficiariesForm(
            initial=BeneficiariesForm.initial_for(application.beneficiaries),
            members=_family_members(request, application),
        )
    return {
        "application": application,
        "product": application.product,
        "rows": rows,
        "is_policyholder": mine,
        "asks_questions": asks_questions,
        "can_pay": mine and application.status in PAYABLE,
        "can_withdraw": mine and application.status in WITHDRAWABLE and application.kind != Application.Kind.INSTALMENT,
        "awaiting_payment": application.status == Application.Status.PENDING_PAYMENT,
        "pay_url": application.order.pay_url if application.order_id and application.order else "",
        "has_beneficiaries": _has_beneficiaries(application),
        "beneficiaries_form": beneficiaries_form if mine else None,
        "beneficiaries": application.beneficiaries if mine else None,
        "history": history(Application, status_history(application)),
        "policies": list(application.policies.select_related("insured").order_by("id"))
        if application.status == Application.Status.ISSUED
        else [],
    }


def _family_members(request: HttpRequest, application: Application) -> list[Any]:
    views = family_selectors.member_list(user=request.user, family=application.family)
    return [v.member for v in views if v.member.deceased_on is None]


@login_required
@require_GET
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_or_404(request, application_id)
    return render(request, "policies/application.html", _application_context(request, application))


@login_required
@require_POST
def application_beneficiaries(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_or_404(request, application_id)
    if not _has_beneficiaries(application) or not may_act(request, application):
        raise Http404
    form = BeneficiariesForm(request.POST, members=_family_members(request, application))
    if form.is_valid():
        try:
            # the form parses (its errors shown like the service's); the service takes the result
            services.application_set_beneficiaries(
                actor=request.user, application=application, beneficiaries=form.beneficiaries()
            )
        except DomainError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("身故受益人已保存"))
            return redirect("policies:application", application_id=application.pk)
    return render(
        request,
        "policies/application.html",
        _application_context(request, application, beneficiaries_form=form),
        status=422,
    )


@login_required
@require_POST
def application_pay(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_or_404(request, application_id)
    try:
        order = services.application_pay(actor=request.user, application=application)
    except DomainError as exc:
        raise_404_for(exc)
        messages.error(request, exc.message)
        return redirect("policies:application", application_id=application.pk)
    return HttpResponseRedirect(order.pay_url)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = application_or_404(request, application_id)
    try:
        reason = request.POST.get("reason", "")
        services.application_withdraw(actor=request.user, application=application, reason=reason)
    except DomainError as exc:
        raise_404_for(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("投保单已撤回"))
    return redirect("policies:application", application_id=application.pk)


def _insured_or_404(request: HttpRequest, application: Application, member_id: int) -> ApplicationInsured:
    """The questionnaire is the policyholder's to answer: anyone else gets 404."""
    if not may_act(request, application):
        raise Http404
    insured = application.insured.select_related("member", "decision").filter(member_id=member_id).first()
    if insured is None:
        raise Http404
    return insured


@login_required
@require_http_methods(["GET", "POST"])
def health(request: HttpRequest, application_id: int, member_id: int) -> HttpResponse:
    application = application_or_404(request, application_id)
    insured = _insured_or_404(request, application, member_id)
    questions = questions_for(application.product.questionnaire_code)
    if not questions:
        raise Http404
    status = 200
    if request.method == "POST":
        questionnaire = Questionnaire(questions, data=request.POST)
        if questionnaire.is_valid():
            try:
                services.application_answer(
                    actor=request.user,
                    application=application,
                    member=insured.member,
                    conditions=questionnaire.declared,
                    consent=questionnaire.consent,
                )
            except DomainError as exc:
                questionnaire.add_error(exc.field, exc.message)
            else:
                return redirect("policies:health", application_id=application.pk, member_id=insured.member_id)
        status = 422
    else:
        prefill = services.application_prefill(actor=request.user, application=application, member=insured.member)
        questionnaire = Questionnaire(questions, prefill=prefill)
    decision = selectors.application_decision_read(user=request.user, application=application, member=insured.member)
    return render(
        request,
        "policies/health.html",
        {
            "application": application,
            "insured": insured,
            "member": insured.member,
            "questionnaire": questionnaire,
            "decision": decision_summary(decision, detailed=True) if decision is not None else None,
            "can_answer": application.status in ANSWERABLE,
        },
        status=status,
    )


@login_required
@require_POST
def health_fields(request: HttpRequest, application_id: int, member_id: int, condition: str) -> HttpResponse:
    """htmx partial: the follow-up fields of one condition when 是 is chosen (prefilled); a POST, so the
    answer never goes into a URL or an access log."""
    application = application_or_404(request, application_id)
    insured = _insured_or_404(request, application, member_id)
    if condition not in CONDITION_MODELS:
        raise Http404
    form = None
    if request.POST.get(f"q_{condition}") == YES:
        prefill = services.application_prefill(actor=request.user, application=application, member=insured.member)
        form = prefilled_condition_form(condition, prefill)
    return render(request, "policies/partials/condition_fields.html", {"code": condition, "form": form})
