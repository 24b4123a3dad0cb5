from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("kincare.ledger")


@shared_task
def ledger_reconcile_task() -> int:
    """Nightly: reconcile balances and verify the public chains; log every discrepancy."""
    from kincare.core.ledger.checks import reconcile, verify

    problems = reconcile() + verify()
    for problem in problems:
        logger.error("ledger discrepancy %s", problem)
    return len(problems)
