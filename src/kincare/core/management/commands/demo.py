"""``kincare demo`` — idempotent demo data: one staff user per role and demo families.

The steps are the apps' own (``kincare.core.demo``: each app registers its step in its
``AppConfig.ready``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kincare.core.demo import demo_steps


class Command(BaseCommand):
    help = "Create (or refresh) the demo staff and families. Safe to run any number of times."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families",
            type=int,
            default=0,
            help="also generate N synthetic families (census-like demographics) for the batch and benchmarks",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["families"] < 0:
            raise CommandError("--families must be 0 or more")
        steps = demo_steps.items()
        with transaction.atomic():
            printed = {name: step.run(options) for name, step in steps if not step.own_transaction}
        self.stdout.write(
            "kincare 演示数据已就绪 (demo data ready). 登录 / log in at http://127.0.0.1:8000/accounts/login/"
        )
        for name, step in steps:
            for line in printed[name] if name in printed else step.run(options):
                self.stdout.write(line)
