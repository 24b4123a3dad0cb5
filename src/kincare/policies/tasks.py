"""Celery tasks of policies (names are referenced by the beat schedule in settings)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="kincare.policies.tasks.policies_send_renewal_reminders_task")
def policies_send_renewal_reminders_task() -> int:
    """Remind policyholders of one-year policies ending within 30 days (once per policy)."""
    from kincare.policies.services import policies_send_renewal_reminders

    return policies_send_renewal_reminders()


@shared_task(name="kincare.policies.tasks.policies_offer_renewals_task")
def policies_offer_renewals_task() -> int:
    """Renewal offers (guaranteed: same terms; otherwise underwritten again)."""
    from kincare.policies.services import policies_offer_renewals

    return policies_offer_renewals()


@shared_task(name="kincare.policies.tasks.policies_lapse_unpaid_task")
def policies_lapse_unpaid_task() -> int:
    """Pending policies whose order expired, closed or failed lapse; so do policies whose yearly
    instalment is unpaid after the 60-day grace period."""
    from kincare.policies.services import policies_lapse_unpaid

    return policies_lapse_unpaid()


@shared_task(name="kincare.policies.tasks.policies_expire_due_task")
def policies_expire_due_task() -> int:
    """Active policies past their end expire."""
    from kincare.policies.services import policies_expire_due

    return policies_expire_due()


@shared_task(name="kincare.policies.tasks.policies_offer_instalments_task")
def policies_offer_instalments_task() -> int:
    """Yearly instalments of long-term policies due within 30 days: payable applications, notified."""
    from kincare.policies.services import policies_offer_instalments

    return policies_offer_instalments()
