"""The operator console lists payments read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from kincare.core.payments.tests.helpers import make_user


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "paymentorder",
        "paymentnotification",
        "paymentrefund",
        "sandboxtransaction",
        "sandboxnotification",
    ],
)
def test_every_payments_list_renders(admin_client, order, sandbox_pay, model):
    sandbox_pay(order)
    response = admin_client.get(
        f"/admin/payments/{model}/?status__exact=paid" if model == "paymentorder" else f"/admin/payments/{model}/"
    )
    assert response.status_code == 200


def test_an_order_opens_read_only_and_cannot_be_added_or_deleted(admin_client, order):
    detail = admin_client.get(f"/admin/payments/paymentorder/{order.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert admin_client.get("/admin/payments/paymentorder/add/").status_code == 403
    assert admin_client.post(f"/admin/payments/paymentorder/{order.pk}/delete/").status_code == 403


def test_a_member_of_the_public_cannot_open_the_console(client_for, payer):
    response = client_for(payer).get("/admin/payments/paymentorder/")
    assert response.status_code == 302
