"""The system check against forgeable notifications, and turning the sandbox off."""

from __future__ import annotations

import pytest
from django.core.checks import ERROR, WARNING, run_checks

from kincare.core.errors import NotFound
from kincare.core.payments.checks import check_sandbox_only_in_demo, check_sandbox_secret
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


@pytest.mark.parametrize("secret", [DEFAULT_SANDBOX_SECRET, "a-long-private-secret"])
def test_it_refuses_to_start_with_the_sandbox_outside_a_demo(deployed, secret):
    deployed.DEMO = False
    deployed.PAYMENT_PROVIDERS = {"sandbox": {"class": SANDBOX, "secret": secret}}
    assert ids(check_sandbox_only_in_demo()) == [("kincare.payments.E002", ERROR)]
    assert "kincare.payments.E002" in [m.id for m in run_checks(tags=["payments"])]


def test_a_demo_may_run_the_sandbox(deployed):
    deployed.DEMO = True
    assert check_sandbox_only_in_demo() == []


def test_outside_a_demo_a_disabled_sandbox_or_a_real_provider_passes(deployed):
    deployed.DEMO = False
    deployed.PAYMENT_SANDBOX_ENABLED = False
    assert check_sandbox_only_in_demo() == []
    deployed.PAYMENT_SANDBOX_ENABLED = True
    deployed.PAYMENT_PROVIDERS = {"wechat": {"class": "kincare.core.payments.providers.PaymentProvider"}}
    assert check_sandbox_only_in_demo() == []


@pytest.mark.parametrize(
    ("environ", "demo"),
    [
        ({}, True),
        ({"DATABASE_URL": "postgres://db/kincare"}, False),
        ({"DATABASE_URL": "postgres://db/kincare", "KINCARE_TESTING": "true"}, True),
        ({"DATABASE_URL": "postgres://db/kincare", "KINCARE_DEMO": "true"}, True),
        ({"KINCARE_DEMO": "false"}, False),
    ],
)
def test_demo_is_on_for_tests_and_the_embedded_default_only(monkeypatch, environ, demo):
    import importlib

    import kincare.settings as settings_module

    for name in ("DATABASE_URL", "DATABASE_URL_FILE", "KINCARE_TESTING", "KINCARE_DEMO"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    try:
        assert importlib.reload(settings_module).DEMO is demo
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)
