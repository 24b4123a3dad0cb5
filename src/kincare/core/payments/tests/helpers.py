"""Plain helpers for the payments tests (fixtures are in conftest.py)."""

from __future__ import annotations

import itertools
from typing import Any

from kincare.accounts.models import User
from kincare.core.ledger.models import Account, JournalEntry
from kincare.core.ledger.selectors import account_balance
from kincare.core.payments.models import PaymentOrder, SandboxTransaction
from kincare.core.payments.services import SUSPENSE_ACCOUNT, clearing_account_code

CREDIT = "test:payments:wallet"
CLEARING = clearing_account_code("sandbox")
_phones = itertools.count(1)


def make_user(**extra: Any) -> User:
    return User.objects.create_user(f"139{next(_phones):08d}", "correct-horse-42", **extra)


def provider_paid(order: PaymentOrder, transaction_id: str = "4200TESTTXN") -> SandboxTransaction:
    """Make the sandbox consider the order paid without sending anything (a lost notification)."""
    SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(
        state=SandboxTransaction.State.SUCCESS, transaction_id=transaction_id
    )
    return SandboxTransaction.objects.get(out_trade_no=order.out_trade_no)


def paid_payload(order: PaymentOrder, transaction_id: str = "4200TESTTXN", **over: Any) -> dict:
    return {
        "id": "n1",
        "event": "paid",
        "out_trade_no": order.out_trade_no,
        "transaction_id": transaction_id,
        "amount_fen": order.amount_fen,
        "trade_state": "SUCCESS",
        **over,
    }


def payment_entries(transaction_id: str = "4200TESTTXN") -> int:
    return JournalEntry.objects.filter(idempotency_key=f"pay:sandbox:{transaction_id}").count()


def balances() -> dict[str, int]:
    out = {}
    for code in (CREDIT, clearing_account_code("sandbox"), SUSPENSE_ACCOUNT):
        out[code] = account_balance(code) if Account.objects.filter(code=code).exists() else 0
    return out
