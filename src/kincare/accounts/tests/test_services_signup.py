import importlib

import pytest

from kincare.accounts.models import User, phone_index
from kincare.accounts.services import user_signup
from kincare.accounts.tests.factories import PASSWORD
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_creates_a_user_with_an_encrypted_phone_and_a_hashed_password() -> None:
    user = user_signup(phone="+86 138-0013-8000", password=PASSWORD, display_name="  小  明 ")
    user.refresh_from_db()
    assert user.phone == "13800138000"
    assert user.phone_hash == phone_index("13800138000")
    assert user.display_name == "小 明"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    event = AuditEvent.objects.get(action="accounts.signup")
    assert event.new == {"phone": "138****8000", "method": "password"}


def test_it_accepts_full_width_digits() -> None:
    user = user_signup(phone="１３８００１３８０００", password=PASSWORD)
    assert user.phone == "13800138000"


def test_it_refuses_a_phone_already_registered() -> None:
    user_signup(phone="13800138000", password=PASSWORD)
    with pytest.raises(Conflict) as exc:
        user_signup(phone="138 0013 8000", password=PASSWORD)
    assert exc.value.code == "phone_taken"
    assert exc.value.field == "phone"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("", "phone_empty"),
        ("12345", "phone_invalid"),
        ("+1 202 555 0100", "phone_invalid"),
        ("010-12345678", "phone_invalid"),
        ("1" * 500, "phone_invalid"),
    ],
)
def test_it_refuses_invalid_phones(phone: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_signup(phone=phone, password=PASSWORD)
    assert exc.value.code == code
    assert User.objects.count() == 0


@pytest.mark.parametrize("password", ["", "short1", "12345678901", "password", "x" * 129])
def test_it_refuses_weak_or_absurd_passwords(password: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_signup(phone="13800138000", password=password)
    assert exc.value.code == "password_invalid"
    assert exc.value.field == "password"
    assert exc.value.message
    assert User.objects.count() == 0


def test_it_refuses_a_password_equal_to_the_phone_like_number() -> None:
    with pytest.raises(ValidationFailed):
        user_signup(phone="13800138000", password="13800138000")


def test_it_refuses_a_long_display_name() -> None:
    with pytest.raises(ValidationFailed) as exc:
        user_signup(phone="13800138000", password=PASSWORD, display_name="名" * 51)
    assert exc.value.code == "display_name_invalid"


def test_production_settings_hash_passwords_with_argon2() -> None:
    real_settings = importlib.import_module("kincare.settings")
    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_verify(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = user_signup(phone="13800138000", password=PASSWORD)
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)
