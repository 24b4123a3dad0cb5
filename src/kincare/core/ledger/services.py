"""Writes to the ledger: ``ledger_post``, ``ledger_reverse``, ``account_ensure``, chain sealing.

``ledger_post`` is the only way money moves. In one database transaction it
1. claims the idempotency key with ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (the key
   is UNIQUE in the database, so a duplicate — also a concurrent one — never posts twice;
   the same key with other content is ``idempotency_conflict``);
2. for every non-negative account whose balance would fall, takes that account's row lock
   (``FOR NO KEY UPDATE``, in id order) and checks the summed buckets;
3. adds the amounts to one balance bucket per account (credits into hot accounts spread
   over buckets, so they do not wait on each other) and inserts the postings.
Entries touching public accounts are sealed into the hash chain right after commit.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import subject_label
from kincare.core.ledger.chain import canonical_entry_json, chain_hash
from kincare.core.ledger.errors import AlreadyReversed, IdempotencyConflict, InsufficientFunds, UnbalancedEntry
from kincare.core.ledger.models import (
    Account,
    AccountBalance,
    JournalEntry,
    Posting,
    PublicChainHead,
    PublicChainLink,
)
from kincare.core.money import MAX_AMOUNT_FEN, format_yuan

MAX_POSTINGS = 1000

PostingSpec = tuple[Account | str, int]


def account_ensure(
    *,
    code: str,
    kind: str,
    allow_negative: bool,
    name: str = "",
    public: bool = False,
    buckets: int = 1,
    owner: models.Model | None = None,
    family_id: int | None = None,
) -> Account:
    """Get or create an account by code (its kind and flags never change once created)."""
    if kind not in Account.Kind.values:
        raise ValueError(f"unknown account kind {kind!r}")
    account = Account.objects.filter(code=code).first()
    if account is not None:
        if account.kind != kind or account.allow_negative != allow_negative or account.public != public:
            raise ValueError(f"account {code} exists with another kind or flags")
        return account
    try:
        with transaction.atomic():
            account = Account.objects.create(
                code=code,
                name=name,
                kind=kind,
                allow_negative=allow_negative,
                public=public,
                buckets=buckets,
                owner_type=subject_label(owner) if owner is not None else "",
                owner_id=str(owner.pk) if owner is not None else "",
                family_id=family_id,
            )
            AccountBalance.objects.bulk_create(
                [AccountBalance(account=account, bucket=b, raw_balance_fen=0) for b in range(buckets)]
            )
            if public:
                PublicChainHead.objects.create(account=account)
    except IntegrityError:
        account = Account.objects.get(code=code)
    return account


def _resolve_accounts(specs: Sequence[PostingSpec]) -> list[tuple[Account, int]]:
    codes = {a for a, _amount in specs if isinstance(a, str)}
    by_code = {acc.code: acc for acc in Account.objects.filter(code__in=codes)} if codes else {}
    resolved: list[tuple[Account, int]] = []
    for account, amount in specs:
        if isinstance(account, str):
            if account not in by_code:
                raise UnbalancedEntry(_("账户不存在：%(code)s") % {"code": account}, code="unknown_account")
            account = by_code[account]
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise UnbalancedEntry(_("金额必须是整数（分）"), code="amount_not_integer")
        if abs(amount) > MAX_AMOUNT_FEN:
            raise UnbalancedEntry(
                _("分录金额超出允许范围（最多 %(max)s 分）") % {"max": MAX_AMOUNT_FEN}, code="amount_out_of_range"
            )
        resolved.append((account, amount))
    return resolved


def _content_hash(kind: str, postings: Iterable[tuple[Account, int]], subject: tuple[str, str]) -> str:
    body = {
        "kind": kind,
        "postings": sorted([a.code, amt] for a, amt in postings),
        "subject": list(subject),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _entry_params(entry: JournalEntry) -> list[Any]:
    """The entry's columns in the order both posting paths insert them."""
    return [
        entry.kind,
        entry.idempotency_key,
        entry.content_hash,
        entry.memo,
        entry.subject_type,
        entry.subject_id,
        entry.family_id,
        entry.actor_id,
        entry.reverses_id,
        entry.created_at,
    ]


def _claim_key(entry: JournalEntry) -> int | None:
    """Insert the entry unless its key exists; return the new id, or None if the key was taken."""
    columns = (
        "kind, idempotency_key, content_hash, memo, subject_type, subject_id, family_id, "
        "actor_id, reverses_id, created_at"
    )
    sql = (
        f"INSERT INTO {JournalEntry._meta.db_table} ({columns}) "  # noqa: S608 - table from _meta
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
    )
    params = _entry_params(entry)
    params[-1] = connection.ops.adapt_datetimefield_value(entry.created_at)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _existing_for_key(idempotency_key: str, content_hash: str) -> JournalEntry:
    existing = JournalEntry.objects.get(idempotency_key=idempotency_key)
    if existing.content_hash != content_hash:
        raise IdempotencyConflict(_("同一幂等键已用于不同的记账内容"), field="idempotency_key")
    return existing


