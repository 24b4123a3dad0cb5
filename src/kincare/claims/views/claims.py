"""The family's claims, one claim with its explanation of benefits, and its documents (streamed
only after the permission check: claim files are never served from a public URL)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kincare.claims import selectors
from kincare.claims.forms import DocumentsForm, item_label
from kincare.claims.models import Claim
from kincare.claims.policies import claim_policy
from kincare.claims.presentation import diagnosis_label, explain, hospital_level_label
from kincare.claims.services.documents import OPEN_STATUSES
from kincare.claims.services.withdraw import WITHDRAWABLE_STATUSES
from kincare.claims.views.common import claim_or_404
from kincare.policies.views.display import history


@login_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    claims = selectors.claim_list(user=request.user)
    return render(request, "claims/list.html", {"claims": claims})


def _hospital(claim: Claim) -> dict[str, Any]:
    snapshot = claim.hospital or {}
    return {
        "name": snapshot.get("name") or claim.hospital_code,
        "city": snapshot.get("city") or "",
        "level": hospital_level_label(snapshot.get("level")),
        "public": snapshot.get("public"),
    }


@login_required
@require_GET
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_or_404(request, claim_id)
    # the claimant's side (not a grantee who only reads) may add documents and withdraw
    acts = claim_policy.can(request.user, "withdraw", claim)
    return render(
        request,
        "claims/claim.html",
        {
            "claim": claim,
            "explanation": explain(claim),
            "hospital": _hospital(claim),
            "diagnoses": [diagnosis_label(code) for code in claim.diagnoses or []],
            "items": [
                {"label": item_label(str(item.get("category", ""))), "amount_fen": item.get("amount_fen", 0)}
                for item in claim.items or []
            ],
            "documents": list(claim.documents.all()),
            "history": history(Claim, selectors.claim_history(claim)),
            "documents_form": DocumentsForm() if claim.status in OPEN_STATUSES and acts else None,
            "can_withdraw": claim.status in WITHDRAWABLE_STATUSES and acts,
        },
    )


@login_required
@require_GET
def claim_document(request: HttpRequest, claim_id: int, document_id: int) -> FileResponse:
    """Stream one document of a claim the user may see (404 for everyone else)."""
    claim = claim_or_404(request, claim_id)
    document = claim.documents.filter(pk=document_id).first()
    if document is None or not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = document.original_name or f"{claim.number}-{document.pk}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=document.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
