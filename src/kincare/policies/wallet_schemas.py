"""API schemas of the policy wallet (保单管家): the family's platform and external policies by
member and category, and the external policies a family records (保单托管).

Money is integer fen with the same checks as ``schemas`` (``check_fen``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator

from kincare.catalog.models import Category
from kincare.core.errors import ValidationFailed
from kincare.policies.form_schemas import ExternalPolicyInput
from kincare.policies.models import ExternalPolicy
from kincare.policies.schemas import FEN_DESCRIPTION, Id, check_fen
from kincare.underwriting.schemas import ExclusionOut


class WalletItemOut(Schema):
    id: int
    fhir_id: str = Field(description="pol-<id> (platform) or ext-<id> (external): its FHIR Coverage")
    source: str = Field(description="platform | external (保单托管, recorded by the family)")
    number: str
    product_name: str
    insurer: str
    category: str
    category_label: str
    status: str = Field(
        description="platform: pending_payment | active | cancelled | lapsed | expired | terminated; "
        "external: not_started | in_force | ended"
    )
    status_label: str
    starts_on: dt.date | None = Field(description="first day of cover")
    ends_on: dt.date | None = Field(description="last day of cover (inclusive)")
    sum_insured_fen: int
    premium_fen: int
    next_renewal_on: dt.date | None
    exclusions: list[ExclusionOut] | None = Field(description="null when you may not see them")
    exclusions_hidden: bool
    unverified: bool
    first_effective_on: dt.date | None
    plan_name: str

    @staticmethod
    def build(item: Any) -> WalletItemOut:
        prefix = "ext-" if item.source == "external" else "pol-"
        return WalletItemOut(
            id=item.id,
            fhir_id=f"{prefix}{item.id}",
            source=item.source,
            number=item.number,
            product_name=item.product_name,
            insurer=item.insurer,
            category=item.category,
            category_label=item.category_label,
            status=item.status,
            status_label=item.status_label,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
            sum_insured_fen=item.sum_insured_fen,
            premium_fen=item.premium_fen,
            next_renewal_on=item.next_renewal_on,
            exclusions=[ExclusionOut(**e) for e in item.exclusions] if item.exclusions is not None else None,
            exclusions_hidden=item.exclusions_hidden,
            unverified=item.unverified,
            first_effective_on=item.first_effective_on,
            plan_name=item.plan_name,
        )


class WalletGroupOut(Schema):
    category: str
    label: str
    items: list[WalletItemOut]


class WalletMemberOut(Schema):
    member_id: int
    name: str
    relationship: str
    relationship_label: str
    age: int
    annual_premium_fen: int = Field(description="premiums of the policies in force")
    groups: list[WalletGroupOut]


class WalletOut(Schema):
    family_id: int | None
    on_date: dt.date | None
    count: int
    annual_premium_fen: int
    members: list[WalletMemberOut]

    @staticmethod
    def build(wallet: Any) -> WalletOut:
        return WalletOut(
            family_id=wallet.family.pk if wallet.family is not None else None,
            on_date=wallet.on_date,
            count=wallet.count,
            annual_premium_fen=wallet.annual_premium_fen,
            members=[
                WalletMemberOut(
                    member_id=m.id,
                    name=m.name,
                    relationship=m.relationship,
                    relationship_label=m.relationship_label,
                    age=m.age,
                    annual_premium_fen=m.annual_premium_fen,
                    groups=[
                        WalletGroupOut(
                            category=g.category, label=g.label, items=[WalletItemOut.build(i) for i in g.items]
                        )
                        for g in m.groups
                    ],
                )
                for m in wallet.members
            ],
        )


# External policies (保单托管) ----------------------------------------------------------------


class ExternalPolicyIn(Schema):
    insured_member_id: Id
    insurer_name: str = Field(min_length=1, max_length=120)
    product_name: str = Field(min_length=1, max_length=120)
    category: str = Field(
        description="medical | critical_illness | accident | term_life | long_term_care | disability_income"
    )
    sum_insured_fen: int = Field(description="sum insured or annual limit, " + FEN_DESCRIPTION)
    premium_fen: int = Field(default=0, description="annual premium, " + FEN_DESCRIPTION)
    starts_on: dt.date
    ends_on: dt.date | None = None
    policy_number: str = Field(default="", max_length=64)

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: object) -> object:
        if value not in Category.values:
            raise ValidationFailed(_("请选择保险类别"), code="category_unknown", field="category")
        return value

    @field_validator("sum_insured_fen", mode="before")
    @classmethod
    def _sum_insured(cls, value: object, info: ValidationInfo) -> int:
        # a domain error (not ValueError) leaves pydantic as is: the API answers its own code
        return check_fen(value, str(info.field_name), allow_zero=False)

    @field_validator("premium_fen", mode="before")
    @classmethod
    def _premium(cls, value: object, info: ValidationInfo) -> int:
        return check_fen(value, str(info.field_name))

    def policy(self) -> ExternalPolicyInput:
        """The policy as the service takes it (names stripped; ValidationFailed with its code)."""
        return ExternalPolicyInput.model_validate(self.model_dump(exclude={"insured_member_id"}))


class ExternalPolicyOut(Schema):
    id: int
    fhir_id: str = Field(description="the id of its FHIR Coverage: ext-<id>")
    family_id: int
    insured_member_id: int
    insured_name: str
    insurer_name: str
    product_name: str
    category: str
    category_label: str
    policy_number: str
    sum_insured_fen: int
    premium_fen: int
    starts_on: dt.date
    ends_on: dt.date | None
    verified: bool = Field(description="false: recorded by the family, not checked with the insurer")
    in_force: bool
    created_at: dt.datetime

    @staticmethod
    def build(external: ExternalPolicy) -> ExternalPolicyOut:
        today = timezone.localdate()
        return ExternalPolicyOut(
            id=external.pk,
            fhir_id=f"ext-{external.pk}",
            family_id=external.family_id,
            insured_member_id=external.insured_id,
            insured_name=external.insured.name,
            insurer_name=external.insurer_name,
            product_name=external.product_name,
            category=external.category,
            category_label=str(dict(Category.choices).get(external.category, external.category)),
            policy_number=external.policy_number,
            sum_insured_fen=external.sum_insured_fen,
            premium_fen=external.premium_fen,
            starts_on=external.starts_on,
            ends_on=external.ends_on,
            verified=external.verified,
            in_force=external.removed_at is None
            and external.starts_on <= today
            and (external.ends_on is None or external.ends_on >= today),
            created_at=external.created_at,
        )
