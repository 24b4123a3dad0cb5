"""The pure core of claims adjudication (理赔): one claim request in, one decision with its explanation out.

No ORM, no I/O beyond the shipped critical-illness list: the services build the request from the
policy, the product and the locked accumulator row (``claims/facts.py``); ``kincare adjudicate``
and the bench read the same requests as JSON lines. ``adjudicate(request)`` takes a
``ClaimRequest`` or a dict of the same shape (validated; ``ClaimInputInvalid`` — a
``ValidationFailed`` with ``code``, ``message``, ``field`` — when it does not validate).

Input (the spec's line, ../shared/spec/claims.md; all amounts whole fen, dates ``YYYY-MM-DD``,
ratios strings or numbers such as ``"0.60"``)::

    {"claim_id": "C-1",
     "policy": {
       "policy_id": "P-1",
       "category": "medical",              # medical (default) | accident | critical_illness
       "period_start": "2026-01-01", "period_end": "2026-12-31",
       "first_effective_date": "2025-01-01", "waiting_period_days": 30,
       "exclusions": ["B18", "K7"],        # ICD-10 prefixes (or [{"icd10": [...], "description"}])
       "benefits": [{"type": "general", "annual_limit_fen": 200000000, "deductible_group": "main"},
                    {"type": "serious_illness", "annual_limit_fen": 400000000, "deductible_group": null,
                     "icd_prefixes": ["C", "I21", "I63"]}],
       "deductibles": {"main": {"amount_fen": 1000000, "scope": "annual"}},
       "ratio_with_social_insurance": "1.00", "ratio_without_social_insurance": "0.60",
       "covered_claim_types": [...],       # default per category (DEFAULT_COVERED_CLAIM_TYPES)
       "pre_post_days": [30, 30],          # default [0, 0]
       "hospital_rule": {"min_level": 2, "public_only": true, "special_needs_ward": false},  # null: any
       "auto_approve_limit_fen": 5000000}, # null: no limit
     "accumulators": {"deductible_used_fen": {"main": 0}, "paid_fen": {"general": 0}},
     "claim": {
       "member_id": "M-1", "claim_type": "inpatient",
       "service_start": "2026-03-01", "service_end": "2026-03-10",
       "diagnoses": ["K35.8"], "is_accident": false,
       "hospital": {"level": 3, "public": true, "special_needs_ward": false},  # + code/name/city ignored
       "social_insurance_used": true,
       "items": [{"category": "drug", "amount_fen": 2500000}, {"category": "non_medical", "amount_fen": 30000}],
       "social_insurance_paid_fen": 1200000, "other_insurance_paid_fen": 0,
       "related_stay": null,               # {"admission", "discharge"}: required for pre_post_outpatient
       "severity": null},                  # critical illness only, optional
     "risk": {...}}                        # optional RiskFacts, see below

Benefits may carry their own ``ratio_with_social_insurance`` / ``ratio_without_social_insurance``
(they override the policy's); ``annual_limit_fen`` null means no limit; a deductible scope is
``annual`` (also ``annual_member`` / ``annual_family``: the caller passes the used amount of the
member or the family) or ``per_claim`` (the full amount on every claim, never accumulated).

**Accident medical** (``category: "accident"``): the medical steps with the product's own
benefit (``accidental_medical``, else ``general``), deductible (often ``per_claim``) and ratios;
no waiting period; a claim that is not ``is_accident`` is rejected ``not_accident`` (in place of
step 2). Default covered claim types: accident_medical, inpatient, special_outpatient,
outpatient_surgery, pre_post_outpatient.

**Critical illness** (``category: "critical_illness"``; ``claim_type: "critical_illness"``;
``items`` and ``hospital`` optional). Policy fields::

    "sum_insured_fen": 30000000,
    "severities": {"severe":   {"ratio": "1.00", "max_payouts": 1, "icd_prefixes": null},
                   "moderate": {"ratio": "0.60", "max_payouts": 2},
                   "mild":     {"ratio": "0.30", "max_payouts": 3}},
    "multiple_payout_groups": 0,   # > 0: severe illness pays up to its max_payouts times, each time for
                                   # a disease of another payout group …
    "payout_gap_days": 0,          # … at least this many days apart (diagnosis dates)
    "severe_groups": null,         # {"C": "cancer", "I21": "cardiovascular", …}; null: the shipped groups

``icd_prefixes`` null (or absent) uses the shipped list for that severity
(``claims/data/critical_illness.yaml``, which also puts every severe disease in one of five payout
groups; a product with ``multiple_payout_groups`` other than the number of groups it uses is refused,
``payout_groups_mismatch``). ``claim.severity`` (optional) is the severity claimed;
without it the engine derives it from the diagnoses. Accumulators are *lifetime* for critical
illness: ``"payouts": {"severe": 0, …}`` (count per severity) and ``"last_payout_on": {"severe":
"2024-05-01"}`` (the diagnosis date, i.e. ``service_start``, of the last payout) and
``"groups_paid": ["cancer"]`` (the payout groups of earlier severe payouts), besides ``paid_fen``
keyed by severity. Steps: the shared rejections 1–5, then ``not_covered_disease``,
``cover_ended``, ``max_payouts_reached``, ``payout_group_used``, ``payout_gap`` (see
``critical.py``); payout =
sum insured × the severity's ratio, half-up; ``benefit`` is the severity, ``base_fen`` the sum
insured, ``covered_fen`` / ``not_covered_fen`` / ``deductible_applied_fen`` 0.

**Risk facts** (optional ``"risk"``): ``days_since_waiting_end`` (null: computed from the
policy), ``usual_cost_fen``, ``duplicate_document``, ``duplicate_invoice``, ``hospital_watchlist``,
``claims_last_90_days``, ``frequent_claims_threshold`` (null: 3), ``documents`` (how many are
attached; null: not known). ``risk_flags(facts, covered_fen)`` gives ``early_claim`` (≤ 30 days
after the waiting period), ``amount_unusual`` (> 3× usual), ``duplicate_document``,
``duplicate_invoice``, ``hospital_watchlist``, ``frequent_claims`` (> N in 90 days). A flag sends
an otherwise approved claim to ``manual_review`` (reason ``risk_flagged``); it never rejects.
Without ``"risk"`` the engine still computes ``days_since_waiting_end`` from the policy, so
``early_claim`` is raised for every caller; the other facts are then unknown and raise nothing.
A payout on a claim with ``documents: 0`` goes to ``manual_review`` with the reason
``documents_missing`` (a zero payout or a rejection does not wait for documents).

Output (``Adjudication.as_json()``): the spec's line, plus ``flags`` and ``lines``::

    {"claim_id": "C-1", "decision": "approved", "reasons": [], "benefit": "general",
     "covered_fen": 2500000, "not_covered_fen": 30000, "base_fen": 1300000,
     "deductible_applied_fen": 1000000, "ratio": "1.00", "payout_fen": 300000,
     "accumulators_after": {"deductible_used_fen": {"main": 1000000},
                            "paid_fen": {"general": 300000, "serious_illness": 0}},
     "flags": [], "lines": [{"code": "item_covered", ...}, ...]}

A rejection has ``benefit`` and ``ratio`` null, every amount 0 and the accumulators unchanged.
``accumulators_after`` of a critical-illness policy also has ``payouts`` and ``last_payout_on`` (and
``groups_paid`` once a multiple-payout product paid severe illness).

Reasons (``REASONS``): the rejections ``not_in_period``, ``not_accident``, ``waiting_period``,
``excluded_condition``, ``hospital_not_eligible``, ``claim_type_not_covered``,
``outside_pre_post_window``, ``not_covered_disease``, ``cover_ended``, ``max_payouts_reached``,
``payout_group_used``, ``payout_gap``; on a payout: ``limit_reached``; on a zero payout (approved): ``nothing_covered``
(no covered item), ``paid_by_others`` (social/other insurance paid it all), ``below_deductible``;
sending to review: ``severity_unconfirmed``, ``documents_missing``, ``risk_flagged``,
``above_auto_approve_limit``.

Explanation lines (``LINE_CODES``; each a dict with ``code`` and the numbers used):

* ``rejected`` {reason, + the facts of the check: service_start/period_start/period_end;
  first_covered_day/waiting_period_days; diagnosis/prefix/source ("policy"|"general");
  rule ("min_level"|"public_only"|"special_needs_ward")/level/min_level/public; claim_type;
  admission/discharge/pre_days/post_days/window_before_from/window_after_to; severity/diagnoses;
  severe_payouts; payouts/max_payouts; group/groups_paid; last_payout_on/payout_gap_days/next_possible_on}
* ``item_covered`` / ``item_not_covered`` {category, amount_fen} — per category, first-seen order
* ``covered`` {amount_fen, not_covered_fen}
* ``benefit`` {benefit, diagnosis?, prefix?}
* ``social_insurance`` {used, amount_fen} · ``other_insurance`` {amount_fen} · ``base`` {amount_fen}
* ``deductible`` {group, scope, deductible_fen, used_before_fen, remaining_before_fen, by_other_fen,
  by_base_fen, amount_fen, remaining_after_fen} or ``no_deductible`` {}
* ``ratio`` {ratio, social_insurance_used?, payable_fen, amount_fen}
* ``limit`` {annual_limit_fen (null: none), paid_before_fen, limit_left_fen, amount_fen, cut}
* critical illness: ``severity`` {severity, diagnosis, prefix, declared, confirmed, derived_severity?,
  group? (multiple-payout products)},
  ``sum_insured`` {amount_fen}, ``payout_count`` {severity, before, after, max_payouts},
  ``cover_ends`` {}, ``next_payout_from`` {date}
* ``payout`` {amount_fen}
* ``risk_flag`` {flag, + days_since_waiting_end/threshold_days; amount_fen/usual_cost_fen/factor;
  claims_last_90_days/threshold}
* ``auto_approve_limit`` {limit_fen, amount_fen}

Money: integers in fen; ratios ``Decimal``; one rounding, half-up to the fen, when the ratio is
applied (done in exact integer arithmetic: ``apply_ratio_half_up``).
"""

