"""``kincare score [--catalog DIR] [--category C]``: score a YAML catalog, one JSON line per product.

Needs no database: it reads the YAML through the same schemas and engine the import uses, with
the default weights (or ``--weights coverage=35,price=20,…``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.catalog.engine import DIMENSIONS, Weights, score_catalog
from kincare.catalog.sources import DATA_DIR, CatalogInvalid, current_products, load_catalog, product_facts


def parse_weights(text: str) -> Weights:
    values: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, number = part.partition("=")
        if name not in (*DIMENSIONS, "threshold") or not number.strip().isdigit():
            raise CommandError(f"bad weight {part!r}: use name=integer with names {', '.join(DIMENSIONS)}, threshold")
        values[name] = int(number)
    return Weights(**values)


class Command(BaseCommand):
    help = "Score a catalog directory (YAML) without a database; prints one JSON line per product"
    # An engine/ops CLI: no system checks (they may touch settings the run does not need).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--catalog", default=str(DATA_DIR), help="catalog directory (default: the sample catalog)")
        parser.add_argument("--category", default=None)
        parser.add_argument("--weights", default="", help="e.g. coverage=35,price=20,renewal=20,insurer=15,services=10")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            catalog = load_catalog(options["catalog"])
        except CatalogInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s) in {options['catalog']}") from None
        insurers = {i.code: i for i in catalog.insurers}
        facts = [product_facts(p, insurers[p.insurer]) for p in current_products(catalog)]
        weights = parse_weights(options["weights"])
        for score in score_catalog(facts, weights):
            if options["category"] and score.category != options["category"]:
                continue
            self.stdout.write(json.dumps(score.as_json(), ensure_ascii=False))
