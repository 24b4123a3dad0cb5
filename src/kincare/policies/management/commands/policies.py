"""``kincare policies jobs [--today YYYY-MM-DD]``: run the scheduled policy jobs now.

The same jobs Celery beat runs (renewal reminders and offers, yearly instalment offers, lapse
of unpaid attempts and of policies whose instalment is overdue, expiry); each is idempotent.
``--today`` runs them as of 00:00 of that day (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.policies.services import (
    policies_expire_due,
    policies_lapse_unpaid,
    policies_offer_instalments,
    policies_offer_renewals,
    policies_send_renewal_reminders,
)
from kincare.policies.services.common import local_midnight


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Policies: run the scheduled jobs (renewal reminders and offers, instalment offers, lapse, expiry) now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        jobs = sub.add_parser("jobs", help="run every policy job once (idempotent)")
        jobs.add_argument("--today", type=str, default=None, help="run as of 00:00 of this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "jobs":  # pragma: no cover - argparse refuses other actions
            raise CommandError("unknown action")
        today = _day(options["today"]) if options["today"] else None
        now = local_midnight(today) if today is not None else None
        results = {
            "expired": policies_expire_due(now=now),
            "lapsed": policies_lapse_unpaid(now=now),
            "reminders": policies_send_renewal_reminders(today=today),
            "renewal_offers": policies_offer_renewals(today=today),
            "instalment_offers": policies_offer_instalments(today=today),
        }
        self.stdout.write(" ".join(f"{name}={count}" for name, count in results.items()))
