"""/me, /me/real-name and /tokens with three personas: nobody, the user, another user."""

import datetime

import pytest
from django.test import Client

from kincare.accounts.models import User
from kincare.accounts.services import api_token_create, staff_user_create
from kincare.accounts.tests.factories import PASSWORD, make_resident_id

pytestmark = pytest.mark.django_db
BASE = "/api/v1/accounts"
RESIDENT_ID = make_resident_id(birth_date=datetime.date(1990, 3, 7), sequence=447)


def post(client: Client, path: str, data: object, **extra):
    return client.post(BASE + path, data, content_type="application/json", **extra)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me"),
        ("post", "/me/real-name"),
        ("get", "/tokens"),
        ("post", "/tokens"),
        ("delete", "/tokens/1"),
    ],
)
def test_anonymous_callers_are_refused(client: Client, method: str, path: str) -> None:
    response = getattr(client, method)(BASE + path, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_bearer_token_is_refused(client: Client) -> None:
    assert client.get(BASE + "/me", HTTP_AUTHORIZATION="Bearer kc_nope").status_code == 401


def test_me_shows_the_user_masked(alice_client: Client, alice: User) -> None:
    body = alice_client.get(BASE + "/me").json()
    assert body["id"] == alice.pk
    assert body["phone_masked"] == alice.masked_phone
    assert alice.phone not in str(body)
    assert body["roles"] == []
    assert body["real_name"] is None


def test_me_lists_staff_roles(client: Client) -> None:
    staff = staff_user_create(phone="13600136000", password=PASSWORD, role="pharmacist", display_name="")
    client.force_login(staff)
    body = client.get(BASE + "/me").json()
    assert body["is_staff"] is True
    assert body["roles"] == ["pharmacist"]


def test_real_name_verification_returns_masked_values(alice_client: Client) -> None:
    response = post(alice_client, "/me/real-name", {"name": "张小明", "resident_id": RESIDENT_ID, "sex": "M"})
    assert response.status_code == 201
    body = response.json()
    assert body["name_masked"] == "张*明"
    assert body["resident_id_masked"] == RESIDENT_ID[:3] + "*" * 11 + RESIDENT_ID[-4:]
    assert RESIDENT_ID not in response.content.decode()
    assert "张小明" not in response.content.decode()
    me = alice_client.get(BASE + "/me").json()
    assert me["real_name_verified"] is True
    assert me["real_name"]["birth_year"] == 1990
    assert RESIDENT_ID not in str(me)


def test_another_user_cannot_reuse_the_resident_id(alice_client: Client, bob_client: Client) -> None:
    post(alice_client, "/me/real-name", {"name": "张小明", "resident_id": RESIDENT_ID})
    response = post(bob_client, "/me/real-name", {"name": "张小明", "resident_id": RESIDENT_ID})
    assert response.status_code == 409
    assert response.json()["code"] == "resident_id_taken"
    assert bob_client.get(BASE + "/me").json()["real_name_verified"] is False


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (
            {"name": "张小明", "resident_id": RESIDENT_ID, "birth_date": "1990-03-08"},
            "birth_date_mismatch",
            "birth_date",
        ),
        (
            {"name": "张小明", "resident_id": RESIDENT_ID, "birth_date": "not a date"},
            "validation_error",
            "birth_date",
        ),
        ({"name": "张小明", "resident_id": RESIDENT_ID, "sex": "F"}, "sex_mismatch", "sex"),
        ({"name": "张小明", "resident_id": RESIDENT_ID, "sex": "女"}, "validation_error", "sex"),
        (
            {"name": "张小明", "resident_id": RESIDENT_ID[:-1] + "0"},
            "resident_id_invalid",
            "resident_id",
        ),
        ({"name": "张小明", "resident_id": 110101199003074477}, "validation_error", "resident_id"),
        ({"name": "张", "resident_id": RESIDENT_ID}, "name_invalid", "name"),
        ({"resident_id": RESIDENT_ID}, "validation_error", "name"),
    ],
)
def test_real_name_errors_name_the_field(alice_client: Client, payload: dict, code: str, field: str) -> None:
    if payload.get("resident_id") == RESIDENT_ID[:-1] + "0" and RESIDENT_ID[-1] == "0":
        payload = {**payload, "resident_id": RESIDENT_ID[:-1] + "1"}
    response = post(alice_client, "/me/real-name", payload)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_a_user_creates_lists_and_revokes_tokens(alice_client: Client, alice: User) -> None:
    response = post(alice_client, "/tokens", {"name": "药店对接"})
    assert response.status_code == 201
    created = response.json()
    raw = created["token"]
    assert raw.startswith("kc_")
    listed = alice_client.get(BASE + "/tokens").json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]
    # the raw token works as a bearer token, for the same user
    fresh = Client()
    assert fresh.get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["id"] == alice.pk
    response = alice_client.delete(f"{BASE}/tokens/{created['id']}")
    assert response.status_code == 204
    assert fresh.get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert alice_client.get(BASE + "/tokens").json()[0]["revoked_at"] is not None


def test_another_users_token_cannot_be_seen_or_revoked(alice: User, bob_client: Client) -> None:
    token, raw = api_token_create(user=alice, name="alice's")
    assert bob_client.get(BASE + "/tokens").json() == []
    response = bob_client.delete(f"{BASE}/tokens/{token.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Client().get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


@pytest.mark.parametrize("token_id", ["abc", "99999999999999999999999", "-1"])
def test_bad_token_ids_are_clean_errors(alice_client: Client, token_id: str) -> None:
    response = alice_client.delete(f"{BASE}/tokens/{token_id}")
    assert response.status_code in (404, 422)
    assert "code" in response.json()


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"name": ""}, "name_invalid", "name"),
        ({"name": 42}, "validation_error", "name"),
        ({"name": "x", "expires_at": "yesterday"}, "validation_error", "expires_at"),
        ({"name": "x", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at_invalid", "expires_at"),
    ],
)
def test_token_creation_errors(alice_client: Client, payload: dict, code: str, field: str) -> None:
    response = post(alice_client, "/tokens", payload)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
