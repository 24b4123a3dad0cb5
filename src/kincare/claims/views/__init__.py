"""Claims pages (mobile-first, zh-hans): the family's claims, submitting a claim (hospital and
diagnosis searches and invoice rows with htmx), a claim with its explanation of benefits in
plain Chinese, and its documents (streamed after the permission check, never public); adding
documents to an open claim and withdrawing one that waits for an adjuster.

Each page parses with a form and calls one service or selector; errors from the services are
shown next to their field.
"""

from kincare.claims.views.actions import claim_documents_upload, claim_withdraw_view
from kincare.claims.views.claims import claim_detail, claim_document, claim_list
from kincare.claims.views.submit import (
    claim_new,
    diagnosis_pick,
    diagnosis_search,
    hospital_pick,
    hospital_search,
    item_row,
)

__all__ = [
    "claim_detail",
    "claim_document",
    "claim_documents_upload",
    "claim_list",
    "claim_new",
    "claim_withdraw_view",
    "diagnosis_pick",
    "diagnosis_search",
    "hospital_pick",
    "hospital_search",
    "item_row",
]
