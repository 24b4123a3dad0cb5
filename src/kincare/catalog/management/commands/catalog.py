"""``kincare catalog import DIR``: validate a YAML catalog and upsert it (all or nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR, CatalogInvalid


class Command(BaseCommand):
    help = "Catalog maintenance: import DIR (validates, then upserts by code and version and rescores)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a catalog directory (insurers.yaml + products/*.yaml)")
        imp.add_argument("directory", nargs="?", default=str(DATA_DIR))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            try:
                result = catalog_import(directory=options["directory"])
            except CatalogInvalid as exc:
                for problem in exc.problems:
                    self.stderr.write(str(problem))
                raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported") from None
            self.stdout.write(
                f"imported {result.insurers} insurers, {result.products_created} new and "
                f"{result.products_updated} updated products; scored {result.scored}"
            )
