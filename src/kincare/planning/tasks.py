"""Planning jobs: re-plan one family after a change; re-plan every family nightly."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="kincare.planning.tasks.family_replan_task")
def family_replan_task(family_id: int, trigger: str) -> int | None:
    from kincare.planning.services import family_replan

    plan = family_replan(family_id=family_id, trigger=trigger)
    return plan.pk if plan is not None else None


@shared_task(name="kincare.planning.tasks.replan_all_task")
def replan_all_task() -> int:
    from django.conf import settings

    from kincare.planning.batch import replan_all

    result = replan_all(
        scheduler=settings.PLANNING_DASK_SCHEDULER or None, workers=settings.PLANNING_DASK_WORKERS or None
    )
    return result.families
