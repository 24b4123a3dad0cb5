"""Policies pages (mobile-first, zh-hans): apply with a live quote, the application and its
health questionnaire, the family wallet, a policy's page, external policies.

Each page parses with a form and calls one service or selector; errors from the services are
shown next to their field.
"""

from kincare.policies.views.applications import (
    application_beneficiaries,
    application_detail,
    application_pay,
    application_withdraw,
    health,
    health_fields,
)
from kincare.policies.views.apply import apply, apply_quote
from kincare.policies.views.wallet import (
    external_new,
    external_remove,
    policy_cancel,
    policy_detail,
    wallet,
)

__all__ = [
    "application_beneficiaries",
    "application_detail",
    "application_pay",
    "application_withdraw",
    "apply",
    "apply_quote",
    "external_new",
    "external_remove",
    "health",
    "health_fields",
    "policy_cancel",
    "policy_detail",
    "wallet",
]
