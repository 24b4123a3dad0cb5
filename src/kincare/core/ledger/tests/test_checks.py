import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kincare.core.ledger.checks import reconcile, verify
from kincare.core.ledger.models import AccountBalance, PublicChainLink
from kincare.core.ledger.selectors import public_chain_feed
from kincare.core.ledger.services import account_ensure, ledger_post, ledger_seal_public

pytestmark = pytest.mark.django_db


def bypass_append_only_triggers():
    """Tamper the way someone with raw database access would (PostgreSQL has guard triggers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


@pytest.fixture
def public_escrow():
    return account_ensure(code="campaign:7:escrow", kind="liability", allow_negative=False, public=True, buckets=2)


@pytest.fixture
def clearing():
    return account_ensure(code="platform:clearing:test", kind="asset", allow_negative=True)


def donate(clearing, escrow, amount, key):
    return ledger_post(kind="donation", idempotency_key=key, postings=[(clearing, amount), (escrow, -amount)])


def test_entries_on_a_public_account_are_sealed_into_its_chain_after_commit(
    clearing, public_escrow, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        donate(clearing, public_escrow, 100, "a")
    with django_capture_on_commit_callbacks(execute=True):
        donate(clearing, public_escrow, 200, "b")
    links = list(PublicChainLink.objects.filter(account=public_escrow).order_by("seq"))
    assert [link.seq for link in links] == [1, 2]
    assert links[0].prev_hash == "0" * 64
    assert links[1].prev_hash == links[0].hash
    assert verify(grace=dt.timedelta(0)) == []
    feed = public_chain_feed(public_escrow)
    assert [item["postings"][0]["amount_fen"] for item in feed] == [-100, -200]


def test_verify_reports_the_first_break_when_a_link_is_tampered(clearing, public_escrow):
    for i in range(3):
        donate(clearing, public_escrow, 100 + i, f"d{i}")
    ledger_seal_public(account_id=public_escrow.pk)
    bypass_append_only_triggers()
    PublicChainLink.objects.filter(account=public_escrow, seq=2).update(hash="f" * 64)
    problems = verify(grace=dt.timedelta(0))
    assert len(problems) == 1
    assert "seq 2" in problems[0].subject
    with pytest.raises(CommandError):
        call_command("ledger", "verify", "--grace-seconds", "0")


def test_verify_reports_entries_left_unsealed_beyond_the_grace_period(clearing, public_escrow):
    donate(clearing, public_escrow, 100, "d")
    assert verify(grace=dt.timedelta(minutes=5)) == []
    problems = verify(grace=dt.timedelta(0))
    assert [p.check for p in problems] == ["unsealed"]


def test_reconcile_finds_a_cached_balance_that_drifted(clearing, public_escrow):
    donate(clearing, public_escrow, 100, "d")
    AccountBalance.objects.filter(account=public_escrow, bucket=0).update(raw_balance_fen=12345)
    checks = {p.check for p in reconcile()}
    assert "balance" in checks
    with pytest.raises(CommandError):
        call_command("ledger", "reconcile")


def test_the_commands_pass_on_a_clean_ledger(clearing, public_escrow, capsys):
    donate(clearing, public_escrow, 100, "d")
    ledger_seal_public(account_id=public_escrow.pk)
    call_command("ledger", "reconcile")
    call_command("ledger", "verify", "--grace-seconds", "0")
    assert "OK" in capsys.readouterr().out


def test_anyone_can_recompute_the_chain_from_the_public_feed_alone(clearing, public_escrow):
    import hashlib
    import json

    for i in range(3):
        donate(clearing, public_escrow, 100 + i, f"d{i}")
    ledger_seal_public(account_id=public_escrow.pk)
    feed = json.loads(json.dumps(public_chain_feed(public_escrow)))  # as downloaded
    prev = "0" * 64
    for item in feed:
        body = {k: item[k] for k in ("entry_id", "kind", "created_at", "postings")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        digest = hashlib.sha256(prev.encode() + canonical).hexdigest()
        assert item["prev_hash"] == prev
        assert item["hash"] == digest
        prev = digest


def test_the_seal_task_seals_entries_whose_after_commit_seal_was_lost(clearing, public_escrow):
    from kincare.core.ledger.tasks import ledger_seal_task

    donate(clearing, public_escrow, 100, "d")  # inside the test transaction: on_commit never runs
    assert verify(grace=dt.timedelta(0))
    assert ledger_seal_task() == 1
    assert verify(grace=dt.timedelta(0)) == []


def test_the_posting_function_refuses_an_amount_above_the_maximum(clearing, public_escrow):
    from kincare.core.ledger.errors import UnbalancedEntry
    from kincare.core.money import MAX_AMOUNT_FEN

    with pytest.raises(UnbalancedEntry) as caught:
        donate(clearing, public_escrow, MAX_AMOUNT_FEN + 1, "too-big")
    assert caught.value.code == "amount_out_of_range"
    donate(clearing, public_escrow, MAX_AMOUNT_FEN, "the-maximum")
    assert reconcile() == []


def test_reconcile_sums_amounts_beyond_a_64_bit_integer_without_crashing(clearing, public_escrow):
    from kincare.core.ledger.models import JournalEntry, Posting

    # rows written by an older release (or by hand), bypassing ledger_post's bound
    big = 2**63 - 1
    for key in ("big-1", "big-2"):
        entry = JournalEntry.objects.create(
            kind="donation", idempotency_key=key, content_hash=key, created_at=dt.datetime.now(dt.UTC)
        )
        Posting.objects.bulk_create(
            [
                Posting(entry=entry, account=clearing, amount_fen=big),
                Posting(entry=entry, account=public_escrow, amount_fen=-big),
            ]
        )
    problems = reconcile()
    balance = [p for p in problems if p.check == "balance" and p.subject == clearing.code]
    assert balance and str(2 * big) in balance[0].detail
    assert not [p for p in problems if p.check == "unbalanced"]
    with pytest.raises(CommandError):
        call_command("ledger", "reconcile")
