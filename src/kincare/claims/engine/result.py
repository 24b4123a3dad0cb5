"""The engine's output: one ``Adjudication`` per claim, and the exact money helpers it uses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

DECISIONS = ("approved", "manual_review", "rejected")
CENT = Decimal("0.01")


@lru_cache(maxsize=1024)
def _fraction(ratio: Decimal) -> tuple[int, int]:
    return ratio.as_integer_ratio()


def apply_ratio_half_up(amount_fen: int, ratio: Decimal) -> int:
    """amount × ratio rounded half-up to the fen, exactly (integer arithmetic; amount, ratio ≥ 0).

    The same number as ``Decimal(amount) * ratio`` quantized ``ROUND_HALF_UP`` (the spec's one
    rounding step), without a Decimal context per claim.
    """
    numerator, denominator = _fraction(ratio)
    return (2 * amount_fen * numerator + denominator) // (2 * denominator)


@lru_cache(maxsize=1024)
def format_ratio(ratio: Decimal) -> str:
    """``Decimal("1")`` → ``"1.00"``, ``Decimal("0.6")`` → ``"0.60"``; more decimals kept (``"0.875"``)."""
    cents = ratio.quantize(CENT)
    if cents == ratio:
        return str(cents)
    return format(ratio.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Adjudication:
    """One claim decided. ``as_json()`` is the spec's output line plus ``flags`` and ``lines``."""

    claim_id: str | int
    decision: str
    reasons: tuple[str, ...]
    benefit: str | None
    covered_fen: int
    not_covered_fen: int
    base_fen: int
    deductible_applied_fen: int
    ratio: Decimal | None
    payout_fen: int
    accumulators_after: dict[str, dict[str, Any]]
    flags: tuple[str, ...] = ()
    lines: tuple[dict[str, Any], ...] = ()
    category: str = "medical"
    #: critical illness: the severity paid (or claimed)
    severity: str | None = None

    @property
    def approved(self) -> bool:
        return self.decision == "approved"

    @property
    def rejected(self) -> bool:
        return self.decision == "rejected"

    @property
    def needs_review(self) -> bool:
        return self.decision == "manual_review"

    def as_json(self, *, lines: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "claim_id": self.claim_id,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "benefit": self.benefit,
            "covered_fen": self.covered_fen,
            "not_covered_fen": self.not_covered_fen,
            "base_fen": self.base_fen,
            "deductible_applied_fen": self.deductible_applied_fen,
            "ratio": format_ratio(self.ratio) if self.ratio is not None else None,
            "payout_fen": self.payout_fen,
            "accumulators_after": self.accumulators_after,
            "flags": list(self.flags),
        }
        if lines:
            out["lines"] = list(self.lines)
        return out


@dataclass(slots=True)
class Computed:
    """What a category's calculation hands to the decision step (before flags and the decision)."""

    benefit: str
    covered_fen: int
    not_covered_fen: int
    base_fen: int
    deductible_applied_fen: int
    ratio: Decimal
    payout_fen: int
    accumulators_after: dict[str, dict[str, Any]]
    lines: list[dict[str, Any]]
    #: reasons explaining the amount (limit_reached, below_deductible, …)
    reasons: list[str]
    #: reasons that send the claim to an adjuster whatever the amount (severity_unconfirmed)
    review_reasons: list[str]
    severity: str | None = None
