"""The real-name verified person behind a user account (实名认证), read from the accounts app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VerifiedIdentity:
    name: str
    resident_id: str
    birth_date: dt.date
    sex: str


def verified_identity(user: Any) -> VerifiedIdentity | None:
    """The identity the user proved, or None when they are not real-name verified."""
    if not getattr(user, "is_real_name_verified", False):
        return None
    from kincare.accounts.models import RealNameVerification

    verification = RealNameVerification.objects.filter(user=user).order_by("-id").first()
    if verification is None:
        return None
    return VerifiedIdentity(
        name=verification.name,
        resident_id=verification.resident_id,
        birth_date=verification.birth_date,
        sex=verification.sex,
    )
