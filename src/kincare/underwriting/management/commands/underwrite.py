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
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.core.errors import ValidationFailed
from kincare.underwriting.engine import Applicant, RuleBook, RuleTableInvalid, underwrite
from kincare.underwriting.engine.shipped import RULES_DIR, product_questionnaires, shipped_book
from kincare.underwriting.services import parse_conditions

#: a longer line is refused rather than parsed (a declaration is a few hundred bytes)
MAX_LINE_BYTES = 1024 * 1024
SEXES = ("M", "F")


class LineInvalid(Exception):
    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def read_line(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineInvalid("json_invalid", f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise LineInvalid("json_invalid", "not JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise LineInvalid("line_invalid", "each line must be a JSON object")
    return data


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
    return Applicant(conditions=parse_conditions(data.get("conditions", [])), age=age, sex=sex)


def _lines(stream: IO[Any]) -> Iterator[str | bytes]:
    yield from stream


class Command(BaseCommand):
    help = "Decide applicants (JSON lines) with the shipped underwriting rule tables; no database needed"
    # An engine CLI: no system checks (they may touch settings the run does not need).
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--product", help="product code from the sample catalog, e.g. med_11")
        which.add_argument("--questionnaire", help="questionnaire code, e.g. medical_chronic")
        parser.add_argument("--input", default="-", help="JSON-lines file of applicants ('-' = stdin, the default)")
        parser.add_argument("--rules", default=None, help="rule tables directory (default: the shipped tables)")
        parser.add_argument("--on-date", default=None, help="decide as of this date, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        book = self._book(options)
        on_date = self._on_date(options["on_date"])
        source = options["input"]
        if source == "-":
            stream: IO[Any] = options.get("stdin") or sys.stdin
            stream = getattr(stream, "buffer", stream)
            decided, failed = self._run(_lines(stream), book, on_date)
        else:
            try:
                with open(source, "rb") as handle:
                    decided, failed = self._run(_lines(handle), book, on_date)
            except OSError as exc:
                raise CommandError(f"cannot read {source}: {exc.strerror or exc}") from None
        if failed:
            self.stderr.write(f"{failed} line(s) could not be read; {decided} decided")
            if not decided:
                raise CommandError("no line could be decided")

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

    # -- the loop --------------------------------------------------------------------------------

    def _run(self, lines: Iterable[str | bytes], book: RuleBook | None, on_date: dt.date) -> tuple[int, int]:
        decided = failed = 0
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            record_id: Any = None
            try:
                data = read_line(self._text(raw))
                record_id = data.get("id")
                decision = underwrite(book, parse_applicant(data), on_date=on_date)
            except LineInvalid as exc:
                failed += 1
                self._error(number, exc.code, exc.message, exc.field, record_id)
                continue
            except ValidationFailed as exc:
                failed += 1
                self._error(number, exc.code, str(exc.message), exc.field or "", record_id)
                continue
            out = decision.as_json()
            if record_id is not None:
                out = {"id": record_id, **out}
            self._emit(out)
            decided += 1
        return decided, failed

    @staticmethod
    def _text(raw: str | bytes) -> str:
        if isinstance(raw, bytes):
            if len(raw) > MAX_LINE_BYTES:
                raise LineInvalid("line_too_long", f"a line is at most {MAX_LINE_BYTES // 1024} KB")
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                raise LineInvalid("encoding_invalid", "the line is not UTF-8 text") from None
        if len(raw) > MAX_LINE_BYTES:
            raise LineInvalid("line_too_long", f"a line is at most {MAX_LINE_BYTES // 1024} KB")
        return raw

    def _error(self, number: int, code: str, message: str, field: str, record_id: Any) -> None:
        out: dict[str, Any] = {"line": number, "error": {"code": code, "message": message, "field": field}}
        if record_id is not None:
            out["id"] = record_id
        self._emit(out)

    def _emit(self, data: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))
        self.stdout.flush()
