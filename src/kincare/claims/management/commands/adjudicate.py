"""``kincare adjudicate [--input FILE|-]``: adjudicate claim requests (JSON lines) without a database.

Input: one claim request per line, the shape of ../shared/spec/claims.md (``claim_id``,
``policy``, ``accumulators``, ``claim`` and an optional ``risk``); the critical-illness and
accident fields are documented in ``kincare.claims.engine`` (``policy.category``
``"critical_illness"``: ``sum_insured_fen``, ``severities`` {severe|moderate|mild: {ratio,
max_payouts, icd_prefixes?}}, ``multiple_payout_groups``, ``payout_gap_days``;
``accumulators.payouts`` / ``last_payout_on``; ``claim.severity``. ``"accident"``: a
benefit ``accidental_medical``, ``claim.is_accident`` true). ``--input -`` (the default) reads stdin.

Output: one JSON line per input line, in order — the decision ``{"claim_id", "decision",
"reasons", "benefit", "covered_fen", "not_covered_fen", "base_fen", "deductible_applied_fen",
"ratio", "payout_fen", "accumulators_after", "flags", "lines"}`` (``--brief`` leaves out
``lines``, the explanation). A line that cannot be read (not UTF-8, not JSON, a wrong or missing
field) yields ``{"line": n, "claim_id": ..., "error": {"code", "message", "field"}}`` (``claim_id``
when readable) and the run goes on; blank lines are skipped (but counted in ``n``). Each line is
adjudicated on its own: accumulators are not carried from one line to the next.

Exit status: 0 when every line was adjudicated, when some were and some were not (the errors are
in the output, and a count is written to stderr), and for empty input; 1 when there was input but
not a single line could be adjudicated, or the input file cannot be read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.claims.engine import adjudicate
from kincare.core.errors import ValidationFailed

#: a longer line is refused rather than parsed (a claim is a few kilobytes)
MAX_LINE_BYTES = 1024 * 1024


class LineInvalid(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def read_line(raw: str | bytes) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise LineInvalid("line_too_long", f"a line is at most {MAX_LINE_BYTES // 1024} KB")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LineInvalid("encoding_invalid", "the line is not UTF-8 text") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineInvalid("json_invalid", f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise LineInvalid("json_invalid", "not JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise LineInvalid("object_required", "each line must be a JSON object")
    return data


class Command(BaseCommand):
    help = (
        "Adjudicate claim requests (JSON lines: claim_id, policy, accumulators, claim, risk?) with the claims "
        "engine; no database needed. Categories: medical, accident, critical_illness (fields in "
        "kincare.claims.engine). Exit 0 when at least one line was adjudicated (or the input is empty), 1 otherwise."
    )
    # An engine CLI: no system checks (they may touch settings the run does not need).
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", default="-", help="JSON-lines file of claim requests ('-' = stdin, the default)")
        parser.add_argument("--brief", action="store_true", help="leave the explanation lines out of the output")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["input"]
        brief = bool(options["brief"])
        if source == "-":
            stream: IO[Any] = options.get("stdin") or sys.stdin
            stream = getattr(stream, "buffer", stream)
            decided, failed = self._run(stream, brief)
        else:
            try:
                with open(source, "rb") as handle:
                    decided, failed = self._run(handle, brief)
            except OSError as exc:
                raise CommandError(f"cannot read {source}: {exc.strerror or exc}") from None
        if failed:
            self.stderr.write(f"{failed} line(s) could not be read; {decided} adjudicated")
            if not decided:
                raise CommandError("no line could be adjudicated")

    def _run(self, lines: Iterable[str | bytes], brief: bool) -> tuple[int, int]:
        decided = failed = 0
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            claim_id: Any = None
            try:
                data = read_line(raw)
                claim_id = data.get("claim_id")
                result = adjudicate(data)
            except LineInvalid as exc:
                failed += 1
                self._error(number, exc.code, exc.message, exc.field, claim_id)
                continue
            except ValidationFailed as exc:
                failed += 1
                self._error(number, exc.code, exc.message, exc.field, claim_id)
                continue
            self._emit(result.as_json(lines=not brief))
            decided += 1
        return decided, failed

    def _error(self, number: int, code: str, message: str, field: str | None, claim_id: Any) -> None:
        out: dict[str, Any] = {"line": number}
        if isinstance(claim_id, str | int) and not isinstance(claim_id, bool):
            out["claim_id"] = claim_id
        out["error"] = {"code": code, "message": message, "field": field or ""}
        self._emit(out)

    def _emit(self, data: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))
