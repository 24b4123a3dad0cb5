from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from kincare.accounts.models import User
from kincare.accounts.sms import MemorySmsBackend
from kincare.accounts.tests.factories import make_user


@pytest.fixture(autouse=True)
def sms_outbox(settings: pytest.FixtureRequest) -> Iterator[type[MemorySmsBackend]]:
    settings.SMS_BACKEND = "kincare.accounts.sms.MemorySmsBackend"  # type: ignore[attr-defined]
    MemorySmsBackend.clear()
    yield MemorySmsBackend
    MemorySmsBackend.clear()


@pytest.fixture
def alice(db: None) -> User:
    return make_user(display_name="alice")


@pytest.fixture
def bob(db: None) -> User:
    return make_user(display_name="bob")


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client
