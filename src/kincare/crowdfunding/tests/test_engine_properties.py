"""Properties over many generated campaigns: the rules hold together, whatever the facts."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kincare.accounts.identity import resident_id_with_check_digit
from kincare.crowdfunding.engine import (
    FLAG_CODES,
    HARD_CODES,
    RELATIONSHIPS,
    SOCIAL_INSURANCE,
    assess,
    goal_cap_fen,
    parse_facts,
)

RANK = {"approve": 0, "review": 1, "reject": 2}
ORDER = {code: index for index, code in enumerate(HARD_CODES + FLAG_CODES)}
fen = st.integers(0, 10**10)
ICD10 = ["C92.0", "C34.9", "I21.0", "I63.9", "N18.5", "D61.9", "Z94.0", "T31.5", "J18.9", "E11.9", "K35.8"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=20))
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2019, 12, 31)))
    return resident_id_with_check_digit(f"110101{born:%Y%m%d}{draw(st.integers(0, 999)):03d}")


@st.composite
def campaigns(draw: st.DrawFn) -> dict[str, Any]:
    as_of = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
    before = st.integers(0, 4000).map(lambda days: (as_of - dt.timedelta(days=days)).isoformat())
    houses = [{"value_fen": draw(fen), "only_home": False} for _ in range(draw(st.integers(0, 3)))]
    if houses and draw(st.booleans()):
        houses[0]["only_home"] = True
    return {
        "campaign_id": draw(st.text(min_size=1, max_size=10)),
        "as_of": as_of.isoformat(),
        "patient": {"resident_id": draw(resident_ids()), "deceased": draw(st.booleans())},
        "fundraiser": {
            "resident_id": draw(resident_ids()),
            "account_created": draw(before),
            "blacklisted": draw(st.booleans()),
        },
        "relationship": draw(st.sampled_from(RELATIONSHIPS)),
        "diagnosis": {
            "icd10": draw(st.sampled_from(ICD10)),
            "date": draw(before),
            "treatment_finished": draw(st.booleans()),
        },
        "estimated_cost_fen": draw(fen),
        "finances": {
            "houses": houses,
            "cars": [{"value_fen": draw(fen)} for _ in range(draw(st.integers(0, 3)))],
            "financial_assets_fen": draw(fen),
            "annual_income_fen": draw(fen),
            "debts_fen": draw(fen),
        },
        "insurance": {"social_insurance": draw(st.sampled_from(SOCIAL_INSURANCE)), "expected_payouts_fen": draw(fen)},
        "other_aid_fen": draw(fen),
        "goal_fen": draw(st.integers(1, 10**10)),
        "context": {
            "active_campaigns_same_patient": draw(st.integers(0, 3)),
            "document_reused": draw(st.booleans()),
            "open_reports": draw(st.integers(0, 3)),
        },
    }


def _flagged(data: dict[str, Any], which: str) -> dict[str, Any]:
    """The same campaign with one more reason for review (and nothing else changed)."""
    data = copy.deepcopy(data)
    if which == "house":
        data["finances"]["houses"].append({"value_fen": 10**13, "only_home": False})
    elif which == "car":
        data["finances"]["cars"].append({"value_fen": 10**13})
    elif which == "income":
        data["finances"]["annual_income_fen"] = 10**13
    elif which == "duplicate":
        data["context"]["active_campaigns_same_patient"] += 1
    elif which == "document":
        data["context"]["document_reused"] = True
    elif which == "account":
        data["fundraiser"]["account_created"] = data["as_of"]
    elif which == "relationship":
        data["relationship"] = "other"
    elif which == "illness":
        data["diagnosis"]["icd10"] = "J18.9"
    else:
        data["context"]["open_reports"] += 1
    return data


FLAG_CHANGES = ["house", "car", "income", "duplicate", "document", "account", "relationship", "illness", "reports"]


@given(fen, fen, fen)
def test_the_cap_is_never_negative(cost, payouts, aid):
    cap = goal_cap_fen(cost, payouts, aid)
    assert cap >= 0
    assert cap == cost - payouts - aid or (cap == 0 and cost - payouts - aid < 0)


@given(campaigns())
def test_the_decision_and_score_follow_the_reasons(data):
    assessment = assess(parse_facts(data))
    kinds = {reason.kind for reason in assessment.reasons}
    assert 0 <= assessment.score <= 100
    assert assessment.goal_cap_fen >= 0
    if "hard" in kinds:
        assert assessment.decision == "reject" and assessment.score == 100
    elif "flag" in kinds:
        assert assessment.decision == "review" and assessment.score > 0
    else:
        assert assessment.decision == "approve" and assessment.score == 0
    positions = [ORDER[code] for code in assessment.codes]
    assert positions == sorted(set(positions))  # hard first, spec order, each reason once


@given(campaigns(), st.integers(1, 10**10))
def test_a_goal_above_the_cap_is_always_rejected(data, above):
    facts = parse_facts(data)
    cap = goal_cap_fen(facts.estimated_cost_fen, facts.insurance.expected_payouts_fen, facts.other_aid_fen)
    assessment = assess(parse_facts({**data, "goal_fen": cap + above}))
    assert assessment.decision == "reject"
    assert "goal_above_cap" in assessment.codes


@given(campaigns(), st.sampled_from(FLAG_CHANGES))
def test_one_more_flag_never_makes_a_campaign_look_safer(data, which):
    before = assess(parse_facts(data))
    after = assess(parse_facts(_flagged(data, which)))
    assert RANK[after.decision] >= RANK[before.decision]
    assert after.decision != "approve"
    assert after.score >= before.score
    assert set(before.codes) <= set(after.codes)