def _post_portable(entry: JournalEntry, resolved: list[tuple[Account, int]]) -> int | None:
    """The posting steps through the ORM (SQLite, and any database without the function)."""
    with transaction.atomic():
        entry_id = _claim_key(entry)
        if entry_id is None:
            return None
        net: dict[int, int] = defaultdict(int)
        accounts: dict[int, Account] = {}
        for account, amount in resolved:
            net[account.pk] += amount
            accounts[account.pk] = account
        falling = sorted(
            pk for pk, delta in net.items() if not accounts[pk].allow_negative and accounts[pk].normal_sign * delta < 0
        )
        if falling:
            # Lock order: account id ascending, everywhere, so two debits never deadlock.
            list(Account.objects.select_for_update(no_key=True).filter(pk__in=falling).order_by("pk").values_list("pk"))
            raw = dict(
                AccountBalance.objects.filter(account_id__in=falling)
                .values("account_id")
                .annotate(total=Sum("raw_balance_fen"))
                .values_list("account_id", "total")
            )
            for pk in falling:
                after = accounts[pk].normal_sign * (raw.get(pk, 0) + net[pk])
                if after < 0:
                    raise _insufficient(accounts[pk], -after)
        for pk in sorted(net):
            if net[pk] == 0:
                continue
            account = accounts[pk]
            bucket = random.randrange(account.buckets) if account.buckets > 1 else 0
            updated = AccountBalance.objects.filter(account_id=pk, bucket=bucket).update(
                raw_balance_fen=models.F("raw_balance_fen") + net[pk]
            )
            if updated != 1:
                raise RuntimeError(f"ledger account {account.code} has no balance bucket {bucket}")
        Posting.objects.bulk_create(
            [Posting(entry_id=entry_id, account=account, amount_fen=amount) for account, amount in resolved]
        )
        return entry_id


def _post_postgres(entry: JournalEntry, resolved: list[tuple[Account, int]]) -> int | None:
    """One round trip to ``ledger_post_v1`` (migration 0003); atomic as a statement.

    Outside a transaction the function call is its own transaction; inside one, a savepoint
    keeps a refused post from aborting the caller's transaction.
    """
    params = [
        *_entry_params(entry),
        [account.pk for account, _amount in resolved],
        [amount for _account, amount in resolved],
    ]
    sql = (
        "SELECT entry_id, created FROM ledger_post_v1(%s::text, %s::text, %s::text, %s::text, %s::text, "
        "%s::text, %s::bigint, %s::bigint, %s::bigint, %s::timestamptz, %s::bigint[], %s::bigint[])"
    )
    accounts = {account.pk: account for account, _amount in resolved}
    try:
        if connection.in_atomic_block:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
    except DatabaseError as exc:
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) == "KC001":
            _tag, account_id, short = str(getattr(cause.diag, "message_primary", "")).split(":")  # type: ignore[union-attr]
            raise _insufficient(accounts[int(account_id)], int(short)) from None
        if getattr(cause, "sqlstate", None) == "KC002":
            raise RuntimeError(str(getattr(cause.diag, "message_primary", "no balance bucket"))) from None  # type: ignore[union-attr]
        raise
    entry_id, created = row
    return int(entry_id) if created else None


def _insufficient(account: Account, short_fen: int) -> InsufficientFunds:
    return InsufficientFunds(
        _("账户 %(code)s 余额不足（差 %(short)s）") % {"code": account.code, "short": format_yuan(short_fen)},
        field="amount_fen",
    )


def ledger_post(
    *,
    kind: str,
    idempotency_key: str,
    postings: Sequence[PostingSpec],
    memo: str = "",
    subject: models.Model | None = None,
    family_id: int | None = None,
    actor: Any = None,
    _reverses: JournalEntry | None = None,
    _subject_ref: tuple[str, str] | None = None,
) -> JournalEntry:
    """Post one balanced entry, idempotently; see the module docstring for the guarantees."""
    if not idempotency_key or len(idempotency_key) > 200:
        raise UnbalancedEntry(
            _("幂等键不能为空且不超过 200 个字符"), code="idempotency_key_invalid", field="idempotency_key"
        )
    if not kind or len(kind) > 40:
        raise UnbalancedEntry(_("凭证类型无效"), code="kind_invalid", field="kind")
    if len(postings) < 2 or len(postings) > MAX_POSTINGS:
        raise UnbalancedEntry(_("一张凭证至少需要两条分录"), code="too_few_postings")
    resolved = _resolve_accounts(postings)
    if any(amount == 0 for _a, amount in resolved):
        raise UnbalancedEntry(_("分录金额不能为 0"), code="zero_posting")
    if sum(amount for _a, amount in resolved) != 0:
        raise UnbalancedEntry(_("借贷不平衡：分录金额之和必须为 0"))
    if _subject_ref is not None:
        subject_ref = _subject_ref
    else:
        subject_ref = (subject_label(subject), str(subject.pk)) if subject is not None else ("", "")
    if family_id is None and subject is not None:
        family_id = getattr(subject, "family_id", None)
    content_hash = _content_hash(kind, resolved, subject_ref)
    user = actor if getattr(actor, "is_authenticated", False) else None

    entry = JournalEntry(
        kind=kind,
        idempotency_key=idempotency_key,
        content_hash=content_hash,
        memo=memo[:500],
        subject_type=subject_ref[0],
        subject_id=subject_ref[1],
        family_id=family_id,
        actor=user,
        reverses=_reverses,
        created_at=timezone.now(),
    )
    post = _post_postgres if connection.vendor == "postgresql" else _post_portable
    entry_id = post(entry, resolved)
    if entry_id is None:
        return _existing_for_key(idempotency_key, content_hash)
    public_ids = sorted({a.pk for a, _amt in resolved if a.public})
    if public_ids:
        # robust: a failed seal is logged and retried by the beat task, never raised after
        # the money has moved.
        transaction.on_commit(lambda: ledger_seal_accounts(public_ids), robust=True)

    entry.pk = entry_id
    entry._state.adding = False
    return entry


