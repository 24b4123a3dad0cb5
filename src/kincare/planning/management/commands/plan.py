"""``kincare plan --input FAMILIES.jsonl [--catalog DIR]``: plan families without a database.

Reads one family per line (the planning spec's contract) and writes one plan per line:
``family_id``, ``budget_fen``, ``total_premium_fen``, ``objective``,
``premium_to_close_all_gaps_fen``, ``errors``, ``items`` and ``members`` (plus ``as_of``,
``budget_is_default`` and the explanation ``notes``, structured, and ``explanation``, the same
rendered as Chinese sentences). Products come from the catalog directory (default: the sample
catalog), scored with the default weights; underwriting uses the shipped rule tables. A line
that cannot be read yields a plan-shaped line with an empty plan and one ``errors`` entry
``{"line", "code", "message", "field"}``, and the run goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import translation

from kincare.catalog.sources import DATA_DIR, CatalogInvalid
from kincare.core.jsonlines import JsonLinesCommand
from kincare.planning.engine import PlanningCatalog, parse_family, plan_family, render_note
from kincare.planning.engine.shipped import load_planning_catalog


class Command(JsonLinesCommand):
    help = "Plan families (JSON lines) against a catalog directory; no database needed"
    verb = "planned"

    def add_arguments(self, parser: CommandParser) -> None:
        self.add_input_argument(parser, "families")
        parser.add_argument("--catalog", default=str(DATA_DIR), help="catalog directory (default: the sample catalog)")
        parser.add_argument("--solver", choices=("cpsat", "highs"), default="cpsat")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.catalog: PlanningCatalog = load_planning_catalog(Path(options["catalog"]).resolve())
        except CatalogInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s) in {options['catalog']}") from None
        except OSError as exc:
            raise CommandError(f"cannot read the catalog {options['catalog']}: {exc}") from None
        self.backend = options["solver"]
        with translation.override("zh-hans"):
            self.run_lines(options)

    def decide(self, data: dict[str, Any]) -> dict[str, Any]:
        family = parse_family(data)
        result = plan_family(family, self.catalog, backend=self.backend)
        out = result.as_json()
        names = {m.member_id: m.label for m in family.members}
        out["explanation"] = [render_note(note, names) for note in result.notes]
        return out

    def error_output(
        self, number: int, code: str, message: str, field: str | None, data: dict[str, Any] | None
    ) -> dict[str, Any]:
        family_id = data.get("family_id") if data else None
        if isinstance(family_id, bool) or not isinstance(family_id, str | int):
            family_id = None
        return {
            "family_id": family_id,
            "budget_fen": None,
            "total_premium_fen": 0,
            "objective": 0.0,
            "premium_to_close_all_gaps_fen": 0,
            "errors": [{"line": number, "code": code, "message": message, "field": field or ""}],
            "items": [],
            "members": [],
        }
