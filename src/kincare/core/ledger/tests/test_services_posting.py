import pytest
from django.db import transaction

from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.errors import AlreadyReversed, IdempotencyConflict, InsufficientFunds, UnbalancedEntry
from kincare.core.ledger.models import JournalEntry, Posting
from kincare.core.ledger.selectors import account_balance
from kincare.core.ledger.services import account_ensure, ledger_post, ledger_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def clearing():
    return account_ensure(code="platform:clearing:test", kind="asset", allow_negative=True)


@pytest.fixture
def escrow():
    return account_ensure(code="campaign:1:escrow", kind="liability", allow_negative=False, buckets=4)


def donate(clearing, escrow, amount, key):
    return ledger_post(kind="donation", idempotency_key=key, postings=[(clearing, amount), (escrow, -amount)])


def test_it_posts_a_balanced_entry_and_moves_both_balances(clearing, escrow):
    donate(clearing, escrow, 10_000, "d1")
    assert account_balance(escrow) == 10_000
    assert account_balance(clearing) == 10_000
    assert reconcile() == []


def test_it_accepts_account_codes_as_well_as_accounts(clearing, escrow):
    ledger_post(kind="donation", idempotency_key="d1", postings=[(clearing.code, 5), (escrow.code, -5)])
    assert account_balance(escrow.code) == 5


def test_it_refuses_an_unbalanced_entry(clearing, escrow):
    with pytest.raises(UnbalancedEntry) as exc:
        ledger_post(kind="donation", idempotency_key="d1", postings=[(clearing, 100), (escrow, -99)])
    assert exc.value.code == "unbalanced_entry"
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("postings_factory", "code"),
    [
        (lambda c, e: [(c, 100)], "too_few_postings"),
        (lambda c, e: [(c, 0), (e, 0)], "zero_posting"),
        (lambda c, e: [(c, 1.5), (e, -1.5)], "amount_not_integer"),
        (lambda c, e: [(c, True), (e, -1)], "amount_not_integer"),
        (lambda c, e: [("no:such:account", 1), (e, -1)], "unknown_account"),
    ],
)
def test_it_refuses_malformed_postings_with_a_stable_code(clearing, escrow, postings_factory, code):
    with pytest.raises(UnbalancedEntry) as exc:
        ledger_post(kind="donation", idempotency_key="k", postings=postings_factory(clearing, escrow))
    assert exc.value.code == code
    assert Posting.objects.count() == 0


def test_it_refuses_an_empty_or_huge_idempotency_key(clearing, escrow):
    for key in ("", "x" * 201):
        with pytest.raises(UnbalancedEntry) as exc:
            donate(clearing, escrow, 1, key)
        assert exc.value.code == "idempotency_key_invalid"


def test_posting_the_same_key_and_content_again_returns_the_first_entry_and_changes_nothing(clearing, escrow):
    first = donate(clearing, escrow, 700, "notify:tx-1")
    again = donate(clearing, escrow, 700, "notify:tx-1")
    assert again.pk == first.pk
    assert account_balance(escrow) == 700
    assert Posting.objects.count() == 2


def test_the_same_key_with_other_content_is_an_idempotency_conflict(clearing, escrow):
    donate(clearing, escrow, 700, "notify:tx-1")
    with pytest.raises(IdempotencyConflict) as exc:
        donate(clearing, escrow, 701, "notify:tx-1")
    assert exc.value.code == "idempotency_conflict"
    assert account_balance(escrow) == 700


def test_a_non_negative_account_never_goes_below_zero(clearing, escrow):
    donate(clearing, escrow, 1_000, "d1")
    with pytest.raises(InsufficientFunds) as exc:
        ledger_post(kind="disbursement", idempotency_key="out1", postings=[(escrow, 1_001), (clearing, -1_001)])
    assert exc.value.code == "insufficient_funds"
    assert account_balance(escrow) == 1_000
    ledger_post(kind="disbursement", idempotency_key="out2", postings=[(escrow, 1_000), (clearing, -1_000)])
    assert account_balance(escrow) == 0


def test_an_account_allowed_negative_may_go_below_zero(clearing):
    income = account_ensure(code="platform:fees", kind="income", allow_negative=True)
    ledger_post(kind="fee", idempotency_key="f", postings=[(income, 10), (clearing, -10)])
    assert account_balance(income) == -10


def test_a_failed_post_inside_an_outer_transaction_leaves_nothing_behind(clearing, escrow):
    with transaction.atomic(), pytest.raises(InsufficientFunds):
        ledger_post(kind="disbursement", idempotency_key="out", postings=[(escrow, 1), (clearing, -1)])
    assert not JournalEntry.objects.filter(idempotency_key="out").exists()
    assert reconcile() == []


def test_a_reversal_restores_balances_and_references_the_original(clearing, escrow):
    entry = donate(clearing, escrow, 900, "d1")
    reversal = ledger_reverse(entry=entry, idempotency_key="refund:d1")
    assert reversal.reverses_id == entry.pk
    assert account_balance(escrow) == 0
    assert reconcile() == []


def test_an_entry_is_reversed_at_most_once(clearing, escrow):
    entry = donate(clearing, escrow, 900, "d1")
    donate(clearing, escrow, 900, "d2")
    first = ledger_reverse(entry=entry, idempotency_key="refund:d1")
    assert ledger_reverse(entry=entry, idempotency_key="refund:d1").pk == first.pk
    with pytest.raises(AlreadyReversed):
        ledger_reverse(entry=entry, idempotency_key="refund:d1:again")
    with pytest.raises(AlreadyReversed):
        ledger_reverse(entry=first, idempotency_key="undo-the-undo")
    assert account_balance(escrow) == 900


def test_a_reversal_that_would_overdraw_escrow_is_refused(clearing, escrow):
    entry = donate(clearing, escrow, 900, "d1")
    ledger_post(kind="disbursement", idempotency_key="out", postings=[(escrow, 900), (clearing, -900)])
    with pytest.raises(InsufficientFunds):
        ledger_reverse(entry=entry, idempotency_key="refund:d1")


def test_account_ensure_refuses_to_change_an_existing_accounts_kind(escrow):
    with pytest.raises(ValueError, match="exists"):
        account_ensure(code=escrow.code, kind="asset", allow_negative=False)
    assert account_ensure(code=escrow.code, kind="liability", allow_negative=False).pk == escrow.pk


def test_a_missing_balance_bucket_is_an_error_not_a_silent_drift(clearing, escrow, settings):
    from kincare.core.ledger.models import AccountBalance

    AccountBalance.objects.filter(account=escrow).delete()
    with pytest.raises(RuntimeError, match="no balance bucket"):
        donate(clearing, escrow, 100, "d")
