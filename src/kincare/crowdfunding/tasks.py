"""Crowdfunding jobs: end live campaigns at their end date or goal; refund a terminated campaign."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="kincare.crowdfunding.tasks.campaigns_end_due_task")
def campaigns_end_due_task() -> int:
    from kincare.crowdfunding.services import campaigns_end_due

    return campaigns_end_due()


@shared_task(
    name="kincare.crowdfunding.tasks.campaign_refunds_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=10,
)
def campaign_refunds_task(campaign_id: int, reason: str) -> int:
    """Refund a terminated campaign's donors (idempotent: a retry resumes where it stopped)."""
    from kincare.crowdfunding.services import campaign_refunds

    return campaign_refunds(campaign_id=campaign_id, reason=reason)
