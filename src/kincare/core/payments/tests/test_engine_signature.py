"""The sandbox's signature check, alone (no database)."""

from __future__ import annotations

import json
import time

import pytest

from kincare.core.payments.providers import InvalidNotification, InvalidSignature, NotificationEvent
from kincare.core.payments.sandbox import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SandboxProvider,
    sandbox_signed,
)

SECRET = "unit-test-secret"
PAYLOAD = {
    "event": "paid",
    "out_trade_no": "KC1",
    "transaction_id": "4200X",
    "amount_fen": 100,
    "id": "n",
}


@pytest.fixture
def provider() -> SandboxProvider:
    return SandboxProvider("sandbox", secret=SECRET)


def test_it_accepts_a_genuine_notification(provider):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET)
    note = provider.verify_notification(body, headers)
    assert note.event == NotificationEvent.PAID
    assert (note.out_trade_no, note.transaction_id, note.amount_fen) == ("KC1", "4200X", 100)


def test_it_reads_headers_in_any_case_and_in_wsgi_form(provider):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET)
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    assert provider.verify_notification(body, meta).amount_fen == 100
    lower = {k.lower(): v for k, v in headers.items()}
    assert provider.verify_notification(body, lower).amount_fen == 100


def test_it_refuses_a_tampered_body(provider):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET)
    with pytest.raises(InvalidSignature):
        provider.verify_notification(body.replace(b"KC1", b"KC2"), headers)


def test_it_refuses_a_tampered_amount(provider):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET)
    with pytest.raises(InvalidSignature):
        provider.verify_notification(body.replace(b"100", b"1"), headers)


def test_it_refuses_a_signature_made_with_another_key(provider):
    body, headers = sandbox_signed(PAYLOAD, secret="someone-else")
    with pytest.raises(InvalidSignature):
        provider.verify_notification(body, headers)


@pytest.mark.parametrize("age", [301, -301, 10**6])
def test_it_refuses_a_stale_or_future_timestamp_even_if_signed(provider, age):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET, timestamp=int(time.time()) - age)
    with pytest.raises(InvalidSignature):
        provider.verify_notification(body, headers)


def test_it_accepts_a_timestamp_within_five_minutes(provider):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET, timestamp=int(time.time()) - 290)
    assert provider.verify_notification(body, headers).out_trade_no == "KC1"


def test_a_re_stamped_old_signature_does_not_verify(provider):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET, timestamp=int(time.time()) - 1000)
    headers[TIMESTAMP_HEADER] = str(int(time.time()))
    with pytest.raises(InvalidSignature):
        provider.verify_notification(body, headers)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE_HEADER: "abc"},
        {TIMESTAMP_HEADER: "1"},
        {TIMESTAMP_HEADER: "１２３", SIGNATURE_HEADER: "abc"},
        {TIMESTAMP_HEADER: "-5", SIGNATURE_HEADER: "abc"},
        {TIMESTAMP_HEADER: "9" * 40, SIGNATURE_HEADER: "abc"},
    ],
)
def test_it_refuses_missing_or_malformed_signature_headers(provider, headers):
    with pytest.raises(InvalidSignature):
        provider.verify_notification(json.dumps(PAYLOAD).encode(), headers)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        {**PAYLOAD, "event": "teleported"},
        {**PAYLOAD, "amount_fen": "100"},
        {**PAYLOAD, "amount_fen": 0},
        {**PAYLOAD, "amount_fen": -100},
        {**PAYLOAD, "amount_fen": True},
        {**PAYLOAD, "amount_fen": 1.5},
        {**PAYLOAD, "out_trade_no": ""},
        {**PAYLOAD, "out_trade_no": 42},
        {**PAYLOAD, "transaction_id": ""},
        {**PAYLOAD, "transaction_id": "x" * 500},
        {**PAYLOAD, "out_trade_no": "KC\x001"},
        {**PAYLOAD, "refund_no": "R 1; drop"},
        {**PAYLOAD, "id": ["n"]},
    ],
)
def test_a_signed_but_malformed_notification_is_refused(provider, payload):
    body, headers = sandbox_signed(payload, secret=SECRET)
    with pytest.raises(InvalidNotification):
        provider.verify_notification(body, headers)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda sig: "签" * 64,  # non-ASCII: compare_digest would raise TypeError on str
        lambda sig: "é" + sig[1:],
        lambda sig: sig.upper(),
        lambda sig: f" {sig} ",
        lambda sig: sig + "\n",
        lambda sig: sig[:63],
        lambda sig: "０" * 64,  # full-width digits
        lambda sig: sig + "00",
    ],
)
def test_it_refuses_anything_but_64_lowercase_hex_digits_as_a_signature(provider, mangle):
    body, headers = sandbox_signed(PAYLOAD, secret=SECRET)
    headers[SIGNATURE_HEADER] = mangle(headers[SIGNATURE_HEADER])
    with pytest.raises(InvalidSignature):
        provider.verify_notification(body, headers)
