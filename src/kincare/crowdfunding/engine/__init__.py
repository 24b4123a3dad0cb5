"""The pure core of crowdfunding verification and risk (no ORM, no I/O but the shipped list).

``assess(parse_facts(line))`` turns one campaign's facts into an ``Assessment``: the decision
(reject / review / approve), the goal cap (cost − expected insurance payouts − other aid), a
risk score 0–100 and every reason, each worded by ``render_reason``. ``surplus_shares`` splits
a closed campaign's surplus among its donors to the fen. The same functions run in the
services, in ``kincare assess-campaign`` on JSON lines and in batch. See
``../shared/spec/crowdfunding.md``.
"""

from kincare.crowdfunding.engine.assess import assess, flags, goal_cap_fen, hard_reasons, risk_score
from kincare.crowdfunding.engine.explain import REASON_TITLES, render_reason
from kincare.crowdfunding.engine.illness import (
    IllnessEntry,
    is_serious_illness,
    normalise_icd10,
    serious_illness,
    serious_illness_list,
)
from kincare.crowdfunding.engine.model import (
    EXTRA_HOUSES_GOAL_MULTIPLE,
    FLAG_CODES,
    FLAG_POINTS,
    HARD_CODES,
    HARD_POINTS,
    MAX_SCORE,
    NEW_ACCOUNT_DAYS,
    RELATIONSHIPS,
    SOCIAL_INSURANCE,
    Assessment,
    CampaignFacts,
    Car,
    Context,
    Decision,
    Diagnosis,
    Finances,
    Fundraiser,
    House,
    Insurance,
    Patient,
    Reason,
    ReasonKind,
)
from kincare.crowdfunding.engine.parse import facts_json, parse_facts
from kincare.crowdfunding.engine.surplus import surplus_shares

__all__ = [
    "EXTRA_HOUSES_GOAL_MULTIPLE",
    "FLAG_CODES",
    "FLAG_POINTS",
    "HARD_CODES",
    "HARD_POINTS",
    "MAX_SCORE",
    "NEW_ACCOUNT_DAYS",
    "REASON_TITLES",
    "RELATIONSHIPS",
    "SOCIAL_INSURANCE",
    "Assessment",
    "CampaignFacts",
    "Car",
    "Context",
    "Decision",
    "Diagnosis",
    "Finances",
    "Fundraiser",
    "House",
    "IllnessEntry",
    "Insurance",
    "Patient",
    "Reason",
    "ReasonKind",
    "assess",
    "facts_json",
    "flags",
    "goal_cap_fen",
    "hard_reasons",
    "is_serious_illness",
    "normalise_icd10",
    "parse_facts",
    "render_reason",
    "risk_score",
    "serious_illness",
    "serious_illness_list",
    "surplus_shares",
]
