"""What every claims page needs: the claim or policy the user may see, 404 for anything else."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from kincare.claims import selectors
from kincare.claims.models import Claim
from kincare.core.errors import NotFound, PermissionDenied
from kincare.policies import selectors as policy_selectors
from kincare.policies.models import Policy


def claim_or_404(request: HttpRequest, claim_id: int) -> Claim:
    """The claim through ``claim_get`` (scoped, audited): anyone who may not see it gets 404."""
    try:
        return selectors.claim_get(user=request.user, claim_id=claim_id)
    except (NotFound, PermissionDenied):
        raise Http404 from None


def policy_or_404(request: HttpRequest, policy_id: object) -> Policy:
    try:
        return policy_selectors.policy_get(user=request.user, policy_id=policy_id)
    except NotFound:
        raise Http404 from None
