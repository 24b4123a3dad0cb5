"""Verification and risk: every hard reason and every flag, at and around its threshold.

The spec's line is a clean campaign (cost 500,000 yuan − payouts 200,000 − aid 0 = cap 300,000,
goal 300,000, one house that is the only home, a 60,000-yuan car, 20,000 yuan of savings,
120,000 yuan of income, an old account, a parent fundraising for leukaemia C92.0), so each test
changes one fact and sees exactly one reason appear.
"""

from __future__ import annotations

import pytest

from kincare.accounts.identity import resident_id_with_check_digit
from kincare.crowdfunding.engine import FLAG_CODES, FLAG_POINTS, HARD_CODES, assess, goal_cap_fen
from kincare.crowdfunding.tests.test_engine_parse import campaign

GOAL = 30_000_000  # the spec line's goal, equal to its cap


def reasons(changes: dict | None = None, **top) -> tuple[str, ...]:
    return assess(campaign(changes, **top)).codes


def test_it_approves_the_spec_line_with_no_reason_and_no_risk():
    assessment = assess(campaign())
    assert assessment.campaign_id == "X-1"
    assert assessment.goal_cap_fen == 30_000_000  # 500,000 − 200,000 − 0 yuan
    assert assessment.decision == "approve"
    assert assessment.score == 0
    assert assessment.reasons == ()
    assert assessment.as_json() == {
        "campaign_id": "X-1",
        "decision": "approve",
        "goal_cap_fen": 30_000_000,
        "score": 0,
        "reasons": [],
    }


def test_the_goal_cap_is_cost_less_payouts_less_aid_and_never_negative():
    assert goal_cap_fen(50_000_000, 20_000_000, 0) == 30_000_000
    assert goal_cap_fen(50_000_000, 20_000_000, 5_000_000) == 25_000_000
    assert goal_cap_fen(50_000_000, 50_000_000, 0) == 0
    assert goal_cap_fen(50_000_000, 60_000_000, 1) == 0


# --- hard reasons ----------------------------------------------------------------------------

BAD_IDS = [
    "110101199003074478",  # wrong check digit
    resident_id_with_check_digit("11010119901307447"),  # month 13
    resident_id_with_check_digit("99010119900307447"),  # no such province
    resident_id_with_check_digit("11010120270101447"),  # born after as_of
    "11010119900307447",  # 17 digits
    "",
]


@pytest.mark.parametrize("resident_id", BAD_IDS)
def test_it_rejects_an_invalid_patient_id(resident_id):
    assessment = assess(campaign({"patient.resident_id": resident_id}))
    assert assessment.codes == ("invalid_patient_id",)
    assert assessment.decision == "reject" and assessment.score == 100


@pytest.mark.parametrize("resident_id", BAD_IDS)
def test_it_rejects_an_invalid_fundraiser_id(resident_id):
    assert reasons({"fundraiser.resident_id": resident_id}) == ("invalid_fundraiser_id",)


@pytest.mark.parametrize(
    "resident_id",
    [
        "11010119900307002x",  # a lower-case check digit X
        "１１０１０１１９９００３０７４４７７",  # full-width digits
        "110101 19900307 4477",  # spaces
    ],
)
def test_it_accepts_a_valid_id_however_it_was_typed(resident_id):
    assert reasons({"patient.resident_id": resident_id, "fundraiser.resident_id": resident_id}) == ()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"patient.deceased": True}, "patient_deceased"),
        ({"diagnosis.treatment_finished": True}, "treatment_finished"),
        ({"fundraiser.blacklisted": True}, "fundraiser_blacklisted"),
    ],
)
def test_it_rejects_a_dead_patient_a_finished_treatment_and_a_blacklisted_fundraiser(changes, code):
    assessment = assess(campaign(changes))
    assert assessment.codes == (code,)
    assert assessment.decision == "reject" and assessment.score == 100
    assert assessment.reasons[0].kind == "hard"


