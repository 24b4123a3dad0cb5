"""Crowdfunding jobs: end live campaigns at their end date or goal; refund a terminated campaign."""

from __future__ import annotations

from celery import shared_task

# queued by ``campaign_terminate``, so defined next to it (services never import this module)
from kincare.crowdfunding.services.lifecycle import campaign_refunds_task

__all__ = ["campaign_refunds_task", "campaigns_end_due_task"]


@shared_task(name="kincare.crowdfunding.tasks.campaigns_end_due_task")
def campaigns_end_due_task() -> int:
    from kincare.crowdfunding.services.lifecycle import campaigns_end_due

    return campaigns_end_due()
