"""early_claim from the policy alone: a line without a ``risk`` object (``kincare adjudicate``) served
within 30 days after the waiting period ends is flagged for an adjuster like one through the services."""

from __future__ import annotations

from kincare.claims.engine import adjudicate
from kincare.claims.tests.test_engine_examples import example

#: first covered day 2025-01-31 (first effective 2025-01-01, 30-day waiting period)
POLICY = {"period_start": "2025-01-01", "period_end": "2025-12-31", "first_effective_date": "2025-01-01"}


def _served(day: str, **top):
    return example(policy=POLICY, claim={"service_start": day, "service_end": day}, **top)


def test_it_flags_a_line_without_risk_served_30_days_after_the_waiting_period() -> None:
    data = _served("2025-03-02")
    assert "risk" not in data
    result = adjudicate(data)
    assert (result.decision, result.flags) == ("manual_review", ("early_claim",))
    assert result.reasons == ("risk_flagged",) and result.payout_fen == 300000
    [line] = [line for line in result.lines if line["code"] == "risk_flag"]
    assert line == {"code": "risk_flag", "flag": "early_claim", "days_since_waiting_end": 30, "threshold_days": 30}


def test_it_does_not_flag_a_line_without_risk_31_days_after() -> None:
    result = adjudicate(_served("2025-03-03"))
    assert (result.decision, result.flags) == ("approved", ())


def test_the_days_a_caller_gives_still_win() -> None:
    assert adjudicate(_served("2025-03-02", risk={"days_since_waiting_end": 400})).flags == ()


def test_a_line_without_risk_raises_no_flag_the_policy_cannot_tell() -> None:
    huge = _served("2025-06-01")
    huge["claim"]["items"] = [{"category": "drug", "amount_fen": 9_000_000}]
    assert adjudicate(huge).flags == ()
