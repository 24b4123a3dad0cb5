"""The member's year-to-date accumulators: created, locked, read for the engine, updated.

One ``ClaimAccumulator`` row per policy, insured member and policy period (``period_start`` =
the first covered day; a medical or accident renewal is a new policy, so a new row per year; a
critical-illness policy keeps one row for its life). An adjudication or an approval takes the
row's lock (``SELECT … FOR NO KEY UPDATE``: the amounts change, never the keys) before it reads
the amounts and keeps it until it commits: two claims of one member are decided one after the
other and never consume the same deductible. A missing row is inserted first (``INSERT … ON
CONFLICT DO NOTHING``: most members claim once a year, so the row is usually new); two
round trips whether the row existed or not.

A deductible the family shares (scope ``annual_family``) is summed over the accumulators of the
policies issued together (same application and product): then every one of those rows is locked,
always all of them and in primary-key order, so that two members' claims also wait for each other.

Updates are deltas: what the engine added to its input (``accumulators_after`` − the input) is
added to this member's row, so a family sum stays the sum of the members' rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kincare.catalog.models import Category
from kincare.claims.engine.critical import diagnosis_group
from kincare.claims.facts import family_groups, period_of, policy_terms
from kincare.claims.models import Claim, ClaimAccumulator
from kincare.families.models import Member
from kincare.policies.models import Policy

__all__ = [
    "LockedAccumulators",
    "accumulators_apply",
    "accumulators_lock",
    "accumulators_read",
]

PAID_STATUSES = (Claim.Status.APPROVED, Claim.Status.PAID)


@dataclass
class LockedAccumulators:
    """The member's row and the rows summed with it, and the engine input built from them."""

    own: ClaimAccumulator
    rows: list[ClaimAccumulator]
    shared_groups: set[str]
    before: dict[str, Any] = field(default_factory=dict)


def _targets(policy: Policy, member: Member) -> tuple[dt.date, set[str], list[tuple[int, int]]]:
    period = period_of(policy)[0]
    shared = family_groups(policy)
    pairs = [(policy.pk, member.pk)]
    if shared:
        siblings = (
            Policy.objects.filter(application_id=policy.application_id, product_id=policy.product_id)
            .exclude(number__isnull=True)
            .exclude(pk=policy.pk)
            .values_list("pk", "insured_id")
        )
        pairs.extend(siblings)
    # always the same order: two transactions creating the same rows never wait on each other in a circle
    return period, shared, sorted(pairs)


def _last_payout_on(policy: Policy, member: Member, payouts: dict[str, int]) -> dict[str, str]:
    """Critical illness: the diagnosis date of the last payout per severity (from the claims)."""
    out: dict[str, str] = {}
    for severity, count in payouts.items():
        if not count:
            continue
        last = (
            Claim.objects.filter(policy=policy, member=member, benefit=severity, status__in=PAID_STATUSES)
            .order_by("-service_start")
            .values_list("service_start", flat=True)
            .first()
        )
        if last is not None:
            out[severity] = last.isoformat()
    return out


def _groups_paid(policy: Policy, member: Member) -> list[str]:
    """Critical illness: the payout group of each severe payout, as the engine recorded it when it paid
    (the claim's diagnoses when an older result has none)."""
    groups: list[str] = []
    paid = Claim.objects.filter(policy=policy, member=member, benefit="severe", status__in=PAID_STATUSES)
    for result, diagnoses in paid.order_by("service_start", "pk").values_list("engine_result", "diagnoses"):
        lines: list[dict[str, Any]] = result.get("lines") or [] if isinstance(result, dict) else []
        recorded = next((line.get("group") for line in lines if line.get("code") == "severity"), None)
        group = recorded or diagnosis_group(tuple(diagnoses or ()), policy_terms(policy))
        if group is not None and group not in groups:
            groups.append(group)
    return groups


