"""Reads of the ledger: balances, statements and the public (masked) feed of an account."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from kincare.core.ledger.chain import canonical_time
from kincare.core.ledger.models import Account, AccountBalance, JournalEntry, Posting, PublicChainLink


def account_raw_balance(account: Account) -> int:
    total = AccountBalance.objects.filter(account=account).aggregate(total=Sum("raw_balance_fen"))["total"]
    return int(total or 0)


def account_balance(account: Account | str) -> int:
    """Balance in the account's normal direction (what an escrow holds, what an asset is worth)."""
    if isinstance(account, str):
        account = Account.objects.get(code=account)
    return account.normal_sign * account_raw_balance(account)


def account_posted_sum(account: Account) -> int:
    total = Posting.objects.filter(account=account).aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


def account_postings(account: Account) -> QuerySet[Posting]:
    return Posting.objects.filter(account=account).select_related("entry").order_by("entry_id", "pk")


def entries_for_subject(subject_type: str, subject_id: str | int) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("pk")


def public_chain_feed(account: Account) -> list[dict[str, Any]]:
    """The downloadable public ledger of a public account: each link with its postings there.

    Amounts and kinds only: identities of donors are resolved (and masked) by the domain that
    owns the subject, never here. Every field that is hashed appears exactly as hashed, so
    anyone can recompute the chain: ``sha256(prev_hash || canonical_json({entry_id, kind,
    created_at, postings}))`` with sorted keys and no spaces.
    """
    links = PublicChainLink.objects.filter(account=account).select_related("entry").order_by("seq")
    postings: dict[int, list[dict[str, Any]]] = {}
    for p in Posting.objects.filter(account=account).select_related("account").order_by("pk"):
        postings.setdefault(p.entry_id, []).append({"account": p.account.code, "amount_fen": p.amount_fen})
    return [
        {
            "seq": link.seq,
            "entry_id": link.entry_id,
            "kind": link.entry.kind,
            "created_at": canonical_time(link.entry.created_at),
            "subject_type": link.entry.subject_type,
            "subject_id": link.entry.subject_id,
            "postings": sorted(postings.get(link.entry_id, []), key=lambda p: (p["account"], p["amount_fen"])),
            "prev_hash": link.prev_hash,
            "hash": link.hash,
        }
        for link in links
    ]
