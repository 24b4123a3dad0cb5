"""How claims speak: one wording for the claim pages, the adjusters' console, the API and FHIR.

* ``labels``: codes in a few words (benefits, severities, hospital levels, invoice categories,
  claim types, risk flags, decisions, payout groups);
* ``reasons``: reason codes (the engine's and the adjusters') in one sentence each;
* ``lines``: the engine's explanation lines worded (``explained_line``; risk flags only in
  ``adjuster_line_text``);
* ``explanation``: a claim's explanation of benefits (``explain``).

Views, the admin, the API schemas and the FHIR mappings import from here; nothing here queries.
"""

from __future__ import annotations

from kincare.claims.presentation.explanation import Explanation, claim_reasons, explain
from kincare.claims.presentation.labels import (
    BENEFIT_LABELS,
    DECISION_LABELS,
    FLAG_LABELS,
    NOT_COVERED_CATEGORIES,
    SEVERITY_LABELS,
    benefit_label,
    claim_type_label,
    decision_label,
    diagnosis_label,
    flag_label,
    hospital_level_label,
    item_category_label,
    payout_group_label,
    severity_label,
)
from kincare.claims.presentation.lines import (
    ADJUSTER_ONLY_LINES,
    Line,
    adjuster_line_text,
    explained_line,
    flag_reason,
    line_text,
    member_lines,
)
from kincare.claims.presentation.reasons import (
    MANUAL_REVIEW_SENTENCE,
    REASON_SENTENCES,
    reason_sentence,
    review_reason_label,
)

__all__ = [
    "ADJUSTER_ONLY_LINES",
    "BENEFIT_LABELS",
    "DECISION_LABELS",
    "FLAG_LABELS",
    "MANUAL_REVIEW_SENTENCE",
    "NOT_COVERED_CATEGORIES",
    "REASON_SENTENCES",
    "SEVERITY_LABELS",
    "Explanation",
    "Line",
    "adjuster_line_text",
    "benefit_label",
    "claim_reasons",
    "claim_type_label",
    "decision_label",
    "diagnosis_label",
    "explain",
    "explained_line",
    "flag_label",
    "flag_reason",
    "hospital_level_label",
    "item_category_label",
    "line_text",
    "member_lines",
    "payout_group_label",
    "reason_sentence",
    "review_reason_label",
    "severity_label",
]
