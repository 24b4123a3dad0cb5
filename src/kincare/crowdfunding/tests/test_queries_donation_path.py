"""The donation path, from the API to the ledger, within a fixed number of queries: a donor
starts a donation (a pending row and its payment order), and the provider's signed notification
confirms it (verified, logged, posted to the campaign's escrow, the donation confirmed through
its state machine, the goal checked after the commit).

The ceilings are the counts measured when they were set (SQLite | PostgreSQL):
start 22 | 22, confirm 46 | 43. A change that adds a query per row, or a
forgotten ``select_related``, shows here first.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from kincare.core.ledger.checks import reconcile
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.tests.helpers import paid_payload, provider_paid
from kincare.crowdfunding.models import Donation
from kincare.crowdfunding.services.common import raised_fen
from kincare.families.tests import factories
from kincare.policies.tests.fixtures import client_for

pytestmark = pytest.mark.usefixtures("catalog")

NOTIFY = "/api/v1/payments/notify/sandbox"
#: measured per database (the backends differ in how they lock and read back rows)
START_MAX = {"sqlite": 22, "postgresql": 22}
CONFIRM_MAX = {"sqlite": 46, "postgresql": 43}


def test_a_donation_from_the_api_to_the_ledger_stays_within_its_query_budget(
    live_campaign, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(factories.UserFactory())
    body = {"amount_fen": 10_000, "idempotency_key": "query-count-0001", "message": "加油"}
    with django_assert_max_num_queries(START_MAX[connection.vendor]):
        started = client.post(
            f"/api/v1/campaigns/{live_campaign.pk}/donations", json.dumps(body), content_type="application/json"
        )
    assert started.status_code == 201
    donation = Donation.objects.select_related("order").get(pk=started.json()["id"])
    assert donation.order is not None
    provider_paid(donation.order)
    signed, headers = sandbox_signed(paid_payload(donation.order))
    provider = Client(enforce_csrf_checks=True)
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    with (
        django_assert_max_num_queries(CONFIRM_MAX[connection.vendor]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answered = provider.post(NOTIFY, data=signed, content_type="application/json", **extra)
    assert (answered.status_code, answered.json()["code"]) == (200, "SUCCESS")
    donation.refresh_from_db()
    assert donation.status == Donation.Status.CONFIRMED and donation.receipt_no
    assert raised_fen(live_campaign) == 10_000
    assert reconcile() == []
