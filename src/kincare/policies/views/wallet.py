"""The family wallet, a policy's page (with cooling-off cancellation) and external policies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kincare.core.errors import DomainError
from kincare.core.fsm import status_history
from kincare.policies import selectors, services
from kincare.policies.forms import ExternalPolicyForm, form_error
from kincare.policies.models import Policy
from kincare.policies.policies import external_policy_policy
from kincare.policies.services.common import LIFE_CATEGORIES
from kincare.policies.views.common import household, is_policyholder, may_cancel, policy_or_404, raise_404_for
from kincare.policies.views.display import history, waiting_period_ends, within_cooling_off


@login_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    home = household(request)
    if home is None:
        messages.error(request, _("请先创建或加入家庭"))
        return redirect("families:home")
    open_statuses = ("underwriting", "manual_review", "ready", "pending_payment", "payment_expired")
    return render(
        request,
        "policies/wallet.html",
        {
            "family": home.family,
            "wallet": selectors.wallet(user=request.user),
            "applications": selectors.application_list(user=request.user).filter(status__in=open_statuses),
            "removable": set(
                external_policy_policy.scope(request.user, "remove")
                .filter(family_id=home.family.pk)
                .values_list("pk", flat=True)
            ),
        },
    )


def _policy_context(request: HttpRequest, policy: Policy) -> dict[str, object]:
    mine = is_policyholder(request, policy)
    may = may_cancel(request, policy)
    refund = selectors.policy_refund_state(policy)
    return {
        "policy": policy,
        "product": policy.product,
        # the loading and the standard premium are underwriting terms (health data)
        "terms_visible": selectors.policy_terms_visible(user=request.user, policy=policy),
        "is_policyholder": mine,
        "show_beneficiaries": mine and policy.product.category in LIFE_CATEGORIES,
        "waiting_ends": waiting_period_ends(policy),
        "cooling_off_last_day": services.cooling_off_last_day(policy),
        "can_cancel": may and within_cooling_off(policy),
        "refund": refund,
        "can_retry_refund": may and policy.status == Policy.Status.CANCELLED and refund is not None and refund.failed,
        "history": history(Policy, status_history(policy)),
    }


@login_required
@require_GET
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = policy_or_404(request, policy_id)
    context = _policy_context(request, policy)
    # exclusions are health data: read through the audited selector (None: not for this user)
    exclusions = selectors.policy_exclusions_read(user=request.user, policy=policy)
    context.update({"exclusions": exclusions, "exclusions_visible": exclusions is not None})
    return render(request, "policies/policy.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def policy_cancel(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Cooling-off cancellation (犹豫期退保): a confirmation page, then the POST cancels.

    On a cancelled policy whose refund the provider refused, the POST asks for the refund again.
    Only the policyholder may (anyone else: 404, as for every action they may not take)."""
    policy = policy_or_404(request, policy_id)
    if not may_cancel(request, policy):
        raise Http404
    error = ""
    if request.method == "POST":
        retry = policy.status == Policy.Status.CANCELLED
        if request.POST.get("confirm") != "yes":
            error = _("请勾选确认后再退保")
        else:
            try:
                services.policy_cancel(
                    actor=request.user, policy=policy, reason=(request.POST.get("reason") or "")[:200].strip()
                )
            except DomainError as exc:
                raise_404_for(exc)
                error = exc.message
            else:
                refund = selectors.policy_refund_state(policy)
                if refund is not None and refund.failed:
                    messages.error(request, _("退款未成功，请稍后重试"))
                elif retry:
                    messages.success(request, _("已重新申请退款，保费将全额原路退回"))
                else:
                    messages.success(request, _("已退保，保费将全额原路退回"))
                return redirect("policies:policy", policy_id=policy.pk)
    context = _policy_context(request, policy)
    context["error"] = error
    return render(request, "policies/policy_cancel.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def external_new(request: HttpRequest) -> HttpResponse:
    home = household(request)
    if home is None:
        messages.error(request, _("请先创建或加入家庭"))
        return redirect("families:home")
    form = ExternalPolicyForm(request.POST or None, members=home.insurable)
    if request.method == "POST" and form.is_valid():
        try:
            services.external_policy_add(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form_error(form, exc, {"insured_id": "insured", "member": "insured"})
        else:
            messages.success(request, _("外部保单已添加（未核实）"))
            return redirect("policies:wallet")
    return render(request, "policies/external_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
def external_remove(request: HttpRequest, external_id: int) -> HttpResponse:
    external = selectors.external_policy_list(user=request.user).filter(pk=external_id).first()
    if external is None:
        raise Http404
    try:
        services.external_policy_remove(actor=request.user, external_policy=external)
    except DomainError as exc:
        raise_404_for(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已移除该外部保单"))
    return redirect("policies:wallet")
