"""``kincare adjudicate [--input FILE|-]``: adjudicate claim requests (JSON lines) without a database.

Input: one claim request per line, the shape of ../shared/spec/claims.md (``claim_id``,
``policy``, ``accumulators``, ``claim`` and an optional ``risk``); the critical-illness and
accident fields are documented in ``kincare.claims.engine`` (``policy.category``
``"critical_illness"``: ``sum_insured_fen``, ``severities`` {severe|moderate|mild: {ratio,
max_payouts, icd_prefixes?}}, ``multiple_payout_groups``, ``payout_gap_days``, ``severe_groups?``;
``accumulators.payouts`` / ``last_payout_on`` / ``groups_paid``; ``claim.severity``. ``"accident"``: a
benefit ``accidental_medical``, ``claim.is_accident`` true). Without ``risk`` a line still gets the
``early_claim`` flag when it is served within 30 days after the waiting period (the engine computes
that from the policy). ``--input -`` (the default) reads stdin.

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

from typing import Any

from django.core.management.base import CommandParser

from kincare.claims.engine import adjudicate
from kincare.core.jsonlines import JsonLinesCommand


class Command(JsonLinesCommand):
    help = (
        "Adjudicate claim requests (JSON lines: claim_id, policy, accumulators, claim, risk?) with the claims "
        "engine; no database needed. Categories: medical, accident, critical_illness (fields in "
        "kincare.claims.engine). Exit 0 when at least one line was adjudicated (or the input is empty), 1 otherwise."
    )
    verb = "adjudicated"

    def add_arguments(self, parser: CommandParser) -> None:
        self.add_input_argument(parser, "claim requests")
        parser.add_argument("--brief", action="store_true", help="leave the explanation lines out of the output")

    def handle(self, *args: Any, **options: Any) -> None:
        self.brief = bool(options["brief"])
        self.run_lines(options)

    def decide(self, data: dict[str, Any]) -> dict[str, Any]:
        return adjudicate(data).as_json(lines=not self.brief)

    def error_output(
        self, number: int, code: str, message: str, field: str | None, data: dict[str, Any] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"line": number}
        claim_id = data.get("claim_id") if data else None
        if isinstance(claim_id, str | int) and not isinstance(claim_id, bool):
            out["claim_id"] = claim_id
        out["error"] = {"code": code, "message": message, "field": field or ""}
        return out