@pytest.mark.parametrize(
    ("goal_fen", "rejected"), [(GOAL - 1, False), (GOAL, False), (GOAL + 1, True), (10 * GOAL, True)]
)
def test_it_rejects_a_goal_above_the_cap_and_only_above(goal_fen, rejected):
    assessment = assess(campaign(goal_fen=goal_fen))
    assert ("goal_above_cap" in assessment.codes) is rejected
    if rejected:
        (reason,) = [r for r in assessment.reasons if r.code == "goal_above_cap"]
        assert reason.params == {
            "goal_fen": goal_fen,
            "cap_fen": 30_000_000,
            "estimated_cost_fen": 50_000_000,
            "expected_payouts_fen": 20_000_000,
            "other_aid_fen": 0,
        }


def test_other_aid_lowers_the_cap():
    assessment = assess(campaign(other_aid_fen=1))
    assert assessment.goal_cap_fen == GOAL - 1
    assert assessment.codes == ("goal_above_cap",)


@pytest.mark.parametrize(("assets_fen", "rejected"), [(GOAL - 1, False), (GOAL, True), (GOAL + 1, True)])
def test_it_rejects_when_liquid_assets_cover_the_goal(assets_fen, rejected):
    found = reasons({"finances.financial_assets_fen": assets_fen})
    assert found == (("liquid_assets_cover_goal",) if rejected else ())


# --- flags -----------------------------------------------------------------------------------

