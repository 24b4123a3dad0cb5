"""Core imports no app: what it needs from the apps (purpose handlers, dashboard figures and
queues, demo steps) the apps register in their ``AppConfig.ready``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from kincare.accounts.models import StaffRole
from kincare.core.dashboard import figure_providers, queue_providers
from kincare.core.demo import demo_steps
from kincare.core.payments import handlers
from kincare.core.payments import selectors as payment_selectors
from kincare.core.registry import Registry
from kincare.crowdfunding.services.donations import donation_on_paid
from kincare.policies.services.applications import application_on_decision
from kincare.policies.services.premiums import premium_on_paid
from kincare.underwriting.services import decision_listeners


def test_a_registry_refuses_a_second_value_under_a_taken_key():
    registry: Registry[int] = Registry("thing")
    registry.register("a", 1)
    registry.register("a", 1)  # the same again: ready() may run twice
    with pytest.raises(ImproperlyConfigured):
        registry.register("a", 2)
    assert registry.get("a") == 1


def test_a_registry_gives_its_entries_by_order_then_by_registration():
    registry: Registry[str] = Registry("thing")
    registry.register("late", "c", order=20)
    registry.register("first", "a", order=10)
    registry.register("second", "b", order=10)
    assert list(registry) == ["a", "b", "c"]
    assert [key for key, _value in registry.items()] == ["first", "second", "late"]


def test_each_app_registers_the_handler_of_its_payment_purpose():
    assert handlers.purpose_handler("test") is handlers.test_on_paid
    assert handlers.purpose_handler("premium") is premium_on_paid
    assert handlers.purpose_handler("donation") is donation_on_paid
    assert handlers.purpose_handler("nobody-sells-this") is None


def test_policies_moves_its_applications_on_when_an_underwriter_decides():
    assert decision_listeners.get("policies") is application_on_decision


def test_the_dashboard_shows_underwriting_then_issuance_then_claims():
    assert [key for key, _provider in figure_providers.items()] == ["underwriting", "issuance", "claims"]
    assert [key for key, _provider in queue_providers.items()] == ["manual", "claims"]


def test_the_demo_runs_staff_first_and_the_synthetic_families_last():
    assert [key for key, _step in demo_steps.items()] == [
        "staff",
        "catalog",
        "underwriting",
        "families",
        "policies",
        "planning",
        "crowdfunding",
        "synthetic families",
    ]
    assert [key for key, step in demo_steps.items() if step.own_transaction] == ["synthetic families"]


def test_the_payments_operator_role_is_the_accounts_one():
    assert payment_selectors.OPERATOR_ADMIN == StaffRole.OPERATOR_ADMIN