def _engine_input(
    policy: Policy, member: Member, own: ClaimAccumulator, rows: list[ClaimAccumulator], shared: set[str]
) -> dict[str, Any]:
    used = {str(k): int(v) for k, v in (own.deductible_used or {}).items()}
    for group in shared:
        used[group] = sum(int((row.deductible_used or {}).get(group, 0)) for row in rows)
    data: dict[str, Any] = {
        "deductible_used_fen": used,
        "paid_fen": {str(k): int(v) for k, v in (own.paid or {}).items()},
    }
    if policy.product.category == Category.CRITICAL_ILLNESS:
        payouts = {str(k): int(v) for k, v in (own.payouts or {}).items()}
        data["payouts"] = payouts
        data["last_payout_on"] = _last_payout_on(policy, member, payouts)
        if payouts.get("severe") and policy_terms(policy).multiple_payout_groups:
            data["groups_paid"] = _groups_paid(policy, member)
    return data


def _lock_rows(pairs: list[tuple[int, int]], period: dt.date) -> list[ClaimAccumulator]:
    wanted = set(pairs)
    return [
        row
        for row in ClaimAccumulator.objects.select_for_update(no_key=True)
        .filter(policy_id__in=[p for p, _m in pairs], period_start=period)
        .order_by("pk")
        if (row.policy_id, row.member_id) in wanted
    ]


def accumulators_lock(policy: Policy, member: Member) -> LockedAccumulators:
    """Lock the member's row (and the family's, for a shared deductible); call inside a transaction.

    Missing rows are inserted first, in (policy, member) order (a concurrent inserter of the same
    row waits for this transaction), then every row is locked in primary-key order.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("accumulators_lock needs a transaction")
    period, shared, pairs = _targets(policy, member)
    ClaimAccumulator.objects.bulk_create(
        [ClaimAccumulator(policy_id=p, member_id=m, period_start=period) for p, m in pairs], ignore_conflicts=True
    )
    rows = _lock_rows(pairs, period)
    own = next(row for row in rows if row.policy_id == policy.pk and row.member_id == member.pk)
    locked = LockedAccumulators(own=own, rows=rows, shared_groups=shared)
    locked.before = _engine_input(policy, member, own, rows, shared)
    return locked


def accumulators_read(policy: Policy, member: Member) -> dict[str, Any]:
    """The engine input as it stands, without locks and without creating rows (estimates only)."""
    period, shared, pairs = _targets(policy, member)
    wanted = set(pairs)
    rows = [
        row
        for row in ClaimAccumulator.objects.filter(policy_id__in=[p for p, _m in pairs], period_start=period)
        if (row.policy_id, row.member_id) in wanted
    ]
    own = next(
        (row for row in rows if row.policy_id == policy.pk and row.member_id == member.pk),
        ClaimAccumulator(policy=policy, member=member, period_start=period),
    )
    return _engine_input(policy, member, own, rows, shared)


def _add(target: dict[str, Any], key: str, delta: int) -> None:
    if delta:
        target[key] = int(target.get(key, 0)) + delta


def accumulators_apply(
    locked: LockedAccumulators, after: dict[str, Any], *, benefit: str | None, paid_fen: int | None = None
) -> ClaimAccumulator:
    """Add what the engine added (``after`` − ``locked.before``) to the member's row (not written
    when nothing changed).

    ``paid_fen``: the amount really paid from ``benefit`` when an adjuster changed it (the
    engine's deductible stays as it computed it).
    """
    own, before = locked.own, locked.before
    used = dict(own.deductible_used or {})
    for group, amount in (after.get("deductible_used_fen") or {}).items():
        _add(used, group, int(amount) - int(before["deductible_used_fen"].get(group, 0)))
    paid = dict(own.paid or {})
    for name, amount in (after.get("paid_fen") or {}).items():
        if name == benefit and paid_fen is not None:
            continue
        _add(paid, name, int(amount) - int(before["paid_fen"].get(name, 0)))
    if benefit and paid_fen is not None:
        _add(paid, benefit, paid_fen)
    payouts = dict(own.payouts or {})
    for severity, count in (after.get("payouts") or {}).items():
        _add(payouts, severity, int(count) - int((before.get("payouts") or {}).get(severity, 0)))
    if (used, paid, payouts) != (own.deductible_used, own.paid, own.payouts):
        own.deductible_used, own.paid, own.payouts = used, paid, payouts
        own.save(update_fields=["deductible_used", "paid", "payouts", "updated_at"])
    return own