FLAG_CASES = [
    # houses other than the only home worth ≥ 2 × goal (their sum)
    ({"finances.houses": [{"value_fen": 2 * GOAL - 1, "only_home": False}]}, None),
    ({"finances.houses": [{"value_fen": 2 * GOAL, "only_home": False}]}, "extra_houses_high_value"),
    ({"finances.houses": [{"value_fen": GOAL, "only_home": False}] * 2}, "extra_houses_high_value"),
    ({"finances.houses": [{"value_fen": 100 * GOAL, "only_home": True}]}, None),
    (
        {
            "finances.houses": [
                {"value_fen": 100 * GOAL, "only_home": True},
                {"value_fen": 2 * GOAL, "only_home": False},
            ]
        },
        "extra_houses_high_value",
    ),
    # cars worth ≥ goal (their sum)
    ({"finances.cars": [{"value_fen": GOAL - 1}]}, None),
    ({"finances.cars": [{"value_fen": GOAL}]}, "car_value_high"),
    ({"finances.cars": [{"value_fen": GOAL // 2}] * 2}, "car_value_high"),
    # income ≥ goal
    ({"finances.annual_income_fen": GOAL - 1}, None),
    ({"finances.annual_income_fen": GOAL}, "income_high"),
    # another active campaign for the same patient
    ({"context.active_campaigns_same_patient": 0}, None),
    ({"context.active_campaigns_same_patient": 1}, "duplicate_patient_campaign"),
    ({"context.document_reused": True}, "document_reused"),
    # an account created in the 7 days up to as_of (2026-11-21)
    ({"fundraiser.account_created": "2026-11-21"}, "new_fundraiser_account"),
    ({"fundraiser.account_created": "2026-11-14"}, "new_fundraiser_account"),
    ({"fundraiser.account_created": "2026-11-13"}, None),
    ({"relationship": "other"}, "relationship_other"),
    ({"relationship": "other_relative"}, None),
    ({"diagnosis.icd10": "J18.9"}, "not_serious_illness"),
    ({"diagnosis.icd10": "C34.9"}, None),
    ({"context.open_reports": 0}, None),
    ({"context.open_reports": 1}, "open_reports"),
]


@pytest.mark.parametrize(("changes", "code"), FLAG_CASES)
def test_each_flag_appears_at_its_threshold_and_not_below(changes, code):
    assessment = assess(campaign(changes))
    if code is None:
        assert assessment.decision == "approve" and assessment.codes == ()
        return
    assert assessment.codes == (code,)
    assert assessment.decision == "review"
    assert assessment.score == FLAG_POINTS[code]
    assert assessment.reasons[0].kind == "flag" and assessment.reasons[0].points == FLAG_POINTS[code]


@pytest.mark.parametrize("relationship", ["self", "spouse", "parent", "child", "sibling", "other_relative"])
def test_only_the_relationship_other_is_flagged(relationship):
    assert reasons(relationship=relationship) == ()


def test_a_new_account_says_how_old_it_is():
    (reason,) = assess(campaign({"fundraiser.account_created": "2026-11-18"})).reasons
    assert reason.params == {"account_created": "2026-11-18", "account_age_days": 3, "days": 7}


def test_it_collects_every_reason_hard_ones_first_each_in_the_spec_order():
    everything = {
        "patient.resident_id": "bad",
        "fundraiser.resident_id": "bad",
        "patient.deceased": True,
        "diagnosis.treatment_finished": True,
        "fundraiser.blacklisted": True,
        "goal_fen": GOAL + 1,
        "finances.financial_assets_fen": GOAL + 1,
        "finances.houses": [{"value_fen": 4 * GOAL, "only_home": False}],
        "finances.cars": [{"value_fen": 2 * GOAL}],
        "finances.annual_income_fen": 2 * GOAL,
        "context.active_campaigns_same_patient": 2,
        "context.document_reused": True,
        "fundraiser.account_created": "2026-11-20",
        "relationship": "other",
        "diagnosis.icd10": "J18.9",
        "context.open_reports": 3,
    }
    assessment = assess(campaign(everything))
    assert assessment.codes == HARD_CODES + FLAG_CODES
    assert assessment.decision == "reject" and assessment.score == 100
    assert [r.kind for r in assessment.reasons] == ["hard"] * len(HARD_CODES) + ["flag"] * len(FLAG_CODES)


def test_flags_add_their_points_and_the_score_stops_at_100():
    two = assess(campaign({"relationship": "other", "fundraiser.account_created": "2026-11-20"}))
    assert two.score == FLAG_POINTS["relationship_other"] + FLAG_POINTS["new_fundraiser_account"] == 30
    many = assess(
        campaign(
            {"context.document_reused": True, "context.active_campaigns_same_patient": 1, "context.open_reports": 1}
        )
    )
    assert many.decision == "review" and many.score == 100  # 40 + 40 + 30, capped


# --- the frauds the checks exist for --------------------------------------------------------


def test_it_refuses_the_goal_of_a_fundraiser_hiding_a_policy_that_pays_most_of_the_cost():
    # declared: no car, no other aid; the platform knows of a policy expected to pay 400,000 of
    # the 500,000 yuan, so the most the family may ask for is 100,000 yuan
    assessment = assess(
        campaign({"finances.cars": [], "insurance.expected_payouts_fen": 40_000_000, "other_aid_fen": 0})
    )
    assert assessment.decision == "reject"
    assert assessment.codes == ("goal_above_cap",)
    assert assessment.goal_cap_fen == 10_000_000
    assert assessment.reasons[0].params["cap_fen"] == 10_000_000
    assert assessment.reasons[0].params["expected_payouts_fen"] == 40_000_000


def _two_flats_and_full_insurance(goal_fen: int) -> dict:
    return {
        "estimated_cost_fen": 120_000_000,  # 1,200,000 yuan of treatment
        "insurance.social_insurance": "urban_employee",
        "insurance.expected_payouts_fen": 100_000_000,  # medical insurance pays 1,000,000 of it
        "finances.houses": [
            {"value_fen": 150_000_000, "only_home": True},
            {"value_fen": 200_000_000, "only_home": False},  # the second flat: 2,000,000 yuan
        ],
        "goal_fen": goal_fen,
    }


def test_it_rejects_a_million_yuan_goal_for_a_family_with_two_flats_and_full_medical_insurance():
    assessment = assess(campaign(_two_flats_and_full_insurance(goal_fen=100_000_000)))
    assert assessment.decision == "reject"
    assert assessment.goal_cap_fen == 20_000_000
    # the second flat is worth exactly 2 × the million-yuan goal: flagged too
    assert assessment.codes == ("goal_above_cap", "extra_houses_high_value")


def test_the_same_family_asking_within_the_cap_still_goes_to_a_reviewer_for_the_second_flat():
    assessment = assess(campaign(_two_flats_and_full_insurance(goal_fen=20_000_000)))
    assert assessment.decision == "review"
    assert assessment.codes == ("extra_houses_high_value",)
    assert assessment.reasons[0].params == {
        "houses": 1,
        "houses_value_fen": 200_000_000,
        "threshold_fen": 40_000_000,
        "goal_fen": 20_000_000,
    }
