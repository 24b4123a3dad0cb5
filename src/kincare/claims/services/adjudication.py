"""Adjudicating a stored claim: the engine under the member's accumulator lock, then the outcome.

``claim_adjudicate(claim=)``, in one transaction:
1. locks the claim row (a claim is adjudicated once; ``claim_submit`` skips this for the row it
   has just inserted in the same transaction);
2. locks the member's accumulator row(s), creating a missing one first (``accumulators_lock``);
   computes the risk facts from the database; builds the request from the policy and product
   (``claims/terms.py``) and runs the engine;
3. stores the result (the engine's whole answer encrypted in ``engine_result``, reasons, flags,
   benefit, proposed payout) with the status move the decision asks for:
   * ``approved`` — accumulators updated, the payout posted to the ledger, ``approved`` then
     ``paid`` (decided by the engine; a zero payout stays ``approved``);
   * ``rejected`` — ``rejected`` with the engine's reason;
   * ``manual_review`` — ``manual_review``; the accumulators wait for the adjuster's approval.
4. tells the submitter and the insured (no health details).

Risk facts: the member's other claims in the 90 days before this one, a document hash or an
invoice number (blind index) used by another claim (withdrawn claims do not count), the
hospital's watch-list mark, the usual cost of the first diagnosis (the shipped list); the days
since the waiting period ended are computed by the engine from the policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.claims.engine import Adjudication, adjudicate
from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.claims.services.accumulators import accumulators_lock
from kincare.claims.services.common import claim_notify
from kincare.claims.services.payout import claim_approve_and_pay
from kincare.claims.terms import engine_request
from kincare.core.errors import Conflict
from kincare.core.fsm import transition

__all__ = ["adjudicate_new", "claim_adjudicate", "claim_risk_facts", "result_updates"]

RECENT_DAYS = 90


def claim_risk_facts(claim: Claim, *, document_hashes: Sequence[str] | None = None) -> dict[str, Any]:
    """What the engine cannot look up itself about the claim's surroundings.

    ``document_hashes``: the claim's document hashes when the caller knows them (a new claim).
    """
    created = claim.created_at or timezone.now()
    recent = (
        Claim.objects.filter(
            member_id=claim.member_id,
            created_at__gte=created - dt.timedelta(days=RECENT_DAYS),
            created_at__lte=created,
        )
        .exclude(pk=claim.pk)
        .exclude(status=Claim.Status.WITHDRAWN)
        .count()
    )
    if document_hashes is None:
        document_hashes = list(claim.documents.values_list("sha256", flat=True))
    hashes = sorted(set(document_hashes))
    duplicate_document = bool(hashes) and (
        ClaimDocument.objects.filter(sha256__in=hashes)
        .exclude(claim_id=claim.pk)
        .exclude(claim__status=Claim.Status.WITHDRAWN)
        .exists()
    )
    duplicate_invoice = False
    if claim.invoice_hashes:
        # PostgreSQL: jsonb containment (@>, served by a GIN index on the column when there is one);
        # elsewhere the hashes, unique base32 strings, are matched quoted in the JSON text
        postgres = connection.vendor == "postgresql"
        same = Q()
        for value in claim.invoice_hashes:
            same |= Q(invoice_hashes__contains=[value]) if postgres else Q(invoice_hashes__icontains=f'"{value}"')
        duplicate_invoice = (
            Claim.objects.exclude(pk=claim.pk).exclude(status=Claim.Status.WITHDRAWN).filter(same).exists()
        )
    hospital = hospital_get(claim.hospital_code)
    diagnosis = diagnosis_get(claim.diagnoses[0]) if claim.diagnoses else None
    return {
        "days_since_waiting_end": None,
        "usual_cost_fen": diagnosis.usual_cost_fen if diagnosis is not None else None,
        "duplicate_document": duplicate_document,
        "duplicate_invoice": duplicate_invoice,
        "hospital_watchlist": bool(hospital is not None and hospital.watchlist),
        "claims_last_90_days": recent,
    }


def result_updates(result: Adjudication, *, now: dt.datetime) -> dict[str, Any]:
    """The claim fields that record an engine result."""
    return {
        "engine_result": result.as_json(),
        "reasons": list(result.reasons),
        "flags": list(result.flags),
        "benefit": result.benefit or "",
        "proposed_payout_fen": result.payout_fen,
        "adjudicated_at": now,
    }


def _decide(claim: Claim, *, document_hashes: Sequence[str] | None = None) -> Claim:
    """Run the engine on a submitted claim whose row this transaction holds, and act on the result."""
    policy, member = claim.policy, claim.member
    locked = accumulators_lock(policy, member)
    request = engine_request(claim, locked.before, claim_risk_facts(claim, document_hashes=document_hashes))
    result = adjudicate(request)
    now = timezone.now()
    updates = result_updates(result, now=now)
    if result.decision == "approved":
        claim_approve_and_pay(
            claim,
            locked=locked,
            accumulators_after=result.accumulators_after,
            benefit=result.benefit,
            amount_fen=result.payout_fen,
            actor=None,
            decided_by=Claim.DecidedBy.ENGINE,
            reason="engine",
            updates=updates,
        )
    elif result.decision == "rejected":
        transition(
            claim,
            to=Claim.Status.REJECTED,
            actor=None,
            reason="engine",
            extra_updates={**updates, "decided_by": Claim.DecidedBy.ENGINE, "decided_at": now},
        )
        claim_notify(claim, "rejected")
    else:
        transition(claim, to=Claim.Status.MANUAL_REVIEW, actor=None, reason="engine", extra_updates=updates)
        claim_notify(claim, "manual_review")
    return claim


def adjudicate_new(claim: Claim, *, document_hashes: Sequence[str]) -> Claim:
    """``claim_submit``'s step: the claim was inserted by the current transaction (nobody else sees
    the row, so it is not locked again) with these documents."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("adjudicate_new runs in the transaction that created the claim")
    return _decide(claim, document_hashes=document_hashes)


def claim_adjudicate(*, claim: Claim) -> Claim:
    """Decide a submitted claim with the engine (see the module docstring); returns the claim.

    ``claim_already_adjudicated`` (409) when it is not ``submitted`` any more.
    """
    policy = claim.policy
    member = claim.member
    with transaction.atomic():
        locked_claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked_claim.status != Claim.Status.SUBMITTED:
            raise Conflict(_("该理赔已经理算过"), code="claim_already_adjudicated", field="claim")
        locked_claim.policy, locked_claim.member = policy, member
        return _decide(locked_claim)
