"""The proofs behind ``kincare ledger reconcile`` and ``kincare ledger verify``.

Each check returns a list of human-readable discrepancies; an empty list is a clean ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DecimalField, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from kincare.core.ledger.chain import GENESIS_HASH, canonical_entry_json, chain_hash
from kincare.core.ledger.models import Account, AccountBalance, JournalEntry, Posting, PublicChainHead, PublicChainLink


@dataclass(frozen=True)
class Discrepancy:
    check: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.detail}"


@contextmanager
def consistent_snapshot() -> Iterator[None]:
    """Read everything from one snapshot, so postings committed meanwhile raise no false alarm.

    On PostgreSQL an outermost check runs in a REPEATABLE READ transaction (read-only, it
    never conflicts); inside a caller's transaction it sees that transaction's snapshot.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def reconcile() -> list[Discrepancy]:
    """Cached balances equal summed postings; entries balance; non-negative accounts are ≥ 0."""
    with consistent_snapshot():
        return _reconcile()


def _safe_sums(queryset: QuerySet[Any], key: str, amount: str) -> dict[Any, int]:
    """``{key: sum of amount}`` without integer overflow, however large the amounts.

    PostgreSQL sums as ``numeric`` (exact, unbounded); SQLite's ``SUM`` raises "integer
    overflow" past 2^63 − 1, so there the rows are summed in Python (also exact).
    """
    if connection.vendor == "postgresql":
        exact = Sum(Cast(amount, DecimalField(max_digits=65, decimal_places=0)))
        rows = queryset.values(key).annotate(total=exact).values_list(key, "total")
        return {k: int(total or 0) for k, total in rows}
    totals: dict[Any, int] = defaultdict(int)
    for k, value in queryset.values_list(key, amount).iterator(chunk_size=10_000):
        totals[k] += int(value)
    return dict(totals)


def _reconcile() -> list[Discrepancy]:
    problems: list[Discrepancy] = []
    cached = _safe_sums(AccountBalance.objects.all(), "account_id", "raw_balance_fen")
    summed = _safe_sums(Posting.objects.all(), "account_id", "amount_fen")
    accounts = {a.pk: a for a in Account.objects.all()}
    bucket_counts = dict(
        AccountBalance.objects.values("account_id").annotate(n=Count("id")).values_list("account_id", "n")
    )
    for pk, account in accounts.items():
        c, s = int(cached.get(pk) or 0), int(summed.get(pk) or 0)
        if c != s:
            problems.append(Discrepancy("balance", account.code, f"cached {c} fen != sum of postings {s} fen"))
        if not account.allow_negative and account.normal_sign * s < 0:
            problems.append(Discrepancy("negative", account.code, f"balance {account.normal_sign * s} fen below zero"))
        if bucket_counts.get(pk, 0) != account.buckets:
            problems.append(Discrepancy("buckets", account.code, "balance buckets missing"))
    entry_sums = _safe_sums(Posting.objects.all(), "entry_id", "amount_fen")
    unbalanced = sorted((entry_id, total) for entry_id, total in entry_sums.items() if total)
    for entry_id, total in unbalanced:
        problems.append(Discrepancy("unbalanced", f"entry #{entry_id}", f"postings sum to {total} fen"))
    short = (
        Posting.objects.values("entry_id").annotate(n=Count("id")).filter(n__lt=2).values_list("entry_id", flat=True)
    )
    for entry_id in short:
        problems.append(Discrepancy("single_posting", f"entry #{entry_id}", "fewer than two postings"))
    empty = JournalEntry.objects.filter(postings__isnull=True).values_list("pk", flat=True)
    for entry_id in empty:
        problems.append(Discrepancy("empty_entry", f"entry #{entry_id}", "no postings"))
    return problems


def verify(*, grace: dt.timedelta = dt.timedelta(minutes=5)) -> list[Discrepancy]:
    """Recompute every public hash chain; report the first break of each, and unsealed entries.

    Entries are sealed right after commit; one younger than ``grace`` may still be on its way.
    """
    with consistent_snapshot():
        return _verify(grace)


def _verify(grace: dt.timedelta) -> list[Discrepancy]:
    problems: list[Discrepancy] = []
    for account in Account.objects.filter(public=True).order_by("pk"):
        head = PublicChainHead.objects.filter(account=account).first()
        postings: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for entry_id, amount in Posting.objects.filter(account=account).values_list("entry_id", "amount_fen"):
            postings[entry_id].append((account.code, amount))
        entries = {e.pk: e for e in JournalEntry.objects.filter(pk__in=list(postings))}
        prev, expected_seq = GENESIS_HASH, 1
        seen: set[int] = set()
        broken = False
        for link in PublicChainLink.objects.filter(account=account).order_by("seq"):
            entry = entries.get(link.entry_id)
            where = f"{account.code} seq {link.seq}"
            if link.seq != expected_seq:
                problems.append(Discrepancy("chain", where, f"sequence gap: expected {expected_seq}"))
                broken = True
                break
            if link.prev_hash != prev:
                problems.append(Discrepancy("chain", where, "prev_hash does not match the previous link"))
                broken = True
                break
            if entry is None:
                problems.append(Discrepancy("chain", where, f"entry #{link.entry_id} has no posting on this account"))
                broken = True
                break
            digest = chain_hash(prev, canonical_entry_json(entry.pk, entry.kind, entry.created_at, postings[entry.pk]))
            if digest != link.hash:
                problems.append(Discrepancy("chain", where, f"hash mismatch for entry #{entry.pk} (content changed)"))
                broken = True
                break
            seen.add(entry.pk)
            prev, expected_seq = link.hash, expected_seq + 1
        else:
            if head is None:
                problems.append(Discrepancy("chain", account.code, "public account has no chain head"))
            elif head.last_hash != prev or head.last_seq != expected_seq - 1:
                problems.append(Discrepancy("chain", account.code, "chain head does not match the last link"))
        if broken:
            continue
        cutoff = timezone.now() - grace
        for entry_id in sorted(set(postings) - seen):
            entry = entries[entry_id]
            if entry.created_at < cutoff:
                problems.append(Discrepancy("unsealed", account.code, f"entry #{entry_id} is not in the chain"))
    return problems
