"""Policies writes: quotes, applications, payment and issue, cooling-off, renewals, yearly
instalments, 保单托管.

Import from here: ``from kincare.policies.services import application_create``.
"""

from kincare.policies.services.applications import (
    application_answer,
    application_create,
    application_on_decision,
    application_prefill,
    application_set_beneficiaries,
    application_withdraw,
)
from kincare.policies.services.cancellation import cooling_off_last_day, policy_cancel
from kincare.policies.services.external import external_policy_add, external_policy_remove
from kincare.policies.services.instalments import next_premium_on, policies_offer_instalments
from kincare.policies.services.issuance import application_pay
from kincare.policies.services.premiums import premium_on_paid
from kincare.policies.services.quotes import PolicyQuote, QuoteLine, payment_years_offered, policy_quote
from kincare.policies.services.renewals import (
    policies_expire_due,
    policies_lapse_unpaid,
    policies_offer_renewals,
    policies_send_renewal_reminders,
)

__all__ = [
    "PolicyQuote",
    "QuoteLine",
    "application_answer",
    "application_create",
    "application_on_decision",
    "application_pay",
    "application_prefill",
    "application_set_beneficiaries",
    "application_withdraw",
    "cooling_off_last_day",
    "external_policy_add",
    "external_policy_remove",
    "next_premium_on",
    "payment_years_offered",
    "policies_expire_due",
    "policies_lapse_unpaid",
    "policies_offer_instalments",
    "policies_offer_renewals",
    "policies_send_renewal_reminders",
    "policy_cancel",
    "policy_quote",
    "premium_on_paid",
]
