"""Catalog fixtures: the sample catalog imported once per session, and the personas
(visitor, guardian, another adult of the family, an outsider, staff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from kincare.accounts.models import User
from kincare.catalog.models import Insurer, Product, ProductScore, ScoringModel
from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.core.models import AuditEvent
from kincare.families.tests import factories


@pytest.fixture(scope="package")
def _sample_catalog_committed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Imported once for the package and removed afterwards, so other apps' tests never see it."""
    with django_db_blocker.unblock():
        catalog_import(directory=DATA_DIR)
    yield
    with django_db_blocker.unblock():
        ProductScore.objects.all().delete()
        Product.objects.all().delete()
        Insurer.objects.all().delete()
        ScoringModel.objects.all().delete()
        AuditEvent.objects.filter(action__startswith="catalog.").delete()


@pytest.fixture
def sample_catalog(_sample_catalog_committed: None, db: None) -> None:
    """The shipped catalog, imported once; re-imported inside the test if a flush removed it."""
    if not Product.objects.filter(code="med_01").exists():
        catalog_import(directory=DATA_DIR)


@pytest.fixture
def guardian(db: None) -> User:
    return factories.verified_user(name="王建国", birth_date=dt.date(1986, 5, 12), sex="M")


@pytest.fixture
def family(guardian: User) -> Any:
    return factories.family_for(guardian, name="王家")


@pytest.fixture
def adult_member(family: Any) -> User:
    user = factories.verified_user(name="李秀英", birth_date=dt.date(1988, 9, 3), sex="F")
    factories.join_family(family, user, relationship="spouse")
    return user


@pytest.fixture
def outsider(db: None) -> User:
    user = factories.verified_user(name="赵强", birth_date=dt.date(1980, 1, 1), sex="M")
    factories.family_for(user, name="赵家")
    return user


@pytest.fixture
def staff_user(db: None) -> User:
    return User.objects.create_user("13900009998", factories.PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture(params=["visitor", "guardian", "adult_member", "outsider"])
def family_persona(request: pytest.FixtureRequest) -> User | None:
    """Everyone who is not staff: they all see the same selected catalog."""
    if request.param == "visitor":
        return None
    return request.getfixturevalue(request.param)
