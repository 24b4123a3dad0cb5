"""Claims writes: submit (adjudicated at once), adjudicate, review, pay, documents.

* ``submit`` — ``claim_submit``: who may claim, every input check with a stable code, the claim
  and its documents stored, adjudicated in the same transaction;
* ``adjudication`` — ``claim_adjudicate``: the engine under the member's accumulator lock, risk
  facts from the database, the outcome (paid / rejected / manual review);
* ``review`` — the adjusters' approve / adjust / reject, second approval and return;
* ``payout`` — accumulators, the ledger entry, ``approved`` → ``paid``;
* ``accumulators`` — the year-to-date rows, their locks and updates;
* ``documents`` — upload checks (sniffed type, size, count), storage, ``claim_documents_add``.
"""

from kincare.claims.services.accumulators import accumulators_lock, accumulators_read
from kincare.claims.services.adjudication import claim_adjudicate, claim_risk_facts
from kincare.claims.services.common import ADJUST_REASONS, ADJUSTER_ROLE, REJECT_REASONS
from kincare.claims.services.documents import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    claim_documents_add,
)
from kincare.claims.services.payout import family_payouts_code, insurer_claims_code, payout_post
from kincare.claims.services.review import (
    claim_review_adjust,
    claim_review_approve,
    claim_review_reject,
    claim_second_approve,
    claim_second_return,
    payout_bound,
)
from kincare.claims.services.submit import CLAIM_TYPES_BY_CATEGORY, claim_submit, invoice_hash

__all__ = [
    "ADJUSTER_ROLE",
    "ADJUST_REASONS",
    "CLAIM_TYPES_BY_CATEGORY",
    "MAX_DOCUMENTS",
    "MAX_DOCUMENT_BYTES",
    "REJECT_REASONS",
    "accumulators_lock",
    "accumulators_read",
    "claim_adjudicate",
    "claim_documents_add",
    "claim_review_adjust",
    "claim_review_approve",
    "claim_review_reject",
    "claim_risk_facts",
    "claim_second_approve",
    "claim_second_return",
    "claim_submit",
    "family_payouts_code",
    "insurer_claims_code",
    "invoice_hash",
    "payout_bound",
    "payout_post",
]
