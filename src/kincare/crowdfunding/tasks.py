"""Crowdfunding jobs: end live campaigns at their end date or goal."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="kincare.crowdfunding.tasks.campaigns_end_due_task")
def campaigns_end_due_task() -> int:
    from kincare.crowdfunding.services import campaigns_end_due

    return campaigns_end_due()
