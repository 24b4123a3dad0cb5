"""The public campaign page (fast on a phone: one page, progress polled by htmx), and what a
visitor does there: donate through a share link, share onward, witness, report."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET, require_POST

from kincare.core.errors import DomainError, NotFound
from kincare.core.ledger.selectors import public_chain_feed
from kincare.crowdfunding import selectors, services
from kincare.crowdfunding.engine import REASON_TITLES
from kincare.crowdfunding.form_schemas import DonationInput, ReportInput, WitnessInput
from kincare.crowdfunding.forms import DonateForm, ReportForm, WitnessForm, form_error
from kincare.crowdfunding.models import Campaign, Share

SESSION_SHARES = "crowdfunding_shares"


def _campaign(campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_public(campaign_id)
    except NotFound:
        raise Http404 from None


def _arrived_share(request: HttpRequest, campaign: Campaign) -> Share | None:
    """The share link this visitor came through (kept in the session per campaign)."""
    code = request.GET.get("s")
    shares = request.session.get(SESSION_SHARES, {})
    if code:
        share = services.share_find(code)
        if share is not None and share.campaign_id == campaign.pk:
            shares[str(campaign.pk)] = share.code
            request.session[SESSION_SHARES] = shares
            return share
    known = shares.get(str(campaign.pk))
    return services.share_find(known) if known else None


@require_GET
def campaign_index(request: HttpRequest) -> HttpResponse:
    live = selectors.campaign_index(user=request.user)
    page = Paginator(live, 20).get_page(request.GET.get("page"))
    return render(request, "crowdfunding/index.html", {"page": page})


@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    share = _arrived_share(request, campaign)
    view = selectors.campaign_public_view(campaign)
    form = DonateForm(initial={"key": secrets.token_urlsafe(12), "anonymous": True})
    return render(
        request,
        "crowdfunding/campaign.html",
        {
            "view": view,
            "form": form,
            "share": share,
            "recent": selectors.recent_donations(campaign),
            "reason_titles": REASON_TITLES,
            "is_fundraiser": request.user.is_authenticated and request.user.pk == campaign.fundraiser_id,
        },
    )


@require_GET
def campaign_progress(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """htmx partial, polled: the total, donors and recent donations."""
    campaign = _campaign(campaign_id)
    return render(
        request,
        "crowdfunding/partials/progress.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(campaign, cached=True),
            "recent": selectors.recent_donations(campaign),
        },
    )


@login_required
@require_POST
def campaign_donate(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    form = DonateForm(request.POST)
    if form.is_valid():
        try:
            gift = DonationInput(
                amount_fen=form.cleaned_data["amount"],
                idempotency_key=form.cleaned_data["key"],
                message=form.cleaned_data["message"],
            )
            donation = services.donation_start(
                actor=request.user,
                campaign=campaign,
                **gift.model_dump(),
                anonymous=form.cleaned_data["anonymous"],
                share=_arrived_share(request, campaign),
            )
        except DomainError as exc:
            form_error(form, exc, {"amount_fen": "amount"})
        else:
            if donation.order is not None and donation.order.pay_url:
                return HttpResponseRedirect(donation.order.pay_url)
            messages.info(request, _("捐款已受理"))
            return redirect("crowdfunding:page", campaign_id=campaign.pk)
    for errors in form.errors.values():
        messages.error(request, str(errors[0]))
        break
    return redirect("crowdfunding:page", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_share(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A share link of this visitor's own, continuing the one they arrived through."""
    campaign = _campaign(campaign_id)
    try:
        share = services.share_create(actor=request.user, campaign=campaign, parent=_arrived_share(request, campaign))
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status)
    link = request.build_absolute_uri(reverse("crowdfunding:page", args=[campaign.pk]) + f"?s={share.code}")
    return render(request, "crowdfunding/partials/share_link.html", {"link": link})


@login_required
@require_POST
def campaign_witness(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    form = WitnessForm(request.POST)
    if form.is_valid():
        try:
            witness = WitnessInput(**form.cleaned_data)
            services.witness_add(actor=request.user, campaign=campaign, **witness.model_dump())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("感谢你的证实"))
    else:
        messages.error(request, _("请填写与患者的关系"))
    return redirect("crowdfunding:page", campaign_id=campaign.pk)


@login_required
def campaign_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = ReportInput(reason=form.cleaned_data["reason"], details=form.cleaned_data["details"])
            services.report_create(
                actor=request.user, campaign=campaign, **report.model_dump(), evidence=form.cleaned_data.get("evidence")
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("举报已提交，审核员会尽快核查并公示结果"))
            return redirect("crowdfunding:page", campaign_id=campaign.pk)
    return render(
        request, "crowdfunding/report.html", {"campaign": campaign, "form": form}, status=422 if form.errors else 200
    )


@require_GET
def campaign_file(request: HttpRequest, campaign_id: int, document_id: int) -> FileResponse:
    """A published photo or piece of evidence, streamed from private storage (nothing under
    MEDIA_URL: a document becomes reachable only when it is public on a public campaign)."""
    campaign = _campaign(campaign_id)
    try:
        document = selectors.campaign_public_document(campaign=campaign, document_id=document_id)
    except NotFound:
        raise Http404 from None
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@cache_page(60)
def campaign_ledger(request: HttpRequest, campaign_id: int) -> JsonResponse:
    """The campaign's public hash-chained ledger as JSON (``kincare ledger verify`` recomputes it);
    cached for a minute, since the whole chain is read to build it."""
    campaign = _campaign(campaign_id)
    account = selectors.escrow_account_get(campaign)
    if account is None:
        raise Http404
    body = {"campaign_id": campaign.pk, "account": account.code, "entries": public_chain_feed(account)}
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-ledger.json"'
    return response


@login_required
@require_GET
def receipt(request: HttpRequest, donation_id: int) -> HttpResponse:
    try:
        donation = selectors.donation_receipt(user=request.user, donation_id=donation_id)
    except NotFound:
        raise Http404 from None
    return render(request, "crowdfunding/receipt.html", {"donation": donation})
