"""``kincare underwriting import``: make the shipped rule tables version 1, active, where a table has none yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kincare.underwriting.services import ruleset_import_shipped


class Command(BaseCommand):
    help = "Underwriting maintenance: import (the shipped rule tables, idempotent)"
    # needs the database only
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("import", help="import the shipped rule tables as active version 1 where none exists")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            created = ruleset_import_shipped()
            self.stdout.write(f"imported {created} rule table(s)")
