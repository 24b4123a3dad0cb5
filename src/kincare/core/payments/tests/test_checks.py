"""The system check against forgeable notifications, and turning the sandbox off."""

from __future__ import annotations

import pytest
from django.core.checks import ERROR, WARNING, run_checks

from kincare.core.errors import NotFound
from kincare.core.payments.checks import check_sandbox_secret
from kincare.core.payments.providers import get_provider
from kincare.core.payments.sandbox import DEFAULT_SANDBOX_SECRET

SANDBOX = "kincare.core.payments.sandbox.SandboxProvider"


@pytest.fixture
def deployed(settings):
    settings.DEBUG = False
    settings.TESTING = False
    settings.PRODUCTION = False
    settings.PAYMENT_SANDBOX_ENABLED = True
    settings.PAYMENT_PROVIDERS = {"sandbox": {"class": SANDBOX, "secret": DEFAULT_SANDBOX_SECRET}}
    return settings


def ids(messages):
    return [(m.id, m.level) for m in messages]


def test_the_default_secret_is_a_warning_once_served_beyond_loopback(deployed):
    deployed.ALLOWED_HOSTS = ["kincare.example.cn"]
    assert ids(check_sandbox_secret()) == [("kincare.payments.W001", WARNING)]


def test_the_embedded_demo_on_loopback_stays_quiet(deployed):
    deployed.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert check_sandbox_secret() == []


def test_the_default_secret_is_an_error_in_production(deployed):
    deployed.PRODUCTION = True
    assert ids(check_sandbox_secret()) == [("kincare.payments.E001", ERROR)]


def test_the_check_is_registered(deployed):
    deployed.PRODUCTION = True
    assert "kincare.payments.E001" in [m.id for m in run_checks(tags=["payments"])]


def test_an_own_secret_passes_outside_production(deployed):
    deployed.PAYMENT_PROVIDERS = {"sandbox": {"class": SANDBOX, "secret": "a-long-private-secret"}}
    assert check_sandbox_secret() == []


def test_the_sandbox_in_production_is_a_warning_even_with_its_own_secret(deployed):
    deployed.PRODUCTION = True
    deployed.PAYMENT_PROVIDERS = {"sandbox": {"class": SANDBOX, "secret": "a-long-private-secret"}}
    assert ids(check_sandbox_secret()) == [("kincare.payments.W002", WARNING)]


@pytest.mark.parametrize("flag", ["DEBUG", "TESTING"])
def test_debug_and_test_runs_are_quiet(deployed, flag):
    setattr(deployed, flag, True)
    assert check_sandbox_secret() == []


def test_a_disabled_sandbox_passes_and_cannot_be_used(deployed):
    deployed.PRODUCTION = True
    deployed.PAYMENT_SANDBOX_ENABLED = False
    assert check_sandbox_secret() == []
    with pytest.raises(NotFound) as exc:
        get_provider("sandbox")
    assert exc.value.code == "sandbox_disabled"
