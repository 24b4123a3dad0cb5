"""Sign-up: a user is created from a mainland mobile number and a password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kincare.accounts.models import User, phone_index
from kincare.accounts.phones import normalise_phone
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.pii import mask_phone

PASSWORD_MAX_LENGTH = 128
DISPLAY_NAME_MAX_LENGTH = 50


def password_check(password: object, *, user: User | None = None, field: str = "password") -> str:
    """Django's password validators, as a ValidationFailed with every reason in the message."""
    if not isinstance(password, str) or not password:
        raise ValidationFailed(_("请输入密码"), code="password_invalid", field=field)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationFailed(
            _("密码不能超过 %(n)s 个字符") % {"n": PASSWORD_MAX_LENGTH},
            code="password_invalid",
            field=field,
        )
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(str(m) for m in exc.messages), code="password_invalid", field=field) from None
    return password


def display_name_check(display_name: object) -> str:
    if not isinstance(display_name, str):
        raise ValidationFailed(_("昵称格式不正确"), code="display_name_invalid", field="display_name")
    value = " ".join(display_name.split())
    if len(value) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("昵称不能超过 %(n)s 个字符") % {"n": DISPLAY_NAME_MAX_LENGTH},
            code="display_name_invalid",
            field="display_name",
        )
    return value


def phone_taken_error() -> Conflict:
    return Conflict(_("该手机号已注册，请直接登录"), code="phone_taken", field="phone")


def user_create(*, phone: str, password: str | None, display_name: str = "", **extra: Any) -> User:
    """Insert a user (phone already normalised, password already checked; None = unusable)."""
    if User.objects.filter(phone_hash=phone_index(phone)).exists():
        raise phone_taken_error()
    try:
        with transaction.atomic():
            return User.objects.create_user(phone, password, display_name=display_name, **extra)
    except IntegrityError:  # a concurrent sign-up with the same phone won the race
        raise phone_taken_error() from None


@transaction.atomic
def user_signup(*, phone: str, password: str, display_name: str = "") -> User:
    """Create an account from a mobile number and a password (``phone_taken`` if registered)."""
    normalised = normalise_phone(phone)
    name = display_name_check(display_name)
    password_check(password, user=User(phone=normalised, display_name=name))
    user = user_create(phone=normalised, password=password, display_name=name)
    audit_record(
        actor=user,
        action="accounts.signup",
        subject=user,
        new={"phone": mask_phone(normalised), "method": "password"},
    )
    return user
