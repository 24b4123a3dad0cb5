"""The JSON-lines loop the engine CLIs share (``kincare plan``, ``adjudicate``, ``underwrite``…).

One JSON object per input line, one JSON line out per input line, in order; a line that cannot
be read or decided yields an error line for that line and the run goes on. Blank lines are
skipped (but counted). Exit 0 when at least one line was decided or the input is empty; 1 when
there was input and not one line could be decided.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.core.errors import ValidationFailed

logger = logging.getLogger(__name__)
#: a longer line is refused rather than parsed
MAX_LINE_BYTES = 1024 * 1024


class LineInvalid(Exception):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def read_line(raw: str | bytes) -> dict[str, Any]:
    """One line as a JSON object, or ``LineInvalid`` with a stable code."""
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
    except ValueError:  # e.g. an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise LineInvalid("json_invalid", "not JSON: a number too long to read") from None
    if not isinstance(data, dict):
        raise LineInvalid("object_required", "each line must be a JSON object")
    return data


class JsonLinesCommand(BaseCommand):
    """A management command that maps JSON lines to JSON lines with ``decide(data)``."""

    # An engine CLI: no system checks (they may touch settings the run does not need).
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)
    verb = "decided"

    def add_input_argument(self, parser: CommandParser, what: str) -> None:
        parser.add_argument("--input", default="-", help=f"JSON-lines file of {what} ('-' = stdin, the default)")

    def decide(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def error_output(
        self, number: int, code: str, message: str, field: str | None, data: dict[str, Any] | None
    ) -> dict[str, Any]:
        return {"line": number, "error": {"code": code, "message": message, "field": field or ""}}

    def run_lines(self, options: dict[str, Any]) -> None:
        source = options["input"]
        if source == "-":
            stream: IO[Any] = options.get("stdin") or sys.stdin
            decided, failed = self._loop(getattr(stream, "buffer", stream))
        else:
            try:
                with open(source, "rb") as handle:
                    decided, failed = self._loop(handle)
            except OSError as exc:
                raise CommandError(f"cannot read {source}: {exc.strerror or exc}") from None
        if failed:
            self.stderr.write(f"{failed} line(s) could not be read; {decided} {self.verb}")
            if not decided:
                raise CommandError(f"no line could be {self.verb}")

    def _loop(self, lines: Iterable[str | bytes]) -> tuple[int, int]:
        decided = failed = 0
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            data: dict[str, Any] | None = None
            try:
                data = read_line(raw)
                out = self.decide(data)
            except LineInvalid as exc:
                failed += 1
                self.emit(self.error_output(number, exc.code, exc.message, exc.field, data))
                continue
            except ValidationFailed as exc:
                failed += 1
                self.emit(self.error_output(number, exc.code, exc.message, exc.field, data))
                continue
            except Exception as exc:  # one line's failure (a solver limit, an engine error) is that line's
                failed += 1
                logger.exception("line %d could not be %s", number, self.verb)
                self.emit(self.error_output(number, "internal_error", f"{type(exc).__name__}: {exc}"[:300], None, data))
                continue
            self.emit(out)
            decided += 1
        return decided, failed

    def emit(self, data: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))
        self.stdout.flush()
