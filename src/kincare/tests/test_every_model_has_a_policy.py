"""One permission policy per model: every model of every kincare app has a
``kincare.core.permissions.Policy`` subclass for it in ``<app>/policies.py``.

Core's own tables are left out, for a reason each: the ledger (accounts, balances, journal
entries and postings, the public hash chain) is written only by ``ledger_post`` and read by its
selectors as figures, never as a user's rows; payments (orders, refunds, provider notifications,
the sandbox) are reached only through the purpose that owns the order (a donation, a premium),
whose policy decides; the audit trail and recorded status changes are append-only records for
operators (the admin's model permissions); notifications are addressed to one recipient and read
by them alone through ``core.notifications``. Core imports no app, so it could not name the
apps' rules anyway.
"""

from __future__ import annotations

import importlib
import inspect

from django.apps import apps

from kincare.core.permissions import Policy

CORE_APPS = {"core", "ledger", "payments"}


def _kincare_app_configs() -> list:
    return [
        config
        for config in apps.get_app_configs()
        if config.name.startswith("kincare.") and config.label not in CORE_APPS and list(config.get_models())
    ]


def _policies_of(config) -> dict[type, type]:
    module = importlib.import_module(f"{config.name}.policies")
    found: dict[type, type] = {}
    for _name, value in inspect.getmembers(module, inspect.isclass):
        model = getattr(value, "model", None)
        if issubclass(value, Policy) and value.__module__ == module.__name__ and model is not None:
            found[model] = value
    return found


def test_every_app_that_owns_models_has_a_policies_module() -> None:
    missing = []
    for config in _kincare_app_configs():
        try:
            importlib.import_module(f"{config.name}.policies")
        except ModuleNotFoundError:
            missing.append(config.name)
    assert missing == []


def test_every_model_of_every_app_has_a_policy_in_its_app() -> None:
    missing = []
    for config in _kincare_app_configs():
        policies = _policies_of(config)
        missing += [model._meta.label for model in config.get_models() if model not in policies]
    assert missing == []


def test_each_model_has_one_policy_only() -> None:
    for config in _kincare_app_configs():
        module = importlib.import_module(f"{config.name}.policies")
        models = [
            value.model
            for _name, value in inspect.getmembers(module, inspect.isclass)
            if issubclass(value, Policy) and value.__module__ == module.__name__ and getattr(value, "model", None)
        ]
        assert len(models) == len(set(models)), config.name


def test_the_apps_checked_are_every_kincare_app_with_models() -> None:
    labels = {config.label for config in _kincare_app_configs()}
    assert {
        "accounts",
        "catalog",
        "claims",
        "crowdfunding",
        "families",
        "planning",
        "policies",
        "underwriting",
    } <= labels
