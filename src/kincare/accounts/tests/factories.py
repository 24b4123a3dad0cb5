"""Test data for accounts, made through the real services."""

from __future__ import annotations

import datetime
import itertools

from kincare.accounts.identity import resident_id_with_check_digit
from kincare.accounts.models import User
from kincare.accounts.services import user_signup

PASSWORD = "correct-horse-42"
_phones = itertools.count(1)


def next_phone() -> str:
    return f"138{next(_phones):08d}"


def make_user(*, phone: str | None = None, password: str = PASSWORD, display_name: str = "") -> User:
    return user_signup(phone=phone or next_phone(), password=password, display_name=display_name)


def make_resident_id(
    *,
    region: str = "110101",
    birth_date: datetime.date = datetime.date(1990, 3, 7),
    sequence: int = 447,
) -> str:
    """A valid 18-digit ID; the sequence's last digit is odd for a man."""
    return resident_id_with_check_digit(f"{region}{birth_date:%Y%m%d}{sequence:03d}")
