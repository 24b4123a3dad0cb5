"""What the claimant does on a claim's page: add documents while it is open, withdraw it while it
waits for an adjuster. Each parses the POST, calls one service and goes back to the claim's page with
a message (the service's message when it refuses)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kincare.claims import services
from kincare.claims.forms import DocumentsForm
from kincare.claims.services.withdraw import claim_withdraw
from kincare.claims.views.common import claim_or_404
from kincare.core.errors import DomainError, NotFound, PermissionDenied


@login_required
@require_POST
def claim_documents_upload(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_or_404(request, claim_id)
    form = DocumentsForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("claims:detail", claim_id=claim.pk)
    kind = form.cleaned_data["kind"]
    try:
        services.claim_documents_add(
            actor=request.user, claim=claim, documents=[(kind, upload) for upload in form.cleaned_data["documents"]]
        )
    except (NotFound, PermissionDenied):
        raise Http404 from None  # a reader who may not act: as for every action one may not take
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("材料已上传，理赔员会一并审核"))
    return redirect("claims:detail", claim_id=claim.pk)


@login_required
@require_POST
def claim_withdraw_view(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_or_404(request, claim_id)
    try:
        claim_withdraw(actor=request.user, claim=claim)
    except (NotFound, PermissionDenied):
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("理赔已撤回"))
    return redirect("claims:detail", claim_id=claim.pk)
