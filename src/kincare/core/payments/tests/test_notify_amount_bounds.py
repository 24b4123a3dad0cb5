"""Issue 13, defect 1: a signed notification's amount is bounded by ``MAX_AMOUNT_FEN``."""

from __future__ import annotations

import pytest
from django.test import Client

from kincare.core.ledger.models import JournalEntry
from kincare.core.money import MAX_AMOUNT_FEN
from kincare.core.payments.models import PaymentNotification
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.services import SUSPENSE_ACCOUNT
from kincare.core.payments.tests.helpers import paid_payload, provider_paid

NOTIFY = "/api/v1/payments/notify/sandbox"


def post_signed(payload: dict):
    body, headers = sandbox_signed(payload)
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return Client().post(NOTIFY, data=body, content_type="application/json", **extra)


@pytest.mark.parametrize("amount", [2**63 - 1, 2**63, 10**30, MAX_AMOUNT_FEN + 1])
def test_it_refuses_a_signed_notification_above_the_maximum_amount_and_logs_it(order, amount):
    provider_paid(order)
    response = post_signed(paid_payload(order, amount_fen=amount))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "amount_out_of_range"
    logged = PaymentNotification.objects.get()
    assert (logged.signature_valid, logged.result, logged.amount_fen) == (True, "amount_out_of_range", None)
    assert JournalEntry.objects.count() == 0
    assert not JournalEntry.objects.filter(postings__account__code=SUSPENSE_ACCOUNT).exists()


def test_it_still_parks_a_mismatched_amount_at_the_maximum_in_suspense(order):
    provider_paid(order)
    response = post_signed(paid_payload(order, amount_fen=MAX_AMOUNT_FEN))
    assert (response.status_code, response.json()["code"]) == (200, "SUCCESS")
    assert JournalEntry.objects.get(idempotency_key="pay:sandbox:4200TESTTXN").kind == "payment_suspense"
