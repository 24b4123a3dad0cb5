"""Verification and risk: one campaign's facts in, a decision with every reason out.

The rules are the spec's (``spec/crowdfunding.md``, "Verification and risk"). All reasons that
apply are reported, not just the first, because the fundraiser should fix everything at once
and the reviewer should see the whole picture: hard reasons first, then flags, each group in
the spec's order. Any hard reason rejects; otherwise any flag sends the campaign to review;
otherwise the engine recommends approval (a reviewer still confirms every campaign).

The risk score is 0 for no risk; each flag adds its points (``FLAG_POINTS``), capped at 100; a
hard reason puts it at 100. Pure: no ORM, no clock (``as_of`` is the day of assessment).
"""

from __future__ import annotations

from kincare.accounts.identity import parse_resident_id
from kincare.core.errors import ValidationFailed
from kincare.crowdfunding.engine.illness import is_serious_illness
from kincare.crowdfunding.engine.model import (
    EXTRA_HOUSES_GOAL_MULTIPLE,
    FLAG_POINTS,
    HARD_POINTS,
    MAX_SCORE,
    NEW_ACCOUNT_DAYS,
    Assessment,
    CampaignFacts,
    Decision,
    Reason,
)


def goal_cap_fen(estimated_cost_fen: int, expected_payouts_fen: int, other_aid_fen: int) -> int:
    """The most a campaign may ask for: what the treatment costs beyond insurance and other aid."""
    return max(0, estimated_cost_fen - expected_payouts_fen - other_aid_fen)


def _id_valid(resident_id: str, facts: CampaignFacts) -> bool:
    try:
        # as of the assessment day, not today: the same facts always give the same answer
        parse_resident_id(resident_id, today=facts.as_of)
    except ValidationFailed:
        return False
    return True


def _hard(code: str, **params: int | str) -> Reason:
    return Reason(code, "hard", HARD_POINTS, dict(params))


def _flag(code: str, **params: int | str) -> Reason:
    return Reason(code, "flag", FLAG_POINTS[code], dict(params))


def hard_reasons(facts: CampaignFacts, cap_fen: int) -> list[Reason]:
    """The findings that rule the campaign out, in the spec's order."""
    found: list[Reason] = []
    if not _id_valid(facts.patient.resident_id, facts):
        found.append(_hard("invalid_patient_id"))
    if not _id_valid(facts.fundraiser.resident_id, facts):
        found.append(_hard("invalid_fundraiser_id"))
    if facts.patient.deceased:
        found.append(_hard("patient_deceased"))
    if facts.diagnosis.treatment_finished:
        found.append(_hard("treatment_finished"))
    if facts.fundraiser.blacklisted:
        found.append(_hard("fundraiser_blacklisted"))
    if facts.goal_fen > cap_fen:
        found.append(
            _hard(
                "goal_above_cap",
                goal_fen=facts.goal_fen,
                cap_fen=cap_fen,
                estimated_cost_fen=facts.estimated_cost_fen,
                expected_payouts_fen=facts.insurance.expected_payouts_fen,
                other_aid_fen=facts.other_aid_fen,
            )
        )
    if facts.finances.financial_assets_fen >= facts.goal_fen:
        found.append(
            _hard(
                "liquid_assets_cover_goal",
                financial_assets_fen=facts.finances.financial_assets_fen,
                goal_fen=facts.goal_fen,
            )
        )
    return found


def flags(facts: CampaignFacts) -> list[Reason]:
    """The findings a reviewer must look at, in the spec's order."""
    found: list[Reason] = []
    goal = facts.goal_fen
    finances = facts.finances
    threshold = EXTRA_HOUSES_GOAL_MULTIPLE * goal
    if finances.extra_houses and finances.extra_houses_value_fen >= threshold:
        found.append(
            _flag(
                "extra_houses_high_value",
                houses=len(finances.extra_houses),
                houses_value_fen=finances.extra_houses_value_fen,
                threshold_fen=threshold,
                goal_fen=goal,
            )
        )
    if finances.cars and finances.cars_value_fen >= goal:
        found.append(
            _flag("car_value_high", cars=len(finances.cars), cars_value_fen=finances.cars_value_fen, goal_fen=goal)
        )
    if finances.annual_income_fen >= goal:
        found.append(_flag("income_high", annual_income_fen=finances.annual_income_fen, goal_fen=goal))
    if facts.context.active_campaigns_same_patient > 0:
        found.append(_flag("duplicate_patient_campaign", campaigns=facts.context.active_campaigns_same_patient))
    if facts.context.document_reused:
        found.append(_flag("document_reused"))
    account_age_days = (facts.as_of - facts.fundraiser.account_created).days
    if account_age_days <= NEW_ACCOUNT_DAYS:
        found.append(
            _flag(
                "new_fundraiser_account",
                account_created=facts.fundraiser.account_created.isoformat(),
                account_age_days=account_age_days,
                days=NEW_ACCOUNT_DAYS,
            )
        )
    if facts.relationship == "other":
        found.append(_flag("relationship_other"))
    if not is_serious_illness(facts.diagnosis.icd10):
        found.append(_flag("not_serious_illness", icd10=facts.diagnosis.icd10))
    if facts.context.open_reports > 0:
        found.append(_flag("open_reports", reports=facts.context.open_reports))
    return found


def risk_score(reasons: tuple[Reason, ...] | list[Reason]) -> int:
    """0–100: a hard reason is 100; otherwise the flags' points, capped at 100."""
    if any(reason.kind == "hard" for reason in reasons):
        return MAX_SCORE
    return min(MAX_SCORE, sum(reason.points for reason in reasons))


def assess(facts: CampaignFacts) -> Assessment:
    """The decision on one campaign, with its goal cap, risk score and every reason."""
    cap = goal_cap_fen(facts.estimated_cost_fen, facts.insurance.expected_payouts_fen, facts.other_aid_fen)
    reasons = tuple(hard_reasons(facts, cap) + flags(facts))
    decision: Decision
    if any(reason.kind == "hard" for reason in reasons):
        decision = "reject"
    elif reasons:
        decision = "review"
    else:
        decision = "approve"
    return Assessment(
        campaign_id=facts.campaign_id,
        decision=decision,
        goal_cap_fen=cap,
        score=risk_score(reasons),
        reasons=reasons,
    )
