import datetime

import pytest
from django.test import Client
from django.urls import reverse

from kincare.accounts.models import ApiToken, User
from kincare.accounts.services import api_token_create
from kincare.accounts.tests.factories import PASSWORD, make_resident_id

pytestmark = pytest.mark.django_db
RESIDENT_ID = make_resident_id(birth_date=datetime.date(1990, 3, 7), sequence=447)


def session_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


@pytest.mark.parametrize("name", ["accounts:login", "accounts:signup"])
def test_public_pages_render_for_anonymous_visitors(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()


@pytest.mark.parametrize("name", ["accounts:login", "accounts:signup"])
def test_public_pages_send_logged_in_users_home(alice_client: Client, name: str) -> None:
    response = alice_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("families:home")


@pytest.mark.parametrize("name", ["accounts:verify", "accounts:tokens"])
def test_private_pages_require_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["accounts:verify", "accounts:tokens"])
def test_private_pages_render_for_the_user(alice_client: Client, name: str) -> None:
    assert alice_client.get(reverse(name)).status_code == 200


def test_signup_logs_in_and_goes_to_the_family_home(client: Client) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {
            "phone": "138 0013 8000",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "display_name": "小明",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("families:home")
    user = User.objects.get()
    assert session_user(client) == user.pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "123", "password": PASSWORD, "password_confirm": PASSWORD}, "手机号"),
        ({"phone": "13800138000", "password": "12345678", "password_confirm": "12345678"}, "密码"),
        (
            {"phone": "13800138000", "password": PASSWORD, "password_confirm": "other-pass-1"},
            "不一致",
        ),
        ({"phone": "", "password": "", "password_confirm": ""}, "errorlist"),
    ],
)
def test_signup_shows_readable_errors(client: Client, data: dict, message: str) -> None:
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html
    assert message in html
    assert not User.objects.exists()


def test_signup_with_a_taken_phone_says_so(client: Client, alice: User) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {"phone": alice.phone, "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert "已注册" in response.content.decode()


def test_password_login_and_logout(client: Client, alice: User) -> None:
    response = client.post(reverse("accounts:login"), {"phone": alice.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert session_user(client) == alice.pk
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert session_user(client) is None


def test_login_follows_a_safe_next_only(client: Client, alice: User) -> None:
    data = {"phone": alice.phone, "password": PASSWORD, "next": "/accounts/tokens/"}
    assert client.post(reverse("accounts:login"), data)["Location"] == "/accounts/tokens/"
    client.post(reverse("accounts:logout"))
    data["next"] = "https://evil.example/"
    assert client.post(reverse("accounts:login"), data)["Location"] == reverse("families:home")


def test_wrong_password_shows_a_readable_error(client: Client, alice: User) -> None:
    response = client.post(reverse("accounts:login"), {"phone": alice.phone, "password": "wrong-password"})
    assert response.status_code == 200
    assert "手机号或密码不正确" in response.content.decode()
    assert session_user(client) is None


def test_lockout_is_shown_with_the_wait(client: Client, alice: User, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 1
    response = client.post(reverse("accounts:login"), {"phone": alice.phone, "password": "wrong-password"})
    assert "分钟后再试" in response.content.decode()


def test_sms_code_login_with_htmx(client: Client, sms_outbox) -> None:
    response = client.post(reverse("accounts:otp_request"), {"phone": "13700137000"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="otp-status"' in response.content.decode()
    assert "137****7000" in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(reverse("accounts:otp_login"), {"phone": "13700137000", "code": sms_outbox.last_code()})
    assert response.status_code == 302
    assert session_user(client) == User.objects.get().pk


def test_sms_code_request_errors_with_htmx_are_readable(client: Client) -> None:
    response = client.post(reverse("accounts:otp_request"), {"phone": "12"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "手机号" in response.content.decode()


def test_sms_code_request_without_javascript_renders_the_login_page(client: Client, sms_outbox) -> None:
    response = client.post(reverse("accounts:otp_request"), {"phone": "13700137000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "验证码已发送至 137****7000" in html
    assert 'value="13700137000"' in html
    assert len(sms_outbox.outbox) == 1


def test_a_wrong_sms_code_shows_a_readable_error(client: Client, sms_outbox) -> None:
    client.post(reverse("accounts:otp_request"), {"phone": "13700137000"})
    code = sms_outbox.last_code()
    response = client.post(
        reverse("accounts:otp_login"),
        {"phone": "13700137000", "code": "000000" if code != "000000" else "111111"},
    )
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()


def test_real_name_form_verifies_and_then_shows_masked_values(alice_client: Client, alice: User) -> None:
    response = alice_client.post(reverse("accounts:verify"), {"name": "张小明", "resident_id": RESIDENT_ID, "sex": "M"})
    assert response.status_code == 302
    html = alice_client.get(reverse("accounts:verify")).content.decode()
    assert "张*明" in html
    assert RESIDENT_ID not in html
    assert RESIDENT_ID[-4:] in html
    alice.refresh_from_db()
    assert alice.is_real_name_verified


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "张小明", "resident_id": "123"}, "身份证号码不正确"),
        ({"name": "张小明", "resident_id": RESIDENT_ID, "sex": "F"}, "性别与身份证号不一致"),
        (
            {"name": "张小明", "resident_id": RESIDENT_ID, "birth_date": "1991-01-01"},
            "出生日期与身份证号不一致",
        ),
        ({"name": "张小明", "resident_id": RESIDENT_ID, "birth_date": "garbage"}, "errorlist"),
        ({"name": "1", "resident_id": RESIDENT_ID}, "姓名"),
    ],
)
def test_real_name_form_shows_readable_errors(alice_client: Client, data: dict, message: str) -> None:
    response = alice_client.post(reverse("accounts:verify"), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_tokens_page_shows_a_new_token_once(alice_client: Client, alice: User) -> None:
    response = alice_client.post(reverse("accounts:tokens"), {"name": "药店对接", "expires_in_days": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert token.expires_at is not None
    raw = html.split("<code>")[1].split("</code>")[0]
    assert raw.startswith("kc_")
    assert raw not in alice_client.get(reverse("accounts:tokens")).content.decode()


def test_tokens_page_shows_errors(alice_client: Client) -> None:
    response = alice_client.post(reverse("accounts:tokens"), {"name": "", "expires_in_days": "7"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_a_user_revokes_their_token_but_not_someone_elses(
    alice: User, alice_client: Client, bob_client: Client
) -> None:
    token, _ = api_token_create(user=alice, name="app")
    url = reverse("accounts:token_revoke", args=[token.pk])
    assert bob_client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert alice_client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
