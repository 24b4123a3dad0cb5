"""Hypothesis: whatever sequence of postings is attempted, the ledger's invariants hold."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kincare.core.errors import DomainError
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.models import Account, JournalEntry
from kincare.core.ledger.selectors import account_balance, account_posted_sum
from kincare.core.ledger.services import account_ensure, ledger_post

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    ("platform:clearing", "asset", True),
    ("campaign:1:escrow", "liability", False),
    ("campaign:2:escrow", "liability", False),
    ("hospital:1:payable", "liability", False),
    ("platform:fees", "income", True),
]

moves = st.lists(
    st.tuples(
        st.integers(0, len(ACCOUNTS) - 1),
        st.integers(0, len(ACCOUNTS) - 1),
        st.integers(1, 50_000),
        st.integers(0, 15),  # idempotency keys collide on purpose
    ),
    min_size=1,
    max_size=25,
)


class _Rollback(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=moves)
def test_balances_equal_summed_postings_and_no_escrow_goes_negative(moves):
    try:
        with transaction.atomic():
            accounts = [
                account_ensure(code=code, kind=kind, allow_negative=neg, buckets=3) for code, kind, neg in ACCOUNTS
            ]
            accepted: dict[str, tuple[int, int, int]] = {}
            for src, dst, amount, key_no in moves:
                if src == dst:
                    continue
                key = f"k{key_no}"
                try:
                    ledger_post(
                        kind="transfer",
                        idempotency_key=key,
                        postings=[(accounts[dst], amount), (accounts[src], -amount)],
                    )
                except DomainError as exc:
                    assert exc.code in {"insufficient_funds", "idempotency_conflict"}
                    if exc.code == "idempotency_conflict":
                        assert key in accepted and accepted[key] != (src, dst, amount)
                    continue
                accepted.setdefault(key, (src, dst, amount))
            assert JournalEntry.objects.count() == len(accepted)
            for account in Account.objects.all():
                assert account_balance(account) == account.normal_sign * account_posted_sum(account)
                if not account.allow_negative:
                    assert account_balance(account) >= 0
            assert reconcile() == []
            raise _Rollback
    except _Rollback:
        pass
