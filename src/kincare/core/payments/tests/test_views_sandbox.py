"""The sandbox checkout page, where a person pays (or fails) an order."""

from __future__ import annotations

import pytest
from django.test import Client

from kincare.core.ledger.models import JournalEntry
from kincare.core.payments.models import PaymentOrder, SandboxTransaction
from kincare.core.payments.tests.helpers import payment_entries


@pytest.fixture
def the_payer(payer):
    # issue 13, defect 8: the page is the order's payer's alone (it confirms without money)
    client = Client()
    client.force_login(payer)
    return client


def test_the_checkout_page_shows_the_amount_and_the_choices(order, the_payer):
    response = the_payer.get(order.pay_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "¥123.45" in html
    assert order.out_trade_no in html
    assert 'value="pay"' in html
    assert 'value="fail"' in html
    assert 'value="duplicate"' in html


def test_paying_on_the_page_settles_the_order(order, the_payer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = the_payer.post(order.pay_url, {"action": "pay", "scenario": "normal"})
    assert response.status_code == 200
    assert 'data-state="SUCCESS"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert payment_entries(order.provider_transaction_id) == 1


def test_the_page_can_choose_a_fault_scenario(order, the_payer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        the_payer.post(order.pay_url, {"action": "pay", "scenario": "duplicate"})
    order.refresh_from_db()
    assert order.notifications.count() == 2
    assert payment_entries(order.provider_transaction_id) == 1


def test_failing_on_the_page_fails_the_order(order, the_payer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = the_payer.post(order.pay_url, {"action": "fail"})
    assert 'data-state="PAYERROR"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.FAILED
    assert JournalEntry.objects.count() == 0


def test_paying_twice_shows_an_error_not_a_500(order, the_payer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        the_payer.post(order.pay_url, {"action": "pay"})
        again = the_payer.post(order.pay_url, {"action": "pay"})
    assert again.status_code == 409
    assert 'role="alert"' in again.content.decode()
    order.refresh_from_db()
    assert payment_entries(order.provider_transaction_id) == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"action": "steal"}, {"action": "pay", "scenario": "explode"}, {"action": "１"}],
)
def test_nonsense_input_is_refused_readably(order, the_payer, data):
    response = the_payer.post(order.pay_url, data)
    assert response.status_code in (409, 422, 400)
    assert 'role="alert"' in response.content.decode()
    txn = SandboxTransaction.objects.get(out_trade_no=order.out_trade_no)
    assert txn.state == "NOTPAY"


def test_htmx_gets_only_the_panel(order, the_payer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = the_payer.post(order.pay_url, {"action": "pay"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-state="SUCCESS"' in html


@pytest.mark.parametrize("provider_order_id", ["sbx_nope", "x" * 300, "..%2F"])
def test_an_unknown_checkout_is_404(db, the_payer, provider_order_id):
    assert the_payer.get(f"/pay/sandbox/{provider_order_id}/").status_code == 404


def test_the_checkout_needs_csrf_like_any_form(order):
    client = Client(enforce_csrf_checks=True)
    assert client.post(order.pay_url, {"action": "pay"}).status_code == 403
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CREATED


def test_without_a_sandbox_provider_the_page_does_not_exist(order, the_payer, settings):
    settings.PAYMENT_PROVIDERS = {}
    assert the_payer.get(order.pay_url).status_code == 404


def test_with_the_sandbox_disabled_the_page_does_not_exist(order, the_payer, settings):
    settings.PAYMENT_SANDBOX_ENABLED = False
    assert the_payer.get(order.pay_url).status_code == 404
    assert the_payer.post(order.pay_url, {"action": "pay"}).status_code == 404
    assert SandboxTransaction.objects.get(out_trade_no=order.out_trade_no).state == "NOTPAY"


def test_an_order_closed_at_expiry_cannot_be_paid_on_the_page(order, the_payer):
    from kincare.core.payments.services import payment_orders_expire

    assert payment_orders_expire(now=order.expires_at) == 1
    assert SandboxTransaction.objects.get(out_trade_no=order.out_trade_no).state == "CLOSED"
    response = the_payer.post(order.pay_url, {"action": "pay"})
    assert response.status_code == 409
    assert JournalEntry.objects.count() == 0


def test_it_sends_an_anonymous_visitor_to_the_login_page(order):
    response = Client().get(order.pay_url)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert Client().post(order.pay_url, {"action": "pay"}).status_code == 302
    assert SandboxTransaction.objects.get(out_trade_no=order.out_trade_no).state == "NOTPAY"


def test_it_refuses_someone_else_who_knows_the_link_with_a_404(order, other_user):
    stranger = Client()
    stranger.force_login(other_user)
    assert stranger.get(order.pay_url).status_code == 404
    assert stranger.post(order.pay_url, {"action": "pay"}).status_code == 404
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.CREATED


def test_an_order_without_a_payer_has_no_checkout_page(make_order, other_user):
    order = make_order(payer=None)
    client = Client()
    client.force_login(other_user)
    assert client.get(order.pay_url).status_code == 404
