"""``kincare ledger reconcile | verify | seal | balance CODE`` — exit 1 on any discrepancy."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.core.ledger.checks import reconcile, verify
from kincare.core.ledger.models import Account
from kincare.core.ledger.selectors import account_balance, public_chain_feed
from kincare.core.ledger.services import ledger_seal_all


class Command(BaseCommand):
    help = "Prove the ledger: reconcile cached balances, verify public hash chains."
    # An engine/ops CLI: no system checks (they may touch settings the run does not need).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reconcile", help="cached balances == summed postings; entries balance; no negative escrow")
        verify_p = sub.add_parser("verify", help="recompute every public hash chain; report the first break")
        verify_p.add_argument("--grace-seconds", type=int, default=300)
        sub.add_parser("seal", help="seal committed entries of public accounts into their chains")
        bal = sub.add_parser("balance", help="print an account's balance (fen)")
        bal.add_argument("code")
        feed = sub.add_parser("feed", help="print a public account's chain as JSON")
        feed.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "reconcile":
            self._report("reconcile", reconcile(), f"{Account.objects.count()} accounts")
        elif action == "verify":
            import datetime as dt

            problems = verify(grace=dt.timedelta(seconds=options["grace_seconds"]))
            self._report("verify", problems, f"{Account.objects.filter(public=True).count()} public chains")
        elif action == "seal":
            self.stdout.write(f"sealed {ledger_seal_all()} entries")
        elif action == "balance":
            try:
                self.stdout.write(str(account_balance(options["code"])))
            except Account.DoesNotExist:
                raise CommandError(f"no account {options['code']}") from None
        elif action == "feed":
            account = Account.objects.filter(code=options["code"], public=True).first()
            if account is None:
                raise CommandError(f"no public account {options['code']}")
            self.stdout.write(json.dumps(public_chain_feed(account), ensure_ascii=False, indent=2))

    def _report(self, name: str, problems: list[Any], scope: str) -> None:
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"ledger {name}: {len(problems)} discrepancies ({scope})")
        self.stdout.write(f"ledger {name}: OK ({scope})")
