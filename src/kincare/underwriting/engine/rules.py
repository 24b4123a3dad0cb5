"""Rule tables: GoRules JSON Decision Model (JDM) files, validated and evaluated with zen-engine.

One table per (questionnaire, condition): an input node, one decision table (hit policy
``first``) and an output node. The table's inputs read the condition's attributes (plus
``age``, ``sex`` and ``years_since_diagnosis``); its outputs are constants:

==================  =========================================================
``outcome``         ``"standard"`` | ``"loading"`` | ``"exclusion"`` | ``"postpone"`` | ``"decline"`` | ``"manual"``
``reason``          a stable code, e.g. ``"hypertension.grade3"``
``message``         what the applicant reads, in plain Chinese
``loading_pct``     for ``loading``: 1–300
``exclusions``      for ``exclusion``: ICD-10 prefixes, e.g. ``["B18", "K70"]``
``exclusion_text``  for ``exclusion``: the description written on the policy
``postpone_months`` for ``postpone``: 1–60
==================  =========================================================

``validate_table`` refuses anything zen-engine would accept but the engine could not use
(zen-engine happily compiles a cell like ``<= <= 2`` and then never matches it), so a bad
upload is refused with reasons and the active version keeps working.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

# zen-engine evaluates on a tokio runtime with a worker thread per CPU by default; a decision is
# microseconds of work, so handing it across threads costs more than it does (measured: 2× faster
# with one thread, and no stalls when two processes evaluate at once). Before the first import.
os.environ.setdefault("TOKIO_WORKER_THREADS", "1")
import zen

from kincare.families.conditions import CONDITION_MODELS
from kincare.underwriting.engine.outcomes import RULE_OUTCOMES

CONTEXT_FIELDS = ("age", "sex", "years_since_diagnosis")
OUTPUT_FIELDS = ("outcome", "reason", "message", "loading_pct", "exclusions", "exclusion_text", "postpone_months")
REQUIRED_OUTPUTS = ("outcome", "reason", "message")
ICD10_PREFIX = re.compile(r"^[A-Z]([0-9]{2}(\.[0-9]{1,3})?)?$")
REASON_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
MAX_TABLE_BYTES = 256 * 1024
MAX_RULES = 200


class RuleTableInvalid(ValueError):
    """A table the engine refuses; ``problems`` says where and why (one line each)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RuleTable:
    questionnaire: str
    condition: str
    version: int
    content: str  # the JDM JSON text, exactly as stored
    sha256: str

    @property
    def name(self) -> str:
        return f"{self.questionnaire}/{self.condition}"


def table_sha256(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def allowed_input_fields(condition: str) -> set[str]:
    model = CONDITION_MODELS.get(condition)
    names = set(model.model_fields) if model is not None else set()
    return names | set(CONTEXT_FIELDS)


def _zen_error(exc: Exception) -> str:
    # zen-engine appends a Rust backtrace to its messages: keep the part a person can read
    text = str(exc).split("Stack backtrace:")[0]
    return " ".join(text.split())[:300]


def parse_table(content: str | bytes | dict[str, Any], *, condition: str) -> tuple[str, dict[str, Any]]:
    """Validate a JDM table for ``condition``; return (canonical JSON text, parsed) or raise."""
    if isinstance(content, dict):
        data: Any = content
    else:
        if isinstance(content, bytes):
            if len(content) > MAX_TABLE_BYTES:
                raise RuleTableInvalid([f"file is larger than {MAX_TABLE_BYTES // 1024} KB"])
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError:
                raise RuleTableInvalid(["file is not UTF-8 text"]) from None
        if len(content) > MAX_TABLE_BYTES:
            raise RuleTableInvalid([f"file is larger than {MAX_TABLE_BYTES // 1024} KB"])
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise RuleTableInvalid([f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]) from None
    problems = _structure_problems(data, condition)
    if problems:
        raise RuleTableInvalid(problems)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        zen.ZenEngine().create_decision(text).validate()
    except Exception as exc:  # zen raises RuntimeError for any malformed graph
        raise RuleTableInvalid([f"zen-engine refused the graph: {_zen_error(exc)}"]) from None
    return text, data


def _structure_problems(data: Any, condition: str) -> list[str]:
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list) or not isinstance(data.get("edges"), list):
        return ["a JDM document is an object with a list of nodes and a list of edges"]
    nodes = [n for n in data["nodes"] if isinstance(n, dict)]
    if len(nodes) != len(data["nodes"]):
        return ["every node must be an object"]
    kinds = [n.get("type") for n in nodes]
    problems: list[str] = []
    for kind in ("inputNode", "decisionTableNode", "outputNode"):
        if kinds.count(kind) != 1:
            problems.append(f"the graph needs exactly one {kind} (found {kinds.count(kind)})")
    if problems:
        return problems
    by_kind = {n["type"]: n for n in nodes}
    ids = {k: by_kind[k].get("id") for k in by_kind}
    pairs = {(e.get("sourceId"), e.get("targetId")) for e in data["edges"] if isinstance(e, dict)}
    if (ids["inputNode"], ids["decisionTableNode"]) not in pairs or (
        ids["decisionTableNode"],
        ids["outputNode"],
    ) not in pairs:
        problems.append("edges must connect input → decision table → output")
    table = by_kind["decisionTableNode"].get("content")
    if not isinstance(table, dict):
        return [*problems, "the decision table has no content"]
    if table.get("hitPolicy") != "first":
        problems.append('the decision table must use hit policy "first"')
    inputs = table.get("inputs")
    outputs = table.get("outputs")
    rules = table.get("rules")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or not isinstance(rules, list):
        return [*problems, "the decision table needs inputs, outputs and rules lists"]
    allowed = allowed_input_fields(condition)
    input_ids: dict[str, str] = {}
    for position, column in enumerate(inputs, start=1):
        name = column.get("field") if isinstance(column, dict) else None
        if not isinstance(name, str) or name not in allowed:
            problems.append(f"input column {position}: field {name!r} is not one of {', '.join(sorted(allowed))}")
            continue
        input_ids[str(column.get("id"))] = name
    output_ids: dict[str, str] = {}
    for position, column in enumerate(outputs, start=1):
        name = column.get("field") if isinstance(column, dict) else None
        if not isinstance(name, str) or name not in OUTPUT_FIELDS:
            problems.append(f"output column {position}: field {name!r} is not one of {', '.join(OUTPUT_FIELDS)}")
            continue
        output_ids[str(column.get("id"))] = name
    missing = [name for name in REQUIRED_OUTPUTS if name not in output_ids.values()]
    if missing:
        problems.append(f"output columns missing: {', '.join(missing)}")
    if not rules:
        problems.append("the table has no rules")
    if len(rules) > MAX_RULES:
        problems.append(f"the table has more than {MAX_RULES} rules")
    if problems:
        return problems
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            problems.append(f"rule {number}: not an object")
            continue
        for column_id, name in input_ids.items():
            cell = rule.get(column_id, "")
            if not isinstance(cell, str):
                problems.append(f"rule {number}, {name}: a cell is text")
            elif cell.strip() and not _unary_ok(cell):
                problems.append(f"rule {number}, {name}: cannot read the condition {cell!r}")
        values: dict[str, Any] = {}
        for column_id, name in output_ids.items():
            cell = rule.get(column_id, "")
            if not isinstance(cell, str):
                problems.append(f"rule {number}, {name}: a cell is text")
                continue
            if not cell.strip():
                continue
            if zen.validate_expression(cell) is not None:
                problems.append(f"rule {number}, {name}: cannot read the value {cell!r}")
                continue
            try:
                values[name] = zen.evaluate_expression(cell, {})
            except Exception as exc:
                problems.append(f"rule {number}, {name}: {_zen_error(exc)}")
        problems.extend(f"rule {number}: {p}" for p in row_problems(values))
    return problems