from kincare.claims.engine.checks import (
    GENERAL_EXCLUSION_PREFIXES,
    GENERAL_EXCLUSION_RANGES,
    Rejection,
    first_covered_day,
    first_rejection,
    general_exclusion,
)
from kincare.claims.engine.core import accumulators_json, adjudicate, risk_facts
from kincare.claims.engine.critical import classify, severity_table
from kincare.claims.engine.medical import COVERED_CATEGORIES
from kincare.claims.engine.result import DECISIONS, Adjudication, apply_ratio_half_up, format_ratio
from kincare.claims.engine.risk import RISK_FLAGS, risk_flags
from kincare.claims.engine.shipped import shipped_ci_list
from kincare.claims.engine.terms import (
    CLAIM_TYPES,
    DEFAULT_COVERED_CLAIM_TYPES,
    ITEM_CATEGORIES,
    MEDICAL_CATEGORIES,
    NOT_COVERED_CATEGORIES,
    SEVERITIES,
    Accumulators,
    BenefitTerms,
    ClaimFacts,
    ClaimInputInvalid,
    ClaimRequest,
    DeductibleTerms,
    Hospital,
    HospitalRule,
    Item,
    PolicyTerms,
    RiskFacts,
    SeverityTerms,
    Stay,
    parse_request,
)

