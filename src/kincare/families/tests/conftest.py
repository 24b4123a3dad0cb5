"""Personas: the guardian, another adult member of the same family, an outsider (the guardian
of another family), staff; plus the family's minor child."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.accounts.models import User
from kincare.families.models import Family, Member
from kincare.families.tests import factories


@pytest.fixture
def guardian(db: None) -> User:
    return factories.verified_user(name="王建国", birth_date=dt.date(1986, 5, 12), sex="M")


@pytest.fixture
def family(guardian: User) -> Family:
    return factories.family_for(guardian, name="王家")


@pytest.fixture
def adult_member(family: Family) -> User:
    user = factories.verified_user(name="李秀英", birth_date=dt.date(1988, 9, 3), sex="F")
    factories.join_family(family, user, relationship="spouse")
    return user


@pytest.fixture
def child(family: Family) -> Member:
    return factories.member_add(family, name="王小明", birth_date=dt.date(2016, 3, 21), sex="M")


@pytest.fixture
def outsider(db: None) -> User:
    return factories.verified_user(name="赵强", birth_date=dt.date(1980, 1, 1), sex="M")


@pytest.fixture
def other_family(outsider: User) -> Family:
    return factories.family_for(outsider, name="赵家")


@pytest.fixture
def staff_user(db: None) -> User:
    return User.objects.create_user("13900009999", factories.PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture
def guardian_member(guardian: User, family: Family) -> Member:
    return factories.self_member(guardian)


@pytest.fixture
def adult_row(adult_member: User) -> Member:
    return factories.self_member(adult_member)
