import datetime

import pytest
from django.test import Client
from django.urls import reverse

from kincare.accounts.models import ApiToken, User
from kincare.accounts.services import api_token_create, user_verify_real_name
from kincare.accounts.tests.factories import PASSWORD, make_resident_id
from kincare.core.permissions import is_staff_with

pytestmark = pytest.mark.django_db
RESIDENT_ID = make_resident_id(birth_date=datetime.date(1990, 3, 7), sequence=447)


@pytest.fixture
def admin_client(db) -> Client:
    superuser = User.objects.create_superuser("13500135000", PASSWORD)
    client = Client()
    client.force_login(superuser)
    return client


def test_user_admin_lists_masked_phones_roles_and_verification(admin_client: Client, alice: User) -> None:
    user_verify_real_name(user=alice, name="张小明", resident_id=RESIDENT_ID)
    response = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert alice.masked_phone in html
    assert alice.phone not in html


def test_user_admin_finds_a_user_by_full_phone(admin_client: Client, alice: User, bob: User) -> None:
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": alice.phone})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_user_admin_change_and_add_pages_load(admin_client: Client, alice: User) -> None:
    assert admin_client.get(reverse("admin:accounts_user_change", args=[alice.pk])).status_code == 200
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_password_change", args=[alice.pk])).status_code == 200


def test_user_admin_creates_a_staff_user_from_a_phone(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "136 0013 6000",
            "display_name": "理赔小王",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "roles": ["claims_adjuster", "underwriter"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(display_name="理赔小王")
    assert user.phone == "13600136000"
    assert user.is_staff
    assert is_staff_with(user, "claims_adjuster")
    assert is_staff_with(user, "underwriter")


def test_user_admin_add_form_shows_readable_errors(admin_client: Client, alice: User) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"phone": alice.phone, "display_name": "", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已注册" in html
    assert User.objects.count() == 2


def test_token_admin_lists_and_revokes_without_showing_hashes(admin_client: Client, alice: User) -> None:
    token, _raw = api_token_create(user=alice, name="app")
    response = admin_client.get(reverse("admin:accounts_apitoken_changelist"))
    assert response.status_code == 200
    assert token.token_hash not in response.content.decode()
    assert admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).status_code == 200
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_real_name_admin_is_read_only_and_masked(admin_client: Client, alice: User) -> None:
    verification = user_verify_real_name(user=alice, name="张小明", resident_id=RESIDENT_ID)
    response = admin_client.get(reverse("admin:accounts_realnameverification_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert RESIDENT_ID not in html
    assert "张小明" not in html
    assert "张*明" in html
    response = admin_client.get(reverse("admin:accounts_realnameverification_change", args=[verification.pk]))
    assert response.status_code == 200
    assert RESIDENT_ID not in response.content.decode()
