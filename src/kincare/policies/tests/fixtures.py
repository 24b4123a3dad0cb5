"""Fixtures shared by the underwriting and policies tests (imported by both conftests).

The sample catalog and the shipped rule tables are imported once per package (committed, then
removed), like the catalog tests do. Personas: the guardian, another adult member (spouse,
with an account), a grandparent of 66 without an account, a child of 8, an outsider with a
family of their own, and an underwriter (staff).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kincare.accounts.models import User
from kincare.accounts.services import staff_user_create
from kincare.catalog.models import Insurer, Product, ProductScore, ScoringModel
from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.core.models import AuditEvent
from kincare.families.models import Family, Member
from kincare.families.tests import factories
from kincare.underwriting.models import RuleSet
from kincare.underwriting.services import ruleset_import_shipped

TODAY = dt.date.today()


def years_ago(years: int, *, month: int = 3, day: int = 15) -> dt.date:
    return dt.date(TODAY.year - years - (1 if (month, day) > (TODAY.month, TODAY.day) else 0), month, day)


def _import_all() -> None:
    catalog_import(directory=DATA_DIR)
    ruleset_import_shipped()


@pytest.fixture(scope="package")
def _catalog_and_rules_committed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        _import_all()
    yield
    with django_db_blocker.unblock():
        from kincare.policies.models import Application, ApplicationInsured, Policy
        from kincare.underwriting.models import UnderwritingDecision

        Policy.objects.all().delete()
        ApplicationInsured.objects.all().delete()
        Application.objects.all().delete()
        UnderwritingDecision.objects.all().delete()
        RuleSet.objects.all().delete()
        ProductScore.objects.all().delete()
        Product.objects.all().delete()
        Insurer.objects.all().delete()
        ScoringModel.objects.all().delete()
        AuditEvent.objects.filter(action__startswith="catalog.").delete()


@pytest.fixture
def catalog(_catalog_and_rules_committed: None, db: None) -> None:
    """The shipped catalog and rule tables (re-imported inside the test if a flush removed them)."""
    if not Product.objects.filter(code="med_01").exists() or not RuleSet.objects.exists():
        _import_all()


def product(code: str) -> Product:
    return Product.objects.get(code=code, is_current=True)


@pytest.fixture
def guardian(db: None) -> User:
    return factories.verified_user(name="王建国", birth_date=years_ago(40), sex="M")


@pytest.fixture
def family(guardian: User) -> Family:
    return factories.family_for(guardian, name="王家")


@pytest.fixture
def guardian_member(guardian: User, family: Family) -> Member:
    return Member.objects.get(family=family, user=guardian)


@pytest.fixture
def adult_member(family: Family) -> User:
    """The guardian's spouse, with an account of her own."""
    user = factories.verified_user(name="李秀英", birth_date=years_ago(38, month=9, day=3), sex="F")
    factories.join_family(family, user, relationship="spouse")
    return user


@pytest.fixture
def adult_row(adult_member: User) -> Member:
    return Member.objects.get(user=adult_member)


@pytest.fixture
def grandparent(family: Family) -> Member:
    """The guardian's father, 66, with employee medical insurance and no account."""
    return factories.member_add(
        family,
        name="王德福",
        birth_date=years_ago(66, month=2, day=10),
        sex="M",
        relationship="parent",
        social_insurance="urban_employee",
    )


@pytest.fixture
def child(family: Family) -> Member:
    return factories.member_add(family, name="王小明", birth_date=years_ago(8), sex="M", relationship="child")


@pytest.fixture
def outsider(db: None) -> User:
    user = factories.verified_user(name="赵强", birth_date=years_ago(45), sex="M")
    factories.family_for(user, name="赵家")
    return user


@pytest.fixture
def underwriter(db: None) -> User:
    return staff_user_create(
        phone="13900008801", password="Underwrite-2026!", role="underwriter", display_name="核保员甲"
    )


def hypertension(**overrides: Any) -> dict[str, Any]:
    return {"code": "hypertension", "attributes": factories.hypertension(**overrides)}


def client_for(user: Any = None) -> Client:
    """A test client logged in as ``user`` (anonymous for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def g(guardian: User, family: Family) -> Client:
    """The guardian's client."""
    return client_for(guardian)


@pytest.fixture
def a(adult_member: User) -> Client:
    """The other adult member's client."""
    return client_for(adult_member)


@pytest.fixture
def o(outsider: User) -> Client:
    """The outsider's client."""
    return client_for(outsider)
