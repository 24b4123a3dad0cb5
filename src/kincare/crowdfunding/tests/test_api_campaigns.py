"""/api/v1/campaigns: the public view (masked), donating with an idempotency key, errors as codes."""

from __future__ import annotations

import json

import pytest

from kincare.crowdfunding.models import Donation
from kincare.families.tests import factories
from kincare.policies.tests.fixtures import client_for

pytestmark = pytest.mark.usefixtures("catalog")


def post(client, url, data):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(data), content_type="application/json")


def test_anyone_reads_a_live_campaign_with_identities_masked(live_campaign, child):
    body = client_for(None).get(f"/api/v1/campaigns/{live_campaign.pk}").json()
    assert body["title"] == live_campaign.title and body["raised_fen"] == 0
    assert child.resident_id not in json.dumps(body) and body["patient"].startswith(child.name[0])
    assert body["ledger_url"] == f"/c/{live_campaign.pk}/ledger.json"


def test_a_campaign_under_review_is_not_found(make_campaign):
    assert client_for(None).get(f"/api/v1/campaigns/{make_campaign().pk}").status_code == 404


def test_a_donor_starts_a_donation_once_per_key(live_campaign, sandbox_pay):
    client = client_for(factories.UserFactory())
    url = f"/api/v1/campaigns/{live_campaign.pk}/donations"
    first = post(client, url, {"amount_fen": 10_000, "idempotency_key": "api-key-0001", "message": "加油"})
    again = post(client, url, {"amount_fen": 10_000, "idempotency_key": "api-key-0001", "message": "加油"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["pay_url"]
    sandbox_pay(Donation.objects.get().order)
    mine = client.get("/api/v1/campaigns/donations/mine").json()
    assert mine[0]["status"] == "confirmed" and mine[0]["receipt_no"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"amount_fen": 50, "idempotency_key": "api-key-0002"}, "amount_out_of_range"),
        ({"amount_fen": "100", "idempotency_key": "api-key-0003"}, "validation_error"),
        ({"amount_fen": 1000, "idempotency_key": "x"}, "invalid_idempotency_key"),
        ({"amount_fen": 1000, "idempotency_key": "api-key-0004", "message": "加我微信"}, "message_not_allowed"),
        ({"amount_fen": True, "idempotency_key": "api-key-0005"}, "validation_error"),
    ],
)
def test_a_nasty_donation_is_refused_with_a_stable_code(live_campaign, data, code):
    response = post(client_for(factories.UserFactory()), f"/api/v1/campaigns/{live_campaign.pk}/donations", data)
    assert response.status_code == 422
    assert response.json()["code"] == code and set(response.json()) == {"code", "message", "field"}
    assert not Donation.objects.exists()


def test_donating_needs_a_login(live_campaign):
    response = post(
        client_for(None),
        f"/api/v1/campaigns/{live_campaign.pk}/donations",
        {"amount_fen": 1000, "idempotency_key": "api-key-0006"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize("message", ["加油\x00", "加油\x1b[0m", "\x07加油"])
def test_it_refuses_a_donation_message_with_control_characters(live_campaign, message):
    client = client_for(factories.UserFactory())
    response = post(
        client,
        f"/api/v1/campaigns/{live_campaign.pk}/donations",
        {"amount_fen": 10_000, "idempotency_key": "api-key-nul1", "message": message},
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_characters", "message")
    assert not Donation.objects.exists()
