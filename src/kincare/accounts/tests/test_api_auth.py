"""Sign-up and login over the API: /signup, /login, /otp/request, /otp/login."""

import json

import pytest
from django.test import Client

from kincare.accounts.models import User
from kincare.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
BASE = "/api/v1/accounts"


def post(client: Client, path: str, data: object, **extra):
    return client.post(BASE + path, data, content_type="application/json", **extra)


def test_signup_creates_the_user_and_logs_them_in(client: Client) -> None:
    response = post(client, "/signup", {"phone": "13800138000", "password": PASSWORD, "display_name": "小明"})
    assert response.status_code == 201
    body = response.json()
    assert body["phone_masked"] == "138****8000"
    assert "13800138000" not in response.content.decode()
    assert body["real_name_verified"] is False
    assert client.get(BASE + "/me").json()["id"] == body["id"]


def test_signup_with_a_taken_phone_is_a_conflict(client: Client, alice: User) -> None:
    response = post(client, "/signup", {"phone": alice.phone, "password": PASSWORD})
    assert response.status_code == 409
    assert response.json() == {
        "code": "phone_taken",
        "message": response.json()["message"],
        "field": "phone",
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": 13800138000, "password": PASSWORD}, "phone"),
        ({"phone": "13800138000", "password": ["x"]}, "password"),
        ({"phone": "13800138000"}, "password"),
        ({"phone": "13800138000", "password": PASSWORD, "display_name": None}, "display_name"),
    ],
)
def test_signup_with_wrong_types_is_a_422_naming_the_field(client: Client, payload: dict, field: str) -> None:
    response = post(client, "/signup", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["field"] == field


def test_signup_with_a_weak_password_says_why(client: Client) -> None:
    response = post(client, "/signup", {"phone": "13800138000", "password": "12345678"})
    assert response.status_code == 422
    assert response.json()["code"] == "password_invalid"
    assert response.json()["field"] == "password"


def test_signup_refuses_a_form_post(client: Client) -> None:
    response = client.post(BASE + "/signup", {"phone": "13800138000", "password": PASSWORD})
    assert response.status_code in (400, 415, 422)
    assert not User.objects.exists()


def test_signup_refuses_text_plain_bodies_from_cross_site_forms(client: Client) -> None:
    body = json.dumps({"phone": "13800138000", "password": PASSWORD})
    response = client.post(BASE + "/signup", body, content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not User.objects.exists()


def test_bad_json_is_a_clean_error(client: Client) -> None:
    response = client.post(BASE + "/login", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_login_starts_a_session(client: Client, alice: User) -> None:
    response = post(client, "/login", {"phone": alice.phone, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["id"] == alice.pk
    assert client.get(BASE + "/me").status_code == 200


def test_login_with_wrong_credentials_never_says_whether_the_phone_exists(client: Client, alice: User) -> None:
    known = post(client, "/login", {"phone": alice.phone, "password": "wrong-password"})
    unknown = post(client, "/login", {"phone": "13999999999", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert known.json()["code"] == "login_failed"


def test_login_locks_out_with_a_429_and_retry_after(client: Client, alice: User, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_LOCKOUT_SECONDS = 300
    post(client, "/login", {"phone": alice.phone, "password": "wrong-password"})
    second = post(client, "/login", {"phone": alice.phone, "password": "wrong-password"})
    third = post(client, "/login", {"phone": alice.phone, "password": PASSWORD})
    for response in (second, third):
        assert response.status_code == 429
        assert response.json()["code"] == "login_locked"
        assert 0 < int(response["Retry-After"]) <= 300
    assert client.get(BASE + "/me").status_code == 401


def test_otp_request_and_login_create_an_account(client: Client, sms_outbox) -> None:
    response = post(client, "/otp/request", {"phone": "13700137000"})
    assert response.status_code == 200
    assert response.json()["phone_masked"] == "137****7000"
    assert "code" not in response.json()
    response = post(client, "/otp/login", {"phone": "13700137000", "code": sms_outbox.last_code()})
    assert response.status_code == 201
    assert client.get(BASE + "/me").json()["phone_masked"] == "137****7000"


def test_otp_login_of_an_existing_user_is_a_200(client: Client, alice: User, sms_outbox) -> None:
    post(client, "/otp/request", {"phone": alice.phone})
    response = post(client, "/otp/login", {"phone": alice.phone, "code": sms_outbox.last_code()})
    assert response.status_code == 200
    assert response.json()["id"] == alice.pk


def test_otp_resend_too_soon_is_a_429(client: Client) -> None:
    post(client, "/otp/request", {"phone": "13700137000"})
    response = post(client, "/otp/request", {"phone": "13700137000"})
    assert response.status_code == 429
    assert response.json()["code"] == "otp_resend_too_soon"


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"phone": "13700137000", "code": "12"}, 422, "otp_invalid", "code"),
        ({"phone": "13700137000", "code": 123456}, 422, "validation_error", "code"),
        ({"phone": "123", "code": "123456"}, 422, "phone_invalid", "phone"),
        ({"phone": "13700137000", "code": "123456"}, 422, "otp_expired", "code"),
    ],
)
def test_otp_login_errors(client: Client, payload: dict, status: int, code: str, field: str) -> None:
    response = post(client, "/otp/login", payload)
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, field)