def _unary_ok(cell: str) -> bool:
    # zen.validate_unary_expression (zen-engine 2.1) refuses plain comparisons such as "<= 2";
    # compiling the unary expression is what the decision table does, so it is the honest check
    try:
        zen.compile_unary_expression(cell)
    except Exception:
        return False
    return True


def row_problems(values: dict[str, Any]) -> list[str]:
    """What is wrong with one row's outputs (constants), in words an underwriter can act on."""
    problems: list[str] = []
    outcome = values.get("outcome")
    if outcome not in RULE_OUTCOMES:
        return [f"outcome {outcome!r} is not one of {', '.join(RULE_OUTCOMES)}"]
    reason = values.get("reason")
    if not isinstance(reason, str) or not REASON_CODE.match(reason):
        problems.append("reason must be a code like hypertension.grade3")
    message = values.get("message")
    if not isinstance(message, str) or not message.strip() or len(message) > 300:
        problems.append("message must be a non-empty text of at most 300 characters")
    if outcome == "loading":
        pct = values.get("loading_pct")
        if isinstance(pct, bool) or not isinstance(pct, int | float) or pct != int(pct) or not 1 <= pct <= 300:
            problems.append("a loading needs loading_pct, a whole number from 1 to 300")
    elif values.get("loading_pct") not in (None, 0):
        problems.append("loading_pct belongs only to a loading")
    if outcome == "exclusion":
        codes = values.get("exclusions")
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(c, str) and ICD10_PREFIX.match(c) for c in codes)
        ):
            problems.append("an exclusion needs exclusions, a list of ICD-10 prefixes such as B18 or K70")
        text = values.get("exclusion_text")
        if not isinstance(text, str) or not text.strip():
            problems.append("an exclusion needs exclusion_text, the words written on the policy")
    if outcome == "postpone":
        months = values.get("postpone_months")
        if (
            isinstance(months, bool)
            or not isinstance(months, int | float)
            or months != int(months)
            or not 1 <= months <= 60
        ):
            problems.append("a postponement needs postpone_months, a whole number from 1 to 60")
    return problems


# -- evaluation -----------------------------------------------------------------------------

_COMPILED: dict[str, Any] = {}
_ENGINE: Any = None


def compiled(table: RuleTable) -> Any:
    """The zen-engine decision for a table, compiled once per process (keyed by content hash)."""
    global _ENGINE
    decision = _COMPILED.get(table.sha256)
    if decision is None:
        if _ENGINE is None:
            _ENGINE = zen.ZenEngine()
        decision = _ENGINE.create_decision(table.content)
        if len(_COMPILED) > 2048:
            _COMPILED.clear()
        _COMPILED[table.sha256] = decision
    return decision


@dataclass(frozen=True)
class TableResult:
    values: dict[str, Any]  # {} when no row matched
    rule_id: str
    index: int
    description: str


def evaluate_table(table: RuleTable, context: dict[str, Any], *, trace: bool = True) -> TableResult:
    """The matching row's values and, with ``trace`` (a decision record needs it; planning does
    not, and saves about 40% of the evaluation), which row it was."""
    response = compiled(table).evaluate(context, {"trace": trace})
    values = response.get("result") or {}
    for node in (response.get("trace") or {}).values():
        data = node.get("traceData") if isinstance(node, dict) else None
        if isinstance(data, dict) and "rule" in data:
            rule = data.get("rule") or {}
            return TableResult(
                values=values,
                rule_id=str(rule.get("_id", "")),
                index=int(data.get("index", -1)),
                description=str(rule.get("_description", "")),
            )
    return TableResult(values=values, rule_id="", index=-1, description="")
