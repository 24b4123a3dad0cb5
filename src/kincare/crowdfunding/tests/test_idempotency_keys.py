"""Issue 13, defect 5: no personal data in idempotency keys."""

from __future__ import annotations

import importlib

import pytest

from kincare.core.idempotency import client_key
from kincare.core.payments.models import PaymentOrder
from kincare.crowdfunding import services
from kincare.crowdfunding.models import Donation
from kincare.families.tests import factories

pytestmark = pytest.mark.usefixtures("catalog")

PHONE_AS_KEY = "13800001001"


def test_it_stores_a_client_key_only_as_a_keyed_hash(live_campaign):
    user = factories.UserFactory()
    donation = services.donation_start(
        actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key=PHONE_AS_KEY
    )
    stored = Donation.objects.get(pk=donation.pk).idempotency_key
    assert PHONE_AS_KEY not in stored
    assert stored == client_key("donation", user.pk, PHONE_AS_KEY)
    assert stored.startswith(f"donation:{user.pk}:") and len(stored.rsplit(":", 1)[1]) == 64
    assert PaymentOrder.objects.get(pk=donation.order_id).idempotency_key == stored


def test_the_same_client_key_still_returns_the_same_donation(live_campaign):
    user = factories.UserFactory()
    first = services.donation_start(actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="retry-0001")
    again = services.donation_start(actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="retry-0001")
    assert first.pk == again.pk and Donation.objects.count() == 1


def test_the_hash_depends_on_the_secret_the_scope_and_the_user(settings):
    base = client_key("donation", 1, "retry-0001")
    assert client_key("donation", 2, "retry-0001") != base
    assert client_key("refund", 1, "retry-0001") != base
    settings.PII_HASH_KEY = "another-secret"
    assert client_key("donation", 1, "retry-0001") != base


def test_the_migration_rewrites_stored_raw_keys_of_donations_and_their_orders(live_campaign):
    from django.apps import apps

    user = factories.UserFactory()
    donation = services.donation_start(
        actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="old-key-01"
    )
    raw = f"donation:{user.pk}:{PHONE_AS_KEY}"
    Donation.objects.filter(pk=donation.pk).update(idempotency_key=raw)
    PaymentOrder.objects.filter(pk=donation.order_id).update(idempotency_key=raw)
    migration = importlib.import_module("kincare.crowdfunding.migrations.0002_hash_client_idempotency_keys")
    migration.hash_keys(apps, None)
    expected = client_key("donation", user.pk, PHONE_AS_KEY)
    assert Donation.objects.get(pk=donation.pk).idempotency_key == expected
    assert PaymentOrder.objects.get(pk=donation.order_id).idempotency_key == expected


def test_the_demo_builds_its_keys_without_phone_numbers():
    import inspect

    from kincare.crowdfunding import demo

    source = inspect.getsource(demo.demo_campaigns_ensure)
    assert 'idempotency_key=f"demo-campaign-{live.pk}-donation-{n}"' in source
    assert "demo-{phone}" not in source
