"""On PostgreSQL: many threads hitting one non-negative account at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kincare.core.errors import DomainError
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.models import JournalEntry
from kincare.core.ledger.selectors import account_balance
from kincare.core.ledger.services import account_ensure, ledger_post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 12


def _run_in_threads(fn, jobs):
    barrier = threading.Barrier(THREADS)

    def worker(job):
        try:
            barrier.wait(timeout=10)
            return fn(job)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(worker, jobs))


def test_concurrent_debits_never_overdraw_a_non_negative_account():
    clearing = account_ensure(code="platform:clearing:pg", kind="asset", allow_negative=True)
    escrow = account_ensure(code="campaign:pg:escrow", kind="liability", allow_negative=False, buckets=8)
    ledger_post(kind="donation", idempotency_key="seed", postings=[(clearing, 10_000), (escrow, -10_000)])

    def withdraw(i):
        try:
            ledger_post(kind="disbursement", idempotency_key=f"w{i}", postings=[(escrow, 1_000), (clearing, -1_000)])
            return "ok"
        except DomainError as exc:
            return exc.code

    results = _run_in_threads(withdraw, list(range(THREADS)))
    assert results.count("ok") == 10
    assert results.count("insufficient_funds") == THREADS - 10
    assert account_balance(escrow) == 0
    assert reconcile() == []


def test_concurrent_credits_and_duplicate_keys_post_each_key_once():
    clearing = account_ensure(code="platform:clearing:pg2", kind="asset", allow_negative=True, buckets=8)
    escrow = account_ensure(code="campaign:pg2:escrow", kind="liability", allow_negative=False, buckets=8, public=True)

    def donate(i):
        key = f"tx-{i % 6}"  # every key is delivered twice, by different threads at once
        ledger_post(kind="donation", idempotency_key=key, postings=[(clearing, 100 + i % 6), (escrow, -(100 + i % 6))])
        return key

    _run_in_threads(donate, list(range(THREADS)))
    assert JournalEntry.objects.count() == 6
    assert account_balance(escrow) == sum(100 + k for k in range(6))
    assert reconcile() == []


def test_mixed_concurrent_debits_and_credits_keep_the_books_clean():
    clearing = account_ensure(code="platform:clearing:pg3", kind="asset", allow_negative=True, buckets=8)
    escrow = account_ensure(code="campaign:pg3:escrow", kind="liability", allow_negative=False, buckets=8)

    def step(i):
        try:
            if i % 2:
                ledger_post(kind="donation", idempotency_key=f"c{i}", postings=[(clearing, 500), (escrow, -500)])
            else:
                ledger_post(kind="disbursement", idempotency_key=f"d{i}", postings=[(escrow, 700), (clearing, -700)])
        except DomainError as exc:
            assert exc.code == "insufficient_funds"

    _run_in_threads(step, list(range(THREADS)))
    assert account_balance(escrow) >= 0
    assert reconcile() == []


def test_the_database_refuses_to_update_or_delete_ledger_rows():
    from django.db import DatabaseError, transaction

    from kincare.core.ledger.models import Posting

    clearing = account_ensure(code="platform:clearing:pg4", kind="asset", allow_negative=True)
    escrow = account_ensure(code="campaign:pg4:escrow", kind="liability", allow_negative=False)
    ledger_post(kind="donation", idempotency_key="x", postings=[(clearing, 5), (escrow, -5)])
    with pytest.raises(DatabaseError), transaction.atomic():
        Posting.objects.update(amount_fen=6)
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.all().delete()
    assert account_balance(escrow) == 5


def test_a_credit_then_debit_transaction_does_not_deadlock_with_a_concurrent_debit():
    """One transaction credits an escrow and later debits it while another debit runs.

    The second debit holds the account lock and needs a bucket; it takes a free one
    (SKIP LOCKED) instead of waiting for the bucket the first transaction holds.
    """
    from django.db import transaction

    clearing = account_ensure(code="platform:clearing:pg5", kind="asset", allow_negative=True, buckets=8)
    escrow = account_ensure(code="campaign:pg5:escrow", kind="liability", allow_negative=False, buckets=8)
    ledger_post(kind="donation", idempotency_key="seed", postings=[(clearing, 10_000), (escrow, -10_000)])
    credited = threading.Event()
    debited = threading.Event()
    errors: list[BaseException] = []

    def credit_then_debit():
        try:
            with transaction.atomic():
                ledger_post(kind="donation", idempotency_key="t1-in", postings=[(clearing, 500), (escrow, -500)])
                credited.set()
                debited.wait(timeout=2)  # the other debit is now waiting or done
                ledger_post(kind="refund", idempotency_key="t1-out", postings=[(escrow, 500), (clearing, -500)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def debit():
        try:
            credited.wait(timeout=5)
            ledger_post(kind="disbursement", idempotency_key="t2", postings=[(escrow, 1_000), (clearing, -1_000)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            debited.set()
            connection.close()

    threads = [threading.Thread(target=credit_then_debit), threading.Thread(target=debit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert account_balance(escrow) == 9_000
    assert reconcile() == []
