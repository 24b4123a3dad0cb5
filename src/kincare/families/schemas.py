"""API schemas of the families app. Money is integer fen; resident IDs leave masked by policy."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

from kincare.core.text import NoControlInside, SafeText
from kincare.families.models import (
    Family,
    HealthDataGrant,
    HealthDeclaration,
    Invitation,
    LifeEvent,
)
from kincare.families.selectors import MemberView


class FamilyIn(Schema):
    name: SafeText = Field(max_length=200)


class FamilyPatch(Schema):
    name: SafeText | None = Field(default=None, max_length=200)
    annual_expenses_fen: StrictInt | None = None
    debts_fen: StrictInt | None = None
    savings_fen: StrictInt | None = None


class FamilyOut(Schema):
    id: int
    name: str
    is_guardian: bool
    created_at: dt.datetime
    annual_expenses_fen: int | None
    debts_fen: int | None
    savings_fen: int | None

    @staticmethod
    def build(family: Family, user: Any) -> FamilyOut:
        return FamilyOut(
            id=family.pk,
            name=family.name,
            is_guardian=family.guardian_id == user.pk,
            created_at=family.created_at,
            annual_expenses_fen=family.annual_expenses_fen,
            debts_fen=family.debts_fen,
            savings_fen=family.savings_fen,
        )


class MemberIn(Schema):
    name: SafeText = Field(max_length=200)
    resident_id: str = Field(max_length=64)
    relationship: str = Field(max_length=30)
    birth_date: dt.date | None = None
    sex: str | None = Field(default=None, max_length=1)
    annual_income_fen: StrictInt | None = None
    social_insurance: str = Field(default="none", max_length=30)
    occupation_class: StrictInt = 1
    smoker: StrictBool = False
    city: SafeText = Field(default="", max_length=200)


class MemberPatch(Schema):
    name: SafeText | None = Field(default=None, max_length=200)
    resident_id: str | None = Field(default=None, max_length=64)
    relationship: str | None = Field(default=None, max_length=30)
    birth_date: dt.date | None = None
    sex: str | None = Field(default=None, max_length=1)
    annual_income_fen: StrictInt | None = None
    social_insurance: str | None = Field(default=None, max_length=30)
    occupation_class: StrictInt | None = None
    smoker: StrictBool | None = None
    city: SafeText | None = Field(default=None, max_length=200)


class MemberOut(Schema):
    id: int
    family_id: int
    name: str
    resident_id: str
    resident_id_masked: bool
    birth_date: dt.date
    age: int
    sex: str
    relationship: str
    role: str
    annual_income_fen: int | None
    social_insurance: str
    occupation_class: int
    smoker: bool
    city: str
    deceased_on: dt.date | None
    has_account: bool
    is_viewer: bool
    health_access: str

    @staticmethod
    def build(view: MemberView) -> MemberOut:
        m = view.member
        return MemberOut(
            id=m.pk,
            family_id=m.family_id,
            name=m.name,
            resident_id=view.resident_id,
            resident_id_masked=view.resident_id_masked,
            birth_date=m.birth_date,
            age=view.age,
            sex=m.sex,
            relationship=m.relationship,
            role=str(view.role),
            annual_income_fen=m.annual_income_fen,
            social_insurance=m.social_insurance,
            occupation_class=m.occupation_class,
            smoker=m.smoker,
            city=m.city,
            deceased_on=m.deceased_on,
            has_account=m.user_id is not None,
            is_viewer=view.is_viewer,
            health_access=view.health_access,
        )


class InvitationIn(Schema):
    phone: str = Field(max_length=40)
    relationship: str = Field(default="other", max_length=30)
    member_id: StrictInt | None = None


class InvitationOut(Schema):
    id: int
    family_id: int
    phone: str
    relationship: str
    member_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def build(invitation: Invitation) -> InvitationOut:
        from kincare.core.pii import mask_phone

        return InvitationOut(
            id=invitation.pk,
            family_id=invitation.family_id,
            phone=mask_phone(invitation.phone),
            relationship=invitation.relationship,
            member_id=invitation.member_id,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            accepted_at=invitation.accepted_at,
            revoked_at=invitation.revoked_at,
        )


class InvitationCreated(Schema):
    invitation: InvitationOut
    token: str
    url: str


class InvitationAcceptIn(Schema):
    token: str = Field(max_length=200)


class GrantIn(Schema):
    grantor_id: StrictInt
    grantee_id: StrictInt


class GrantOut(Schema):
    id: int
    family_id: int
    grantor_id: int
    grantee_id: int
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @staticmethod
    def build(grant: HealthDataGrant) -> GrantOut:
        return GrantOut(
            id=grant.pk,
            family_id=grant.family_id,
            grantor_id=grant.grantor_id,
            grantee_id=grant.grantee_id,
            created_at=grant.created_at,
            revoked_at=grant.revoked_at,
        )


class ConsentIn(Schema):
    policy_version: str = Field(max_length=20)


class ConsentOut(Schema):
    id: int
    member_id: int
    policy_version: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


class DeclarationIn(Schema):
    code: str = Field(max_length=40)
    attributes: Annotated[dict[str, Any], NoControlInside]
    diagnosed_on: dt.date | None = None


class DeclarationPatch(Schema):
    attributes: Annotated[dict[str, Any], NoControlInside]
    diagnosed_on: dt.date | None = None


class DeclarationOut(Schema):
    id: int
    member_id: int
    code: str
    attributes: dict[str, Any]
    diagnosed_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def build(declaration: HealthDeclaration) -> DeclarationOut:
        payload = declaration.payload
        return DeclarationOut(
            id=declaration.pk,
            member_id=declaration.member_id,
            code=payload["code"],
            attributes=payload["attributes"],
            diagnosed_on=payload.get("diagnosed_on"),
            created_at=declaration.created_at,
            updated_at=declaration.updated_at,
        )


class LifeEventIn(Schema):
    kind: str = Field(max_length=30)
    occurred_on: dt.date
    member_id: StrictInt | None = None
    details: Annotated[dict[str, Any], NoControlInside] | None = None


class LifeEventOut(Schema):
    id: int
    family_id: int
    member_id: int | None
    kind: str
    occurred_on: dt.date
    details: dict[str, Any]

    @staticmethod
    def build(event: LifeEvent) -> LifeEventOut:
        return LifeEventOut(
            id=event.pk,
            family_id=event.family_id,
            member_id=event.member_id,
            kind=event.kind,
            occurred_on=event.occurred_on,
            details=event.details or {},
        )
