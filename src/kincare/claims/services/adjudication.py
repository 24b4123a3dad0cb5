"""Adjudicating a stored claim: the engine under the member's accumulator lock, then the outcome.

``claim_adjudicate(claim=)``, in one transaction:
1. locks the claim row (a claim is adjudicated once; ``claim_submit`` skips this for the row it
   has just inserted in the same transaction);
2. locks the member's accumulator row(s), creating a missing one first (``accumulators_lock``);
   computes the risk facts from the database; builds the request from the policy and product
   (``claims/facts.py``) and runs the engine;
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
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.claims.engine import Adjudication, adjudicate
from kincare.claims.facts import engine_request
from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.claims.services.accumulators import accumulators_lock
from kincare.claims.services.common import claim_notify
from kincare.claims.services.payout import claim_approve_and_pay
from kincare.core.errors import Conflict
from kincare.core.fsm import transition_path

__all__ = ["adjudicate_new", "claim_adjudicate", "claim_risk_facts", "result_updates"]

RECENT_DAYS = 90


#: the three counts of ``_risk_counts``; ``{claims}`` / ``{documents}`` are the tables (from the
#: models' ``_meta``), ``{same}`` / ``{own}`` placeholders only: every value is a parameter
RECENT_SQL = (
    "SELECT COUNT(*) FROM {claims} c WHERE c.member_id = %s AND c.created_at >= %s AND c.created_at <= %s"
    " AND c.id <> %s AND c.status <> %s"
)
SAME_INVOICE_SQL = "SELECT COUNT(*) FROM {claims} c WHERE ({same}) AND c.id <> %s AND c.status <> %s"
SAME_DOCUMENT_SQL = (
    "SELECT COUNT(*) FROM {documents} d JOIN {claims} c ON c.id = d.claim_id"
    " WHERE d.sha256 IN ({own}) AND d.claim_id <> %s AND c.status <> %s"
)
OWN_DOCUMENTS_SQL = "SELECT sha256 FROM {documents} WHERE claim_id = %s"


def _risk_counts(claim: Claim, document_hashes: Sequence[str] | None) -> tuple[int, int, int]:
    """(the member's other claims in the 90 days before this one, other claims with one of its
    invoice-number hashes, documents of other claims with one of its document hashes), withdrawn
    claims left out, in one statement.

    Hand-written SQL: it runs for every claim, and the ORM spent about 2 ms of Python per claim
    building and compiling the same statement with three subqueries (about a quarter of a
    claim's CPU), several times what PostgreSQL takes to answer it. The duplicates are counted,
    not tested with ``EXISTS``: without fresh statistics PostgreSQL plans an ``EXISTS`` (a
    ``LIMIT 1``) as a scan of the whole table expecting an early hit, and there is almost never
    one; a count goes through the index (GIN on the invoice hashes, B-tree on the document
    hashes) whatever the statistics say. Invoice hashes are matched by jsonb containment on
    PostgreSQL; elsewhere, as unique base32 strings (no ``LIKE`` wildcards), quoted in the JSON text.
    """
    ops = connection.ops
    tables = {
        "claims": ops.quote_name(Claim._meta.db_table),
        "documents": ops.quote_name(ClaimDocument._meta.db_table),
    }
    withdrawn = Claim.Status.WITHDRAWN.value
    created = claim.created_at or timezone.now()
    counts = [RECENT_SQL.format(**tables)]
    params: list[Any] = [
        claim.member_id,
        ops.adapt_datetimefield_value(created - dt.timedelta(days=RECENT_DAYS)),
        ops.adapt_datetimefield_value(created),
        claim.pk,
        withdrawn,
    ]
    invoices = list(claim.invoice_hashes or [])
    if invoices:
        if connection.vendor == "postgresql":
            same = " OR ".join(["c.invoice_hashes @> %s::jsonb"] * len(invoices))
            params += [json.dumps([value]) for value in invoices]
        else:
            same = " OR ".join(["c.invoice_hashes LIKE %s"] * len(invoices))
            params += [f'%"{value}"%' for value in invoices]
        counts.append(SAME_INVOICE_SQL.format(same=same, **tables))
        params += [claim.pk, withdrawn]
    else:
        counts.append("SELECT 0")
    hashes = None if document_hashes is None else sorted(set(document_hashes))
    if hashes is None:  # the claim's own documents, as stored
        counts.append(SAME_DOCUMENT_SQL.format(own=OWN_DOCUMENTS_SQL.format(**tables), **tables))
        params += [claim.pk, claim.pk, withdrawn]
    elif hashes:
        counts.append(SAME_DOCUMENT_SQL.format(own=", ".join(["%s"] * len(hashes)), **tables))
        params += [*hashes, claim.pk, withdrawn]
    else:
        counts.append("SELECT 0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({count})" for count in counts), params)
        recent, same_invoices, same_documents = cursor.fetchone()
    return int(recent), int(same_invoices), int(same_documents)


def claim_risk_facts(claim: Claim, *, document_hashes: Sequence[str] | None = None) -> dict[str, Any]:
    """What the engine cannot look up itself about the claim's surroundings (one query, see
    ``_risk_counts``).

    ``document_hashes``: the claim's document hashes when the caller knows them (a new claim);
    otherwise they are read from the claim's documents in the same query.
    """
    recent, same_invoices, same_documents = _risk_counts(claim, document_hashes)
    hospital = hospital_get(claim.hospital_code)
    diagnosis = diagnosis_get(claim.diagnoses[0]) if claim.diagnoses else None
    return {
        "days_since_waiting_end": None,
        "usual_cost_fen": diagnosis.usual_cost_fen if diagnosis is not None else None,
        "duplicate_document": same_documents > 0,
        "duplicate_invoice": same_invoices > 0,
        "hospital_watchlist": bool(hospital is not None and hospital.watchlist),
        "claims_last_90_days": recent,
        # known for a new claim (its documents came with it): a payout without any waits for an adjuster
        "documents": None if document_hashes is None else len(document_hashes),
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
        transition_path(
            claim,
            path=[Claim.Status.REJECTED],
            actor=None,
            reason="engine",
            extra_updates={**updates, "decided_by": Claim.DecidedBy.ENGINE, "decided_at": now},
        )
        claim_notify(claim, "rejected")
    else:
        transition_path(claim, path=[Claim.Status.MANUAL_REVIEW], actor=None, reason="engine", extra_updates=updates)
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
        locked_claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
        if locked_claim.status != Claim.Status.SUBMITTED:
            raise Conflict(_("该理赔已经理算过"), code="claim_already_adjudicated", field="claim")
        locked_claim.policy, locked_claim.member = policy, member
        return _decide(locked_claim)
