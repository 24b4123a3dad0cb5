"""Paying an approved claim: the accumulators, the ledger entry, the status moves, the family told.

Ledger (one entry per claim, kind ``claim_payout``, idempotency key ``claim:<id>:payout``): debit
``insurer:<code>:claims`` (asset: what the insurer owes the platform for the claims it approved)
and credit ``family:<family id>:claim_payouts`` (liability: what the platform owes the family).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kincare.claims.models import Claim
from kincare.claims.services.accumulators import LockedAccumulators, accumulators_apply
from kincare.claims.services.common import claim_notify
from kincare.core.fsm import transition_path
from kincare.core.ledger.models import Account, JournalEntry
from kincare.core.ledger.services import account_ensure, ledger_post

__all__ = [
    "claim_approve_and_pay",
    "family_payouts_code",
    "insurer_claims_code",
    "payout_post",
]

PAYOUT_KIND = "claim_payout"
#: every approved claim of an insurer debits its claims account: spread the balance rows
INSURER_CLAIMS_BUCKETS = 8


def insurer_claims_code(insurer_code: str) -> str:
    return f"insurer:{insurer_code}:claims"


def family_payouts_code(family_id: int) -> str:
    return f"family:{family_id}:claim_payouts"


def _accounts(claim: Claim) -> tuple[Account, Account]:
    """The insurer's receivable and the family's payouts account, read in one query; the first
    payout of an insurer or a family creates its account."""
    insurer = claim.policy.product.insurer
    receivable_code, owed_code = insurer_claims_code(insurer.code), family_payouts_code(claim.family_id)
    found = {a.code: a for a in Account.objects.filter(code__in=(receivable_code, owed_code))}
    receivable = found.get(receivable_code) or account_ensure(
        code=receivable_code,
        kind=Account.Kind.ASSET,
        allow_negative=False,
        name=f"应收保险公司理赔款：{insurer.short_name}",
        buckets=INSURER_CLAIMS_BUCKETS,
        owner=insurer,
    )
    owed = found.get(owed_code) or account_ensure(
        code=owed_code,
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name="应付家庭理赔款",
        family_id=claim.family_id,
    )
    return receivable, owed


def payout_post(claim: Claim, *, actor: Any = None) -> JournalEntry:
    """Post the claim's payout (``claim.payout_fen`` > 0), idempotently (on PostgreSQL one call of
    the ledger's posting function)."""
    amount = claim.payout_fen
    receivable, owed = _accounts(claim)
    return ledger_post(
        kind=PAYOUT_KIND,
        idempotency_key=f"claim:{claim.pk}:payout",
        postings=[(receivable, amount), (owed, -amount)],
        memo=f"理赔 {claim.number}",
        subject=claim,
        family_id=claim.family_id,
        actor=actor,
    )


def claim_approve_and_pay(
    claim: Claim,
    *,
    locked: LockedAccumulators,
    accumulators_after: dict[str, Any],
    benefit: str | None,
    amount_fen: int,
    actor: Any,
    decided_by: str,
    reason: str,
    updates: dict[str, Any] | None = None,
) -> Claim:
    """Approve the (locked) claim for ``amount_fen``: accumulators applied, payout posted, paid.

    A zero payout (e.g. below the deductible) is approved and stays ``approved``: nothing to pay.
    ``updates`` are further claim fields written with the status moves (``approved``, then
    ``paid``: one conditional UPDATE, both moves in the status history and the audit log).
    """
    now = timezone.now()
    accumulators_apply(locked, accumulators_after, benefit=benefit, paid_fen=amount_fen)
    fields = {**(updates or {}), "decided_by": decided_by, "decided_at": now, "payout_fen": amount_fen}
    if amount_fen > 0:
        path = [Claim.Status.APPROVED, Claim.Status.PAID]
        fields["paid_at"] = now
    else:
        path = [Claim.Status.APPROVED]
    transition_path(claim, path=path, actor=actor, reason=reason, extra_updates=fields)
    if amount_fen > 0:
        payout_post(claim, actor=actor)
        claim_notify(claim, "paid")
    else:
        claim_notify(claim, "approved")
    return claim
