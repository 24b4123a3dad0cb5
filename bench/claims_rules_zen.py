"""Claims rules as zen-engine decision tables against the Python engine: the figures behind keeping them Python.

ARCHITECTURE.md says the claims rules are zen-engine (JDM) tables; they are Python
(``kincare.claims.engine``). This measures two representative rules both ways, on the same
inputs, in one process on one core, warm:

* ``claims_rules_zen_risk_flags_us`` / ``claims_rules_python_risk_flags_us``: the six risk flags
  (``claims.engine.risk.risk_flags``) as one JDM decision table with the ``collect`` hit policy
  (one row per flag) against the Python function, per claim (``claims_rules_zen_risk_flags_batch_us``:
  the same through ``ZenEngine.evaluate_batch``, all claims in one call);
* ``claims_rules_zen_ratio_us`` / ``claims_rules_python_ratio_us``: the payout ratio looked up by
  benefit and social insurance (``PolicyTerms.ratios_of``) as a ``first`` hit-policy table
  against the Python lookup;
* ``claims_adjudicate_python_us``: a whole 10-item medical claim through ``adjudicate`` (validated,
  decided, explained, ``as_json()``), what the two rules are a part of;
* ``claims_rules_zen_agrees``: 1 when the tables give the same answer as Python on every input.

The decisions are compiled once and evaluated without a trace (zen's fastest path); the Python
side takes already-validated ``RiskFacts`` / ``PolicyTerms``, as the engine does inside ``adjudicate``.

Every figure is the fastest of 7 runs over 2,000 generated claims (seed 2026, bench/claims.py's
population, with generated risk facts). No database, no Django settings.

    .venv/bin/python bench/claims_rules_zen.py [--claims 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import zen
from _claims_population import SEED
from _common import emit
from claims import POLICY, medical_claims

#: zen's fastest evaluation: no trace
FAST: zen.DecisionEvaluateOptions = {"trace": False}
FLAG_ROWS = [
    ("early_claim", "days_since_waiting_end != null and days_since_waiting_end <= early_days"),
    ("amount_unusual", "usual_cost_fen != null and covered_fen > unusual_factor * usual_cost_fen"),
    ("duplicate_document", "duplicate_document"),
    ("duplicate_invoice", "duplicate_invoice"),
    ("hospital_watchlist", "hospital_watchlist"),
    ("frequent_claims", "claims_last_90_days > frequent_threshold"),
]


def _graph(table: dict[str, Any]) -> str:
    return json.dumps(
        {
            "contentType": "application/vnd.gorules.decision",
            "nodes": [
                {"id": "input", "type": "inputNode", "name": "claim", "position": {"x": 0, "y": 0}},
                {"id": "table", "type": "decisionTableNode", "name": "rule", "position": {"x": 300, "y": 0}, **table},
                {"id": "output", "type": "outputNode", "name": "result", "position": {"x": 600, "y": 0}},
            ],
            "edges": [
                {"id": "e1", "type": "edge", "sourceId": "input", "targetId": "table"},
                {"id": "e2", "type": "edge", "sourceId": "table", "targetId": "output"},
            ],
        }
    )


def risk_flags_jdm() -> str:
    """One row per flag, each testing its own condition column; ``collect`` returns every row that matches."""
    inputs = [{"id": f"in_{flag}", "name": flag, "field": expression} for flag, expression in FLAG_ROWS]
    rules = []
    for flag, _expression in FLAG_ROWS:
        row: dict[str, str] = {"_id": flag, "out_flag": json.dumps(flag)}
        row.update({f"in_{other}": "true" if other == flag else "" for other, _ in FLAG_ROWS})
        rules.append(row)
    table = {
        "content": {
            "hitPolicy": "collect",
            "inputs": inputs,
            "outputs": [{"id": "out_flag", "name": "flag", "field": "flag"}],
            "rules": rules,
        }
    }
    return _graph(table)


def ratio_jdm(policy: dict[str, Any]) -> str:
    """The ratio by benefit and social insurance (the policy's ratios, as ``ratios_of`` falls back to)."""
    rules = []
    for benefit in policy["benefits"]:
        for used, key in ((True, "ratio_with_social_insurance"), (False, "ratio_without_social_insurance")):
            ratio = benefit.get(key) or policy[key]
            rules.append(
                {
                    "_id": f"{benefit['type']}_{used}",
                    "in_benefit": json.dumps(benefit["type"]),
                    "in_si": "true" if used else "false",
                    "out_ratio": json.dumps(str(ratio)),
                }
            )
    table = {
        "content": {
            "hitPolicy": "first",
            "inputs": [
                {"id": "in_benefit", "name": "benefit", "field": "benefit"},
                {"id": "in_si", "name": "social insurance used", "field": "social_insurance_used"},
            ],
            "outputs": [{"id": "out_ratio", "name": "ratio", "field": "ratio"}],
            "rules": rules,
        }
    }
    return _graph(table)


def risk_inputs(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Risk facts and the covered amount, about a fifth of the claims raising some flag."""
    rows = []
    for _ in range(count):
        rows.append(
            {
                "days_since_waiting_end": rng.choice([None, 5, 40, 200, 400, 700]),
                "usual_cost_fen": rng.choice([None, 800_000, 1_500_000, 3_000_000]),
                "duplicate_document": rng.random() < 0.03,
                "duplicate_invoice": rng.random() < 0.02,
                "hospital_watchlist": rng.random() < 0.03,
                "claims_last_90_days": rng.choice([0, 0, 0, 1, 2, 4]),
                "frequent_claims_threshold": None,
                "covered_fen": rng.randint(10_000, 6_000_000),
            }
        )
    return rows


def _best_us(run: Callable[[], object], count: int, runs: int) -> float:
    """Microseconds per claim of the fastest run (the machine is shared: the best run is the least disturbed)."""
    run()  # warm
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) / count * 1e6)
    return round(min(timings), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--claims", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from kincare.claims.engine import PolicyTerms, RiskFacts, adjudicate, risk_flags
    from kincare.claims.engine.risk import EARLY_CLAIM_DAYS, FREQUENT_CLAIMS, UNUSUAL_FACTOR

    rng = random.Random(SEED)
    facts_rows = risk_inputs(args.claims, rng)
    engine = zen.ZenEngine()
    flags_decision = engine.create_decision(risk_flags_jdm())
    ratio_decision = engine.create_decision(ratio_jdm(POLICY))

    constants = {"early_days": EARLY_CLAIM_DAYS, "unusual_factor": UNUSUAL_FACTOR}
    zen_contexts = [
        {**row, **constants, "frequent_threshold": row["frequent_claims_threshold"] or FREQUENT_CLAIMS}
        for row in facts_rows
    ]
    python_facts = [
        (RiskFacts.model_validate({k: v for k, v in row.items() if k != "covered_fen"}), row["covered_fen"])
        for row in facts_rows
    ]

    def zen_flags() -> list[list[str]]:
        return [[hit["flag"] for hit in flags_decision.evaluate(c, FAST)["result"]] for c in zen_contexts]

    batch_engine = zen.ZenEngine({"loader": {"type": "static", "content": {"risk": json.loads(risk_flags_jdm())}}})
    batch: list[zen.EvaluateBatchRequest] = [{"key": "risk", "context": c} for c in zen_contexts]

    def zen_flags_batch() -> list[list[str]]:
        return [[hit["flag"] for hit in r["data"]["result"]] for r in batch_engine.evaluate_batch(batch, FAST)]

    def python_flags() -> list[list[str]]:
        return [risk_flags(facts, covered) for facts, covered in python_facts]

    policy = PolicyTerms.model_validate(POLICY)
    benefits = {b.type: b for b in policy.benefits}
    ratio_inputs = [(rng.choice(list(benefits)), rng.random() < 0.8) for _ in range(args.claims)]
    zen_ratio_contexts = [{"benefit": b, "social_insurance_used": used} for b, used in ratio_inputs]

    def zen_ratios() -> list[str]:
        return [ratio_decision.evaluate(c, FAST)["result"]["ratio"] for c in zen_ratio_contexts]

    def python_ratios() -> list[str]:
        out = []
        for benefit, used in ratio_inputs:
            with_si, without = policy.ratios_of(benefits[benefit])
            out.append(str(with_si if used else without))
        return out

    agrees = zen_flags() == python_flags() == zen_flags_batch() and zen_ratios() == python_ratios()
    claims = medical_claims(args.claims, random.Random(SEED))
    prevalidated = [{**request, "policy": policy} for request in claims]

    def python_adjudicate() -> None:
        for request in prevalidated:
            adjudicate(request).as_json()

    count, runs = args.claims, args.runs
    emit("claims_rules_zen_risk_flags_us", _best_us(zen_flags, count, runs), "us/claim")
    emit("claims_rules_zen_risk_flags_batch_us", _best_us(zen_flags_batch, count, runs), "us/claim")
    emit("claims_rules_python_risk_flags_us", _best_us(python_flags, count, runs), "us/claim")
    emit("claims_rules_zen_ratio_us", _best_us(zen_ratios, count, runs), "us/claim")
    emit("claims_rules_python_ratio_us", _best_us(python_ratios, count, runs), "us/claim")
    emit("claims_adjudicate_python_us", _best_us(python_adjudicate, count, runs), "us/claim", items_per_claim=10)
    emit("claims_rules_zen_agrees", int(agrees), "bool")


if __name__ == "__main__":
    main()
