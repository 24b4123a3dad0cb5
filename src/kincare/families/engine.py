"""Pure family rules (no ORM queries, no I/O): roles by age, resident-ID parsing, minors' cutoff."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Protocol

from stdnum.cn import ric

ADULT_AGE = 18


class MemberRole(StrEnum):
    GUARDIAN = "guardian"
    ADULT = "adult"
    MINOR = "minor"


class _MemberLike(Protocol):
    user_id: Any
    birth_date: dt.date
    family: Any


def age_on(birth_date: dt.date, today: dt.date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def adult_cutoff(today: dt.date) -> dt.date:
    """People born on or before this date are adults on ``today`` (29 Feb → 28 Feb)."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:
        return today.replace(year=today.year - ADULT_AGE, day=28)


def is_minor(birth_date: dt.date, today: dt.date) -> bool:
    return age_on(birth_date, today) < ADULT_AGE


def member_role(member: _MemberLike, today: dt.date) -> MemberRole:
    """guardian (the guardian's own member row), else adult or minor (< 18) by age on ``today``."""
    if member.user_id is not None and member.user_id == member.family.guardian_id:
        return MemberRole.GUARDIAN
    return MemberRole.MINOR if is_minor(member.birth_date, today) else MemberRole.ADULT


def parse_resident_id(value: object, *, field: str = "resident_id") -> tuple[str, dt.date, str]:
    """Validate a 居民身份证号 → (normalised ID, birth date, sex); the accounts app's rules."""
    from kincare.accounts.identity import parse_resident_id as accounts_parse_resident_id

    return accounts_parse_resident_id(value, field=field)


def resident_id_with_check_digit(first17: str) -> str:
    """Complete 17 digits with the GB 11643 check digit (demo data, tests)."""
    return first17 + ric.calc_check_digit(first17 + "0")
