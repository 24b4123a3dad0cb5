"""The payments API: the provider's notify endpoint and the payer's order endpoints."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from kincare.core.ledger.models import JournalEntry
from kincare.core.payments.models import PaymentNotification, PaymentOrder
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.tests.helpers import (
    make_user,
    paid_payload,
    payment_entries,
    provider_paid,
)

NOTIFY = "/api/v1/payments/notify/sandbox"


def order_url(order: PaymentOrder, suffix: str = "") -> str:
    return f"/api/v1/payments/orders/{order.out_trade_no}{suffix}"


@pytest.fixture
def operator(db):
    user = make_user(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="operator_admin")[0])
    return user


def post_raw(client: Client, body: bytes, headers: dict[str, str]):
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return client.post(NOTIFY, data=body, content_type="application/json", **extra)


# --- notify --------------------------------------------------------------------------------


def test_a_signed_notification_is_answered_success_and_posts(order, django_capture_on_commit_callbacks):
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order))
    client = Client(enforce_csrf_checks=True)  # providers have no session and no CSRF token
    with django_capture_on_commit_callbacks(execute=True):
        response = post_raw(client, body, headers)
    assert response.status_code == 200
    assert response.json()["code"] == "SUCCESS"
    assert payment_entries() == 1
    again = post_raw(client, body, headers)
    assert (again.status_code, again.json()["code"]) == (200, "SUCCESS")
    assert payment_entries() == 1


@pytest.mark.parametrize("tamper", ["body", "signature", "stale"])
def test_a_forged_notification_is_a_400_and_posts_nothing(order, tamper):
    provider_paid(order)
    payload = paid_payload(order)
    body, headers = sandbox_signed(payload, timestamp=1 if tamper == "stale" else None)
    if tamper == "body":
        body = body.replace(str(order.amount_fen).encode(), b"99")
    if tamper == "signature":
        headers["X-Sandbox-Signature"] = "0" * 64
    response = post_raw(Client(), body, headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert JournalEntry.objects.count() == 0
    assert PaymentNotification.objects.get().signature_valid is False


@pytest.mark.parametrize("body", [b"", b"{", "签名".encode(), b"\x00" * 1000])
def test_junk_without_a_signature_is_a_400(db, body):
    response = Client().post(NOTIFY, data=body, content_type="application/octet-stream")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"


def test_an_unknown_provider_is_a_404(db):
    response = Client().post("/api/v1/payments/notify/paypal", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"


def test_a_mismatched_amount_is_answered_success_and_parked_not_credited(order):
    # the provider collected it: answering 400 would strand the money once it stops retrying
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order, amount_fen=1))
    response = post_raw(Client(), body, headers)
    assert (response.status_code, response.json()["code"]) == (200, "SUCCESS")
    assert JournalEntry.objects.get(idempotency_key="pay:sandbox:4200TESTTXN").kind == "payment_suspense"
    assert PaymentNotification.objects.get().result == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CREATED


def test_a_non_ascii_signature_header_is_a_400_not_a_500(order):
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order))
    headers["X-Sandbox-Signature"] = "签" * 64
    response = post_raw(Client(), body, headers)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    assert payment_entries() == 0


def test_a_notification_that_fails_to_apply_is_a_500_the_provider_retries(order, monkeypatch):
    from kincare.core.payments.services import notifications

    def boom(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(notifications, "settle_paid", boom)
    provider_paid(order)
    body, headers = sandbox_signed(paid_payload(order))
    response = post_raw(Client(), body, headers)
    assert (response.status_code, response.json()["code"]) == (500, "FAIL")
    assert PaymentNotification.objects.get().result == "error"


def test_without_the_sandbox_its_notify_endpoint_is_a_404(order, settings):
    settings.PAYMENT_SANDBOX_ENABLED = False
    body, headers = sandbox_signed(paid_payload(order))
    response = post_raw(Client(), body, headers)
    assert (response.status_code, response.json()["code"]) == (404, "sandbox_disabled")
    assert payment_entries() == 0


def test_notify_only_accepts_post(db):
    assert Client().get(NOTIFY).status_code == 405


# --- order detail --------------------------------------------------------------------------


def test_the_payer_sees_their_order_with_where_to_pay(order, payer, client_for):
    response = client_for(payer).get(order_url(order))
    assert response.status_code == 200
    data = response.json()
    assert data["out_trade_no"] == order.out_trade_no
    assert (data["amount_fen"], data["status"]) == (order.amount_fen, "created")
    assert data["pay_url"] == order.pay_url


def test_another_user_gets_404_for_someone_elses_order(order, other_user, client_for):
    response = client_for(other_user).get(order_url(order))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_operator_does_not_read_orders_through_the_payer_api(order, operator, client_for):
    assert client_for(operator).get(order_url(order)).status_code == 404


def test_an_anonymous_caller_is_401(order, client_for):
    response = client_for(None).get(order_url(order))
    assert response.status_code == 401


@pytest.mark.parametrize("out_trade_no", ["nope", "KC" + "9" * 60, "%20", "1;DROP"])
def test_unknown_order_numbers_are_404(payer, client_for, out_trade_no):
    assert client_for(payer).get(f"/api/v1/payments/orders/{out_trade_no}").status_code == 404


# --- sync ----------------------------------------------------------------------------------


def test_the_payer_can_sync_a_lost_notification(order, payer, client_for):
    provider_paid(order)
    response = client_for(payer).post(order_url(order, "/sync"))
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert response.json()["pay_url"] is None
    assert payment_entries() == 1


def test_an_operator_can_sync_any_order(order, operator, client_for):
    provider_paid(order)
    response = client_for(operator).post(order_url(order, "/sync"))
    assert (response.status_code, response.json()["status"]) == (200, "paid")


def test_another_user_cannot_sync_and_learns_nothing(order, other_user, client_for):
    provider_paid(order)
    response = client_for(other_user).post(order_url(order, "/sync"))
    assert response.status_code == 404
    assert payment_entries() == 0


def test_staff_without_the_operator_role_cannot_sync(order, client_for, db):
    staff = make_user(is_staff=True)
    provider_paid(order)
    assert client_for(staff).post(order_url(order, "/sync")).status_code == 404
    assert payment_entries() == 0


def test_an_anonymous_caller_cannot_sync(order, client_for):
    provider_paid(order)
    assert client_for(None).post(order_url(order, "/sync")).status_code == 401
    assert payment_entries() == 0


def test_sync_over_a_session_needs_the_csrf_token(order, payer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(payer)
    response = client.post(order_url(order, "/sync"))
    assert response.status_code == 403
    assert "code" in json.loads(response.content)
    assert payment_entries() == 0


def test_a_huge_body_is_refused_without_a_500(db):
    response = Client().post(NOTIFY, data=b"{" * (3 * 1024 * 1024), content_type="application/json")
    assert 400 <= response.status_code < 500
    assert JournalEntry.objects.count() == 0
