"""Demo families for ``kincare demo`` (idempotent): users, members, invitations, consents.

Every resident ID is generated with a valid check digit (GB 11643) from a fixed address
code, birth date and sequence number; the phones are 1380000xxxx-style demo numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kincare.accounts.models import User, phone_index
from kincare.accounts.services import user_verify_real_name
from kincare.core.demo import register_demo_step
from kincare.families import services
from kincare.families.engine import resident_id_with_check_digit
from kincare.families.models import Family, Member, Relationship

DEMO_FAMILY_PASSWORD = "kincare-family-2026"
_ADDRESS = {"beijing": "110101", "shanghai": "310101", "shenzhen": "440305", "chengdu": "510104"}


def demo_resident_id(address: str, birth_date: dt.date, sequence: int) -> str:
    """An ID for a fictional person: odd sequence → male, even → female."""
    return resident_id_with_check_digit(f"{_ADDRESS[address]}{birth_date:%Y%m%d}{sequence:03d}")


@dataclass(frozen=True)
class DemoPerson:
    name: str
    birth_date: dt.date
    sequence: int
    relationship: str
    phone: str | None = None  # people with an account join through an invitation
    income_yuan: int | None = None
    social_insurance: str = "none"
    hypertension: bool = False  # a controlled grade-1 hypertension declaration, with consent


@dataclass(frozen=True)
class DemoFamily:
    name: str
    address: str
    city: str
    guardian: DemoPerson
    others: list[DemoPerson] = field(default_factory=list)


DEMO_FAMILIES = [
    DemoFamily(
        name="王建国一家",
        address="beijing",
        city="北京",
        guardian=DemoPerson(
            "王建国",
            dt.date(1986, 5, 12),
            31,
            Relationship.SELF,
            "13800001001",
            260000,
            "urban_employee",
        ),
        others=[
            DemoPerson(
                "李秀英",
                dt.date(1988, 9, 3),
                42,
                Relationship.SPOUSE,
                "13800001002",
                180000,
                "urban_employee",
            ),
            DemoPerson("王小明", dt.date(2016, 3, 21), 13, Relationship.CHILD),
            DemoPerson(
                "张桂兰",
                dt.date(1958, 11, 8),
                24,
                Relationship.PARENT,
                "13800001003",
                36000,
                "urban_rural_resident",
                hypertension=True,
            ),
        ],
    ),
    DemoFamily(
        name="刘芳的家",
        address="chengdu",
        city="成都",
        guardian=DemoPerson(
            "刘芳",
            dt.date(1985, 1, 17),
            62,
            Relationship.SELF,
            "13800002001",
            150000,
            "urban_employee",
        ),
        others=[
            DemoPerson("刘子涵", dt.date(2013, 7, 2), 84, Relationship.CHILD),
            DemoPerson("刘子轩", dt.date(2018, 12, 25), 15, Relationship.CHILD),
        ],
    ),
    DemoFamily(
        name="陈志强与周美华",
        address="shanghai",
        city="上海",
        guardian=DemoPerson(
            "陈志强",
            dt.date(1956, 4, 30),
            51,
            Relationship.SELF,
            "13800003001",
            72000,
            "urban_employee",
        ),
        others=[
            DemoPerson(
                "周美华",
                dt.date(1958, 2, 14),
                26,
                Relationship.SPOUSE,
                None,
                54000,
                "urban_employee",
            )
        ],
    ),
]


def _verified_user(person: DemoPerson, address: str) -> User:
    assert person.phone is not None
    user = User.objects.filter(phone_hash=phone_index(person.phone)).first()
    if user is None:
        user = User.objects.create_user(person.phone, DEMO_FAMILY_PASSWORD, display_name=person.name)
    if not user.is_real_name_verified:
        user_verify_real_name(
            user=user,
            name=person.name,
            resident_id=demo_resident_id(address, person.birth_date, person.sequence),
        )
    return user


def _member_of(user: User) -> Member | None:
    return Member.objects.filter(user=user, removed_at__isnull=True).first()


def _ensure_family(spec: DemoFamily) -> Family:
    guardian = _verified_user(spec.guardian, spec.address)
    own = _member_of(guardian)
    family = own.family if own is not None else services.family_create(actor=guardian, name=spec.name)
    self_member = _member_of(guardian)
    assert self_member is not None
    services.member_update(
        actor=guardian,
        member=self_member,
        annual_income_fen=(spec.guardian.income_yuan or 0) * 100,
        social_insurance=spec.guardian.social_insurance,
        city=spec.city,
    )
    for person in spec.others:
        resident_id = demo_resident_id(spec.address, person.birth_date, person.sequence)
        id_hash = services.resident_id_index(resident_id)
        member = Member.objects.filter(family=family, resident_id_hash=id_hash, removed_at__isnull=True).first()
        if member is None:
            member = services.member_add(
                actor=guardian,
                family=family,
                name=person.name,
                resident_id=resident_id,
                relationship=person.relationship,
                annual_income_fen=person.income_yuan * 100 if person.income_yuan is not None else None,
                social_insurance=person.social_insurance,
                city=spec.city,
            )
        if person.phone is not None and member.user_id is None:
            user = _verified_user(person, spec.address)
            if _member_of(user) is None:
                _invitation, token = services.invitation_create(
                    actor=guardian, family=family, phone=person.phone, member=member
                )
                member = services.invitation_accept(actor=user, token=token)
        if person.hypertension and member.user is not None:
            owner = member.user
            services.consent_give(actor=owner, member=member)
            if not member.declarations.filter(status="active").exists():
                services.declaration_add(
                    actor=owner,
                    member=member,
                    code="hypertension",
                    attributes={"grade": 1, "controlled": True, "years": 6, "complications": False},
                    diagnosed_on=dt.date(2019, 6, 1),
                )
            guardian_member = _member_of(guardian)
            if not member.grants_given.filter(grantee=guardian_member, revoked_at__isnull=True).exists():
                assert guardian_member is not None
                services.health_grant_give(actor=owner, grantor=member, grantee=guardian_member)
    return family


@transaction.atomic
def demo_families_ensure() -> list[str]:
    """Create the demo families once; return one printable login line per account."""
    lines = []
    for spec in DEMO_FAMILIES:
        _ensure_family(spec)
        people = [
            ("监护人", spec.guardian),
            *(("成员", p) for p in spec.others if p.phone is not None),
        ]
        for role, person in people:
            lines.append(f"家庭 {spec.name} {role} {person.name} 手机 {person.phone} 密码 {DEMO_FAMILY_PASSWORD}")
    return lines


def demo_step(options: Mapping[str, Any]) -> list[str]:
    return ["家庭 (families):", *(f"  {line}" for line in demo_families_ensure())]


def register() -> None:
    register_demo_step("families", demo_step, order=40)
