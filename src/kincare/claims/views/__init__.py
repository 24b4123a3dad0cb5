"""Claims pages (mobile-first, zh-hans): the family's claims, submitting a claim (hospital and
diagnosis searches and invoice rows with htmx), a claim with its explanation of benefits in
plain Chinese, and its documents (streamed after the permission check, never public).

Each page parses with a form and calls one service or selector; errors from the services are
shown next to their field.
"""

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
    "claim_list",
    "claim_new",
    "diagnosis_pick",
    "diagnosis_search",
    "hospital_pick",
    "hospital_search",
    "item_row",
]
