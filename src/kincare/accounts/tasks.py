from __future__ import annotations

from celery import shared_task


@shared_task
def login_records_purge_task() -> tuple[int, int]:
    """Nightly: delete expired lockout windows and one-time codes."""
    from kincare.accounts.services import login_records_purge

    return login_records_purge()