def ledger_reverse(*, entry: JournalEntry, idempotency_key: str, memo: str = "", actor: Any = None) -> JournalEntry:
    """Post the exact opposite of ``entry``; an entry is reversed at most once."""
    if entry.reverses_id is not None:
        raise AlreadyReversed(_("冲正凭证不能再被冲正"))
    existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None and JournalEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed(_("该凭证已被冲正"))
    postings = [(p.account, -p.amount_fen) for p in entry.postings.select_related("account").order_by("pk")]
    try:
        with transaction.atomic():
            reversal = ledger_post(
                kind=f"{entry.kind}_reversal" if not entry.kind.endswith("_reversal") else entry.kind,
                idempotency_key=idempotency_key,
                postings=postings,
                memo=memo or f"reversal of #{entry.pk}",
                family_id=entry.family_id,
                actor=actor,
                _reverses=entry,
                _subject_ref=(entry.subject_type, entry.subject_id),
            )
    except IntegrityError:
        raise AlreadyReversed(_("该凭证已被冲正")) from None
    if reversal.reverses_id != entry.pk:
        raise IdempotencyConflict(_("同一幂等键已用于不同的记账内容"), field="idempotency_key")
    return reversal


#: how far back (in entry ids, platform-wide) a seal after commit looks for unsealed entries
SEAL_LOOKBACK = 10_000


def ledger_seal_accounts(account_ids: Iterable[int], *, full: bool = False) -> int:
    return sum(ledger_seal_public(account_id=pk, full=full) for pk in account_ids)


def ledger_seal_all(*, full: bool = True) -> int:
    """Seal every public account: the safety net for seals lost or skipped after commit. The
    minutely task looks at the recent end of each chain; the nightly one (and ``kincare ledger
    seal``) at the whole chain."""
    return ledger_seal_accounts(Account.objects.filter(public=True).values_list("pk", flat=True), full=full)


def ledger_seal_public(*, account_id: int, full: bool = False) -> int:
    """Append every committed, unsealed entry of a public account to its hash chain.

    Runs after commit (not inside the posting transaction), so donations into a public escrow
    do not queue on the chain head; one sealer seals whatever has accumulated. Returns the
    number of links written.
    """
    with transaction.atomic():
        heads = PublicChainHead.objects.filter(account_id=account_id)
        if connection.vendor == "postgresql":
            # another sealer holds the head: it (or the next one, or the beat task) seals this
            # entry too, so a hot campaign's donations never queue behind each other's seals
            heads = heads.select_for_update(skip_locked=True)
        else:
            heads = heads.select_for_update()
        head = heads.first()
        if head is None:
            return 0
        postings = Posting.objects.filter(account_id=account_id)
        sealed = PublicChainLink.objects.filter(account_id=account_id)
        if not full:
            # only the recent end of the chain: an entry commits at most a few seconds after its
            # id is drawn, so one older than SEAL_LOOKBACK ids is either sealed or caught by the
            # full pass of the beat task (``ledger_seal_all``) — the cost of a seal no longer
            # grows with the campaign's history
            last = sealed.order_by("-seq").values_list("entry_id", flat=True).first()
            if last is not None:
                floor = last - SEAL_LOOKBACK
                postings, sealed = postings.filter(entry_id__gt=floor), sealed.filter(entry_id__gt=floor)
        pending = (
            postings.exclude(entry_id__in=sealed.values("entry_id"))
            .select_related("entry", "account")
            .order_by("entry_id", "pk")
        )
        grouped: dict[int, list[Posting]] = defaultdict(list)
        for posting in pending:
            grouped[posting.entry_id].append(posting)
        links = []
        seq, prev = head.last_seq, head.last_hash
        for entry_id in sorted(grouped):
            items = grouped[entry_id]
            entry = items[0].entry
            payload = canonical_entry_json(
                entry.pk, entry.kind, entry.created_at, [(p.account.code, p.amount_fen) for p in items]
            )
            seq += 1
            digest = chain_hash(prev, payload)
            links.append(
                PublicChainLink(account_id=account_id, seq=seq, entry_id=entry.pk, prev_hash=prev, hash=digest)
            )
            prev = digest
        if links:
            PublicChainLink.objects.bulk_create(links)
            PublicChainHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=prev)
        return len(links)
