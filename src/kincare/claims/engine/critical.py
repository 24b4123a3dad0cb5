"""Critical-illness claims: the severity of the diagnosis, the payout rules, sum insured × ratio.

After the shared checks (period, waiting period, exclusions, hospital, claim type):

6. ``not_covered_disease`` — no diagnosis is in the product's covered list: no diagnosis has a
   severity the policy covers, or a severity is claimed (``claim.severity``) that the policy does
   not cover, or one is claimed while no diagnosis matches any prefix of a covered severity. A
   diagnosis's severity is that of its longest matching prefix in the table (the policy's
   ``icd_prefixes`` per severity, the shipped list for a severity that lists none); the claim's is
   the most severe covered one. A claimed severity that a listed diagnosis does not confirm is paid
   as claimed but sent to an adjuster (``severity_unconfirmed``).
7. ``cover_ended`` — a severe payout was made and either the product pays severe illness once
   (``multiple_payout_groups`` 0) or the claim is mild/moderate (their cover ends with a severe payout).
8. ``max_payouts_reached`` — the severity already paid ``max_payouts`` times (lifetime counts).
9. ``payout_group_used`` — multiple-payout products: a severe claim whose disease is in a payout
   group an earlier severe payout used (``accumulators.groups_paid``), or in no group while a severe
   payout was made. A diagnosis's group is that of its longest matching prefix in the policy's
   ``severe_groups`` (the shipped groups by default).
10. ``payout_gap`` — a severe claim less than ``payout_gap_days`` after the last severe payout's
    diagnosis date.

Payout = ``sum_insured_fen`` × the severity's ratio, rounded half-up to the fen.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from kincare.claims.engine.checks import Rejection
from kincare.claims.engine.result import Computed, apply_ratio_half_up, format_ratio
from kincare.claims.engine.shipped import shipped_prefixes
from kincare.claims.engine.terms import SEVERITIES, ClaimRequest, PolicyTerms

_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}  # 0 = most severe

Table = tuple[tuple[str, str], ...]  # (prefix, severity), longest prefix first


@lru_cache(maxsize=256)
def _table(own: tuple[tuple[str, tuple[str, ...] | None], ...]) -> Table:
    rows: list[tuple[str, str]] = []
    listed = dict(own)
    for severity in SEVERITIES:
        prefixes = listed.get(severity)
        for prefix in prefixes if prefixes is not None else shipped_prefixes(severity):
            rows.append((prefix, severity))
    # longest prefix first; at equal length the more severe first
    rows.sort(key=lambda row: (-len(row[0]), _RANK[row[1]]))
    return tuple(rows)


def severity_table(policy: PolicyTerms) -> Table:
    """(prefix, severity) rows for the policy: its own prefixes per severity, else the shipped list."""
    return _table(tuple((s, t.icd_prefixes) for s, t in sorted(policy.severities.items())))


def classify(code: str, table: Table) -> tuple[str, str] | None:
    """(severity, prefix) of a diagnosis by its longest matching prefix, or None."""
    for prefix, severity in table:
        if code.startswith(prefix):
            return severity, prefix
    return None


def compute_critical(request: ClaimRequest) -> Computed | Rejection:
    policy, claim, acc = request.policy, request.claim, request.accumulators
    table = severity_table(policy)
    hits = []
    for code in claim.diagnoses:
        found = classify(code, table)
        if found is not None:
            hits.append((code, found[0], found[1]))
    covered_hits = [hit for hit in hits if hit[1] in policy.severities]
    review_reasons: list[str] = []

    # 6. the severity
    declared = claim.severity
    if declared is not None:
        if declared not in policy.severities or not _any_listed(claim.diagnoses, table, policy):
            return Rejection("not_covered_disease", {"severity": declared, "diagnoses": list(claim.diagnoses)})
        confirming = [hit for hit in hits if hit[1] == declared]
        severity = declared
        if confirming:
            code, _, prefix = confirming[0]
            severity_line = _severity_line(severity, code, prefix, declared=True, confirmed=True)
        else:
            review_reasons.append("severity_unconfirmed")
            derived = min(hits, key=lambda hit: _RANK[hit[1]])[1] if hits else None
            severity_line = {
                "code": "severity",
                "severity": severity,
                "declared": True,
                "confirmed": False,
                "derived_severity": derived,
            }
    else:
        if not covered_hits:
            detail: dict[str, Any] = {"diagnoses": list(claim.diagnoses)}
            if hits:  # a severity the product does not cover
                detail["severity"] = min(hits, key=lambda hit: _RANK[hit[1]])[1]
            return Rejection("not_covered_disease", detail)
        code, severity, prefix = min(covered_hits, key=lambda hit: _RANK[hit[1]])
        severity_line = _severity_line(severity, code, prefix, declared=False, confirmed=True)
    terms = policy.severities[severity]

    # 7. cover ended by a severe payout
    severe_paid = acc.payouts.get("severe", 0)
    if severe_paid and (policy.multiple_payout_groups == 0 or severity != "severe"):
        return Rejection("cover_ended", {"severity": severity, "severe_payouts": severe_paid})
    # 8. the severity's maximum number of payouts
    count = acc.payouts.get(severity, 0)
    if count >= terms.max_payouts:
        return Rejection(
            "max_payouts_reached", {"severity": severity, "payouts": count, "max_payouts": terms.max_payouts}
        )
    # 9. a second severe payout needs a disease of another payout group
    multiple = policy.multiple_payout_groups > 0
    group = diagnosis_group(claim.diagnoses, policy) if severity == "severe" and multiple else None
    if severity == "severe" and multiple and severe_paid and (group is None or group in acc.groups_paid):
        return Rejection("payout_group_used", {"group": group, "groups_paid": list(acc.groups_paid)})
    # 10. the gap between severe payouts
    start = claim.service_start
    last = acc.last_payout_on.get("severe")
    if severity == "severe" and last is not None and policy.payout_gap_days:
        next_day = last + dt.timedelta(days=policy.payout_gap_days)
        if start < next_day:
            return Rejection(
                "payout_gap",
                {
                    "last_payout_on": last.isoformat(),
                    "payout_gap_days": policy.payout_gap_days,
                    "next_possible_on": next_day.isoformat(),
                },
            )

    # 11. sum insured × the severity's ratio
    sum_insured = policy.sum_insured_fen or 0
    payout = apply_ratio_half_up(sum_insured, terms.ratio)
    lines: list[dict[str, Any]] = [
        severity_line,
        {"code": "sum_insured", "amount_fen": sum_insured},
        {"code": "ratio", "ratio": format_ratio(terms.ratio), "payable_fen": sum_insured, "amount_fen": payout},
        {
            "code": "payout_count",
            "severity": severity,
            "before": count,
            "after": count + 1,
            "max_payouts": terms.max_payouts,
        },
    ]
    if group is not None:
        severity_line["group"] = group
    if severity == "severe":
        if policy.multiple_payout_groups == 0:
            lines.append({"code": "cover_ends"})
        elif policy.payout_gap_days:
            next_from = start + dt.timedelta(days=policy.payout_gap_days)
            lines.append({"code": "next_payout_from", "date": next_from.isoformat()})
    lines.append({"code": "payout", "amount_fen": payout})

    paid = dict(acc.paid_fen)
    paid[severity] = paid.get(severity, 0) + payout
    payouts: dict[str, int] = dict(acc.payouts)
    payouts[severity] = count + 1
    last_on = {s: d.isoformat() for s, d in acc.last_payout_on.items()}
    last_on[severity] = start.isoformat()
    after: dict[str, Any] = {
        "deductible_used_fen": dict(acc.deductible_used_fen),
        "paid_fen": paid,
        "payouts": payouts,
        "last_payout_on": last_on,
    }
    groups_paid = [*acc.groups_paid, group] if group is not None else list(acc.groups_paid)
    if groups_paid:
        after["groups_paid"] = groups_paid
    return Computed(
        benefit=severity,
        covered_fen=0,
        not_covered_fen=0,
        base_fen=sum_insured,
        deductible_applied_fen=0,
        ratio=terms.ratio,
        payout_fen=payout,
        accumulators_after=after,
        lines=lines,
        reasons=[],
        review_reasons=review_reasons,
        severity=severity,
    )


def _any_listed(diagnoses: tuple[str, ...], table: Table, policy: PolicyTerms) -> bool:
    """Does a diagnosis match any prefix of a severity the policy covers (not only its longest one)?"""
    return any(code.startswith(prefix) for code in diagnoses for prefix, s in table if s in policy.severities)


def diagnosis_group(diagnoses: tuple[str, ...], policy: PolicyTerms) -> str | None:
    """The payout group of the first diagnosis that is in one (longest matching prefix), or None."""
    for code in diagnoses:
        for prefix, group in policy.group_table:
            if code.startswith(prefix):
                return group
    return None


def _severity_line(severity: str, code: str, prefix: str, *, declared: bool, confirmed: bool) -> dict[str, Any]:
    return {
        "code": "severity",
        "severity": severity,
        "diagnosis": code,
        "prefix": prefix,
        "declared": declared,
        "confirmed": confirmed,
    }
