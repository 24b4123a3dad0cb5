"""API schemas of accounts. Phones and resident IDs only ever leave masked."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from kincare.accounts.models import ApiToken, RealNameVerification, User
from kincare.accounts.selectors import real_name_verification_get, user_roles
from kincare.core.pii import mask_name, mask_resident_id


class SignupIn(Schema):
    phone: str = Field(max_length=64)
    password: str = Field(max_length=4096)
    display_name: str = Field(default="", max_length=200)


class LoginIn(Schema):
    phone: str = Field(max_length=64)
    password: str = Field(max_length=4096)


class OtpRequestIn(Schema):
    phone: str = Field(max_length=64)


class OtpSentOut(Schema):
    phone_masked: str
    expires_in_seconds: int
    resend_after_seconds: int


class OtpLoginIn(Schema):
    phone: str = Field(max_length=64)
    code: str = Field(max_length=32)


class RealNameIn(Schema):
    name: str = Field(max_length=200)
    resident_id: str = Field(max_length=64)
    birth_date: datetime.date | None = None
    sex: Literal["M", "F"] | None = None


class RealNameOut(Schema):
    name_masked: str
    resident_id_masked: str
    birth_year: int
    sex: str
    verified_at: datetime.datetime

    @classmethod
    def of(cls, verification: RealNameVerification) -> RealNameOut:
        return cls(
            name_masked=mask_name(verification.name),
            resident_id_masked=mask_resident_id(verification.resident_id),
            birth_year=verification.birth_date.year,
            sex=verification.sex,
            verified_at=verification.verified_at,
        )


class UserOut(Schema):
    id: int
    phone_masked: str
    display_name: str
    is_staff: bool
    roles: list[str]
    real_name_verified: bool
    real_name: RealNameOut | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        verification = real_name_verification_get(user=user)
        return cls(
            id=user.pk,
            phone_masked=user.masked_phone,
            display_name=user.display_name,
            is_staff=user.is_staff,
            roles=user_roles(user),
            real_name_verified=user.is_real_name_verified,
            real_name=RealNameOut.of(verification) if verification is not None else None,
        )


class ApiTokenIn(Schema):
    name: str = Field(max_length=200)
    expires_at: datetime.datetime | None = None


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> ApiTokenOut:
        return cls(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="the raw token: shown once, store it now")
