from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger("kincare.ledger")


@shared_task
def ledger_reconcile_task() -> int:
    """Nightly: seal whole chains, reconcile balances and verify the chains; log every discrepancy."""
    from kincare.core.ledger.checks import reconcile, verify
    from kincare.core.ledger.services import ledger_seal_all

    ledger_seal_all(full=True)

    problems = reconcile() + verify()
    for problem in problems:
        logger.error("ledger discrepancy %s", problem)
    return len(problems)


@shared_task
def ledger_seal_task() -> int:
    """Every minute: seal recent public entries whose after-commit seal was lost or skipped."""
    from kincare.core.ledger.services import ledger_seal_all

    return ledger_seal_all(full=False)
