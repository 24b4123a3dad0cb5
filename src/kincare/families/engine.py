"""Pure family rules (no ORM queries, no I/O): roles by age and the minors' cutoff.

Resident-ID parsing is the accounts app's, re-exported for the family code.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Protocol

# one implementation of the GB 11643 rules, the accounts app's, re-exported for family code
from kincare.accounts.identity import parse_resident_id as parse_resident_id
from kincare.accounts.identity import resident_id_with_check_digit as resident_id_with_check_digit
from kincare.core.dates import age_on as age_on

ADULT_AGE = 18


class MemberRole(StrEnum):
    GUARDIAN = "guardian"
    ADULT = "adult"
    MINOR = "minor"


class _MemberLike(Protocol):
    user_id: Any
    birth_date: dt.date
    family: Any


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
