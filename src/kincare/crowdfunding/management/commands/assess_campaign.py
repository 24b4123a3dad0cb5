"""``kincare assess-campaign --input CAMPAIGNS.jsonl``: verify campaigns without a database.

Reads one campaign's facts per line (the crowdfunding spec's contract; ``--input -``, the
default, reads stdin) and writes one line per campaign::

    {"campaign_id", "decision": "reject" | "review" | "approve", "goal_cap_fen", "score",
     "reasons": [codes], "explanation": [one Chinese sentence per reason]}

A line that cannot be read (not UTF-8, not JSON, not an object, a missing or unknown field, a
wrong type, a negative or absurd amount) yields ``{"line": n, "error": {"code", "message",
"field"}}`` plus ``"campaign_id"`` when the line has a readable one, and the run goes on. An
invalid resident ID is not such an error: it is a reason (``invalid_patient_id``).

Exit status: 0 when at least one line was assessed or the input is empty; 1 when there was
input but no line could be assessed, or the input file cannot be read.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation

from kincare.core.jsonlines import JsonLinesCommand
from kincare.crowdfunding.engine import assess, parse_facts, render_reason


class Command(JsonLinesCommand):
    help = "Assess crowdfunding campaigns (JSON lines): decision, goal cap, risk score, reasons; no database needed"
    verb = "assessed"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        self.add_input_argument(parser, "campaign facts")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            self.run_lines(options)

    def decide(self, data: dict[str, Any]) -> dict[str, Any]:
        assessment = assess(parse_facts(data))
        out = assessment.as_json()
        out["explanation"] = [render_reason(reason) for reason in assessment.reasons]
        return out

    def error_output(
        self, number: int, code: str, message: str, field: str | None, data: dict[str, Any] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"line": number}
        campaign_id = data.get("campaign_id") if data else None
        if isinstance(campaign_id, str):
            out["campaign_id"] = campaign_id
        out["error"] = {"code": code, "message": message, "field": field or ""}
        return out
