"""``kincare underwrite --product CODE --input ANSWERS.jsonl``: decide applicants without a database.

Reads the shipped rule tables (``underwriting/data``, or ``--rules DIR`` laid out as
``DIR/<questionnaire>/<condition>.json``) through the same engine the services use. The product
names its questionnaire in the sample catalog; ``--questionnaire CODE`` picks one directly. A
product that asks no health questions (accident cover) decides every line ``standard``.

Input: one JSON object per line (``--input -``, the default, reads stdin)::

    {"conditions": [{"code": "hypertension", "attributes": {...}, "diagnosed_on": "2020-05-01"}],
     "age": 45, "sex": "M", "id": "anything"}

``conditions`` (default ``[]``), ``age``, ``sex`` and ``id`` are optional. Output: one JSON line per
input line, in order — the decision ``{"outcome", "loading_pct", "exclusions", "postpone_months",
"reasons", "conditions": [...]}`` with ``"id"`` echoed when the line had one. A line that cannot
be read (not UTF-8, not JSON, wrong types, an unknown condition, a bad attribute) yields
``{"line": n, "error": {"code", "message", "field"}}`` (plus ``"id"`` when readable) and the run
goes on; blank lines are skipped (but counted in ``n``).

Exit status: 0 when every line was decided, when some were and some were not (the errors are
in the output, and a count is written to stderr), and for empty input; 1 when there was input
but not a single line could be decided, or for a bad invocation (unknown product or
questionnaire, unreadable file, a rule table the engine refuses).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from kincare.core.jsonlines import JsonLinesCommand, LineInvalid
from kincare.underwriting.engine import Applicant, RuleBook, RuleTableInvalid, underwrite
from kincare.underwriting.engine.shipped import RULES_DIR, product_questionnaires, shipped_book
from kincare.underwriting.form_schemas import conditions_parsed

SEXES = ("M", "F")


def parse_applicant(data: dict[str, Any]) -> Applicant:
    """The applicant of one line, or LineInvalid / ValidationFailed naming the field."""
    unknown = sorted(set(data) - {"conditions", "age", "sex", "id"})
    if unknown:
        raise LineInvalid("field_unknown", f"unknown field {unknown[0]!r}", unknown[0])
    age = data.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130):
        raise LineInvalid("age_invalid", "age must be a whole number of years from 0 to 130", "age")
    sex = data.get("sex")
    if sex is not None and sex not in SEXES:
        raise LineInvalid("sex_invalid", 'sex must be "M" or "F"', "sex")
    return Applicant(conditions=conditions_parsed(data.get("conditions", [])), age=age, sex=sex)


class Command(JsonLinesCommand):
    help = "Decide applicants (JSON lines) with the shipped underwriting rule tables; no database needed"

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--product", help="product code from the sample catalog, e.g. med_11")
        which.add_argument("--questionnaire", help="questionnaire code, e.g. medical_chronic")
        self.add_input_argument(parser, "applicants")
        parser.add_argument("--rules", default=None, help="rule tables directory (default: the shipped tables)")
        parser.add_argument("--on-date", default=None, help="decide as of this date, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.book = self._book(options)
        self.on_date = self._on_date(options["on_date"])
        self.run_lines(options)

    def decide(self, data: dict[str, Any]) -> dict[str, Any]:
        out = underwrite(self.book, parse_applicant(data), on_date=self.on_date).as_json()
        return {"id": data["id"], **out} if data.get("id") is not None else out

    def error_output(
        self, number: int, code: str, message: str, field: str | None, data: dict[str, Any] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"line": number, "error": {"code": code, "message": message, "field": field or ""}}
        if data and data.get("id") is not None:
            out["id"] = data["id"]
        return out

    # -- setup ---------------------------------------------------------------------------------

    def _book(self, options: dict[str, Any]) -> RuleBook | None:
        rules_dir = Path(options["rules"]).resolve() if options["rules"] else RULES_DIR
        if options["rules"] and not rules_dir.is_dir():
            raise CommandError(f"--rules {options['rules']}: not a directory")
        questionnaire = options["questionnaire"]
        if options["product"]:
            products = product_questionnaires()
            if options["product"] not in products:
                raise CommandError(f"unknown product {options['product']!r}")
            questionnaire = products[options["product"]]
            if questionnaire is None:
                return None  # no health questions: every applicant is standard
        elif not questionnaire:
            raise CommandError("give --product CODE or --questionnaire CODE")
        try:
            return shipped_book(questionnaire, rules_dir)
        except KeyError:
            raise CommandError(f"unknown questionnaire {questionnaire!r} (no folder in {rules_dir})") from None
        except RuleTableInvalid as exc:
            raise CommandError(f"the rule tables of {questionnaire!r} are invalid: {exc}") from None
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the rule tables of {questionnaire!r}: {exc}") from None

    @staticmethod
    def _on_date(text: str | None) -> dt.date:
        if not text:
            return dt.date.today()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError("--on-date must be YYYY-MM-DD") from None