#: every rejection, in the order the checks run
REJECTION_REASONS = (
    "not_in_period",
    "not_accident",
    "waiting_period",
    "excluded_condition",
    "hospital_not_eligible",
    "claim_type_not_covered",
    "outside_pre_post_window",
    "not_covered_disease",
    "cover_ended",
    "max_payouts_reached",
    "payout_group_used",
    "payout_gap",
)
REASONS = (
    *REJECTION_REASONS,
    "limit_reached",
    "nothing_covered",
    "paid_by_others",
    "below_deductible",
    "severity_unconfirmed",
    "documents_missing",
    "risk_flagged",
    "above_auto_approve_limit",
)
LINE_CODES = (
    "rejected",
    "item_covered",
    "item_not_covered",
    "covered",
    "benefit",
    "social_insurance",
    "other_insurance",
    "base",
    "deductible",
    "no_deductible",
    "ratio",
    "limit",
    "severity",
    "sum_insured",
    "payout_count",
    "cover_ends",
    "next_payout_from",
    "payout",
    "risk_flag",
    "auto_approve_limit",
)

__all__ = [
    "CLAIM_TYPES",
    "COVERED_CATEGORIES",
    "DECISIONS",
    "DEFAULT_COVERED_CLAIM_TYPES",
    "GENERAL_EXCLUSION_PREFIXES",
    "GENERAL_EXCLUSION_RANGES",
    "ITEM_CATEGORIES",
    "LINE_CODES",
    "MEDICAL_CATEGORIES",
    "NOT_COVERED_CATEGORIES",
    "REASONS",
    "REJECTION_REASONS",
    "RISK_FLAGS",
    "SEVERITIES",
    "Accumulators",
    "Adjudication",
    "BenefitTerms",
    "ClaimFacts",
    "ClaimInputInvalid",
    "ClaimRequest",
    "DeductibleTerms",
    "Hospital",
    "HospitalRule",
    "Item",
    "PolicyTerms",
    "Rejection",
    "RiskFacts",
    "SeverityTerms",
    "Stay",
    "accumulators_json",
    "adjudicate",
    "apply_ratio_half_up",
    "classify",
    "first_covered_day",
    "first_rejection",
    "format_ratio",
    "general_exclusion",
    "parse_request",
    "risk_facts",
    "risk_flags",
    "severity_table",
    "shipped_ci_list",
]
