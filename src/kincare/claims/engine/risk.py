"""Risk flags: facts about a claim's surroundings that route it to an adjuster (never a rejection)."""

from __future__ import annotations

from typing import Any

from kincare.claims.engine.terms import RiskFacts

#: a claim this many days (or fewer) after the waiting period ends is early
EARLY_CLAIM_DAYS = 30
#: covered amount above this many times the usual cost of the diagnosis is unusual
UNUSUAL_FACTOR = 3
#: more than this many other claims in 90 days is frequent (a caller may pass its own N:
#: ``RiskFacts.frequent_claims_threshold``, the services pass ``settings.CLAIMS_FREQUENT_CLAIMS``)
FREQUENT_CLAIMS = 3

RISK_FLAGS = (
    "early_claim",
    "amount_unusual",
    "duplicate_document",
    "duplicate_invoice",
    "hospital_watchlist",
    "frequent_claims",
)


def frequent_threshold(facts: RiskFacts) -> int:
    """N of "more than N claims in 90 days": the caller's, else ``FREQUENT_CLAIMS``."""
    given = facts.frequent_claims_threshold
    return FREQUENT_CLAIMS if given is None else given


def risk_flags(facts: RiskFacts | None, covered_fen: int) -> list[str]:
    """The flags the facts raise, in ``RISK_FLAGS`` order (a pure function of its arguments).

    * ``early_claim``: ``days_since_waiting_end`` ≤ 30 (an accident inside the waiting period,
      a negative number, is early too);
    * ``amount_unusual``: ``covered_fen`` > 3 × ``usual_cost_fen``;
    * ``duplicate_document`` / ``duplicate_invoice`` / ``hospital_watchlist``: as given;
    * ``frequent_claims``: ``claims_last_90_days`` > ``frequent_claims_threshold`` (default 3).
    """
    if facts is None:
        return []
    flags = []
    if facts.days_since_waiting_end is not None and facts.days_since_waiting_end <= EARLY_CLAIM_DAYS:
        flags.append("early_claim")
    if facts.usual_cost_fen is not None and covered_fen > UNUSUAL_FACTOR * facts.usual_cost_fen:
        flags.append("amount_unusual")
    if facts.duplicate_document:
        flags.append("duplicate_document")
    if facts.duplicate_invoice:
        flags.append("duplicate_invoice")
    if facts.hospital_watchlist:
        flags.append("hospital_watchlist")
    if facts.claims_last_90_days > frequent_threshold(facts):
        flags.append("frequent_claims")
    return flags


def flag_line(flag: str, facts: RiskFacts, covered_fen: int) -> dict[str, Any]:
    """The explanation line of one flag, with the numbers that raised it."""
    line: dict[str, Any] = {"code": "risk_flag", "flag": flag}
    if flag == "early_claim":
        line.update(days_since_waiting_end=facts.days_since_waiting_end, threshold_days=EARLY_CLAIM_DAYS)
    elif flag == "amount_unusual":
        line.update(amount_fen=covered_fen, usual_cost_fen=facts.usual_cost_fen, factor=UNUSUAL_FACTOR)
    elif flag == "frequent_claims":
        line.update(claims_last_90_days=facts.claims_last_90_days, threshold=frequent_threshold(facts))
    return line
