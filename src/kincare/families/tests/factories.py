"""Test data built through the real services (users are real-name verified through accounts)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory

from kincare.accounts.models import User
from kincare.accounts.services import user_verify_real_name
from kincare.families import services
from kincare.families.engine import resident_id_with_check_digit
from kincare.families.models import Family, Member

PASSWORD = "test-pass-2026"
_sequence = itertools.count(1)


def make_resident_id(birth_date: dt.date, *, sex: str = "M", address: str = "110101") -> str:
    """A valid, unique-per-test-run resident ID for a fictional person."""
    n = next(_sequence) % 450 + 1
    order = 2 * n + 1 if sex == "M" else 2 * n
    return resident_id_with_check_digit(f"{address}{birth_date:%Y%m%d}{order:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"1380013{n % 10000:04d}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


def verified_user(
    *,
    name: str = "王建国",
    birth_date: dt.date = dt.date(1986, 5, 12),
    sex: str = "M",
    **kwargs: Any,
) -> User:
    user = UserFactory(**kwargs)
    user_verify_real_name(user=user, name=name, resident_id=make_resident_id(birth_date, sex=sex))
    user.refresh_from_db()
    return user


def family_for(guardian: User, *, name: str = "王家") -> Family:
    return services.family_create(actor=guardian, name=name)


def member_add(
    family: Family,
    *,
    name: str = "王小明",
    birth_date: dt.date = dt.date(2016, 3, 21),
    sex: str = "M",
    relationship: str = "child",
    **kwargs: Any,
) -> Member:
    return services.member_add(
        actor=family.guardian,
        family=family,
        name=name,
        resident_id=make_resident_id(birth_date, sex=sex),
        relationship=relationship,
        **kwargs,
    )


def join_family(family: Family, user: User, *, relationship: str = "spouse") -> Member:
    """The guardian invites ``user`` by phone and ``user`` accepts (member row from 实名认证)."""
    _invitation, token = services.invitation_create(
        actor=family.guardian, family=family, phone=user.phone, relationship=relationship
    )
    return services.invitation_accept(actor=user, token=token)


def self_member(user: User) -> Member:
    return Member.objects.get(user=user)


def hypertension(**overrides: Any) -> dict[str, Any]:
    return {"grade": 1, "controlled": True, "years": 5, "complications": False, **overrides}
