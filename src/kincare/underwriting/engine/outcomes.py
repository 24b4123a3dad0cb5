"""Outcome values of the underwriting engine and how several conditions combine (pure).

Per condition a rule row yields one of ``standard``, ``loading`` (a percentage), ``exclusion``
(ICD-10 prefixes and a description), ``postpone`` (months), ``decline`` or ``manual`` (a
reason). Over several conditions (spec, "Combining outcomes"):

    decline > postpone (the longest) > manual > terms

where *terms* means: loadings add up, a total loading above 150% becomes ``decline``, and
exclusions are the union. No conditions → ``standard``. The combined outcome is one of
``standard``, ``conditional`` (accepted with a loading and/or exclusions), ``postpone``,
``manual`` or ``decline``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RULE_OUTCOMES = ("standard", "loading", "exclusion", "postpone", "decline", "manual")
DECISION_OUTCOMES = ("standard", "conditional", "postpone", "manual", "decline")
#: a total loading above this declines the applicant
MAX_TOTAL_LOADING_PCT = 150
LOADING_OVER_LIMIT = "loading_over_limit"


@dataclass(frozen=True)
class Exclusion:
    icd10: tuple[str, ...]
    description: str

    def as_json(self) -> dict[str, Any]:
        return {"icd10": list(self.icd10), "description": self.description}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exclusion:
        return cls(icd10=tuple(data["icd10"]), description=str(data.get("description", "")))


@dataclass(frozen=True)
class RuleHit:
    """Which row of which table decided a condition (from zen-engine's trace)."""

    table: str  # "<questionnaire>/<condition>"
    version: int
    rule_id: str
    index: int
    description: str

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "version": self.version,
            "rule_id": self.rule_id,
            "index": self.index,
            "description": self.description,
        }


@dataclass(frozen=True)
class ConditionOutcome:
    code: str
    outcome: str
    reason: str
    message: str
    loading_pct: int = 0
    exclusions: tuple[Exclusion, ...] = ()
    postpone_months: int = 0
    rule: RuleHit | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "outcome": self.outcome,
            "loading_pct": self.loading_pct,
            "exclusions": [e.as_json() for e in self.exclusions],
            "postpone_months": self.postpone_months,
            "reason": self.reason,
            "message": self.message,
            "rule": self.rule.as_json() if self.rule else None,
        }


@dataclass(frozen=True)
class Decision:
    outcome: str
    loading_pct: int = 0
    exclusions: tuple[Exclusion, ...] = ()
    postpone_months: int = 0
    reasons: tuple[str, ...] = ()
    conditions: tuple[ConditionOutcome, ...] = ()

    @property
    def automated(self) -> bool:
        return self.outcome != "manual"

    @property
    def accepted(self) -> bool:
        return self.outcome in ("standard", "conditional")

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "loading_pct": self.loading_pct,
            "exclusions": [e.as_json() for e in self.exclusions],
            "postpone_months": self.postpone_months,
            "reasons": list(self.reasons),
            "conditions": [c.as_json() for c in self.conditions],
        }


def union_exclusions(groups: list[tuple[Exclusion, ...]]) -> tuple[Exclusion, ...]:
    """The union, in first-seen order: one entry per distinct set of ICD-10 prefixes."""
    seen: dict[tuple[str, ...], Exclusion] = {}
    for group in groups:
        for exclusion in group:
            key = tuple(sorted(exclusion.icd10))
            seen.setdefault(key, exclusion)
    return tuple(seen.values())


def combine(conditions: list[ConditionOutcome] | tuple[ConditionOutcome, ...]) -> Decision:
    """Combine per-condition outcomes into one decision, exactly as the spec orders them."""
    conditions = tuple(conditions)
    if not conditions:
        return Decision(outcome="standard")
    declines = [c for c in conditions if c.outcome == "decline"]
    if declines:
        return Decision(outcome="decline", reasons=_reasons(declines), conditions=conditions)
    postpones = [c for c in conditions if c.outcome == "postpone"]
    if postpones:
        months = max(c.postpone_months for c in postpones)
        return Decision(outcome="postpone", postpone_months=months, reasons=_reasons(postpones), conditions=conditions)
    manuals = [c for c in conditions if c.outcome == "manual"]
    if manuals:
        return Decision(outcome="manual", reasons=_reasons(manuals), conditions=conditions)
    loading = sum(c.loading_pct for c in conditions if c.outcome == "loading")
    if loading > MAX_TOTAL_LOADING_PCT:
        loaded = [c for c in conditions if c.outcome == "loading"]
        return Decision(outcome="decline", reasons=(*_reasons(loaded), LOADING_OVER_LIMIT), conditions=conditions)
    exclusions = union_exclusions([c.exclusions for c in conditions if c.outcome == "exclusion"])
    termed = [c for c in conditions if c.outcome in ("loading", "exclusion")]
    if not termed:
        return Decision(outcome="standard", conditions=conditions)
    return Decision(
        outcome="conditional",
        loading_pct=loading,
        exclusions=exclusions,
        reasons=_reasons(termed),
        conditions=conditions,
    )


def _reasons(conditions: list[ConditionOutcome]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.reason for c in conditions))
