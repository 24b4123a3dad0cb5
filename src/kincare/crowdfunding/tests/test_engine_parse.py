"""Reading one campaign's facts: the spec's line is read as is, anything else is refused by name.

``SPEC_LINE`` and ``campaign()`` are shared by the other engine and CLI tests.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from kincare.core.errors import ValidationFailed
from kincare.crowdfunding.engine import CampaignFacts, facts_json, parse_facts

SPEC_LINE: dict[str, Any] = {
    "campaign_id": "X-1",
    "as_of": "2026-11-21",
    "patient": {"resident_id": "110101199003074477", "deceased": False},
    "fundraiser": {"resident_id": "110101196505051239", "account_created": "2026-01-02", "blacklisted": False},
    "relationship": "parent",
    "diagnosis": {"icd10": "C92.0", "date": "2026-10-01", "treatment_finished": False},
    "estimated_cost_fen": 50_000_000,
    "finances": {
        "houses": [{"value_fen": 150_000_000, "only_home": True}],
        "cars": [{"value_fen": 6_000_000}],
        "financial_assets_fen": 2_000_000,
        "annual_income_fen": 12_000_000,
        "debts_fen": 0,
    },
    "insurance": {"social_insurance": "urban_rural_resident", "expected_payouts_fen": 20_000_000},
    "other_aid_fen": 0,
    "goal_fen": 30_000_000,
    "context": {"active_campaigns_same_patient": 0, "document_reused": False, "open_reports": 0},
}


def campaign_json(changes: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """The spec's line with changes; keys may be dotted (``"finances.cars"``)."""
    data = copy.deepcopy(SPEC_LINE)
    for path, value in {**(changes or {}), **top}.items():
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


def campaign(changes: dict[str, Any] | None = None, **top: Any) -> CampaignFacts:
    return parse_facts(campaign_json(changes, **top))


def without(path: str) -> dict[str, Any]:
    data = copy.deepcopy(SPEC_LINE)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    del node[last]
    return data


def refusal(data: object) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        parse_facts(data)
    return caught.value


def test_it_reads_the_spec_line_into_facts():
    facts = parse_facts(SPEC_LINE)
    assert facts.campaign_id == "X-1"
    assert facts.as_of == dt.date(2026, 11, 21)
    assert facts.patient.resident_id == "110101199003074477"
    assert facts.fundraiser.account_created == dt.date(2026, 1, 2)
    assert facts.relationship == "parent"
    assert facts.diagnosis.icd10 == "C92.0"
    assert facts.finances.houses[0].only_home is True
    assert facts.finances.cars_value_fen == 6_000_000
    assert facts.finances.extra_houses == ()
    assert facts.insurance.expected_payouts_fen == 20_000_000
    assert facts.goal_fen == 30_000_000


def test_it_writes_back_what_it_read():
    assert facts_json(parse_facts(SPEC_LINE)) == SPEC_LINE


def test_it_keeps_an_invalid_resident_id_for_the_assessment_to_report():
    facts = campaign({"patient.resident_id": "110101199003074478", "fundraiser.resident_id": "nonsense"})
    assert facts.patient.resident_id == "110101199003074478"
    assert facts.fundraiser.resident_id == "nonsense"


def test_it_normalises_the_icd10_code_people_type():
    assert campaign({"diagnosis.icd10": " ｃ９２．０ "}).diagnosis.icd10 == "C92.0"
    assert campaign({"diagnosis.icd10": "c920"}).diagnosis.icd10 == "C92.0"


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        # types: amounts are JSON integers, never strings, floats or booleans
        (campaign_json(goal_fen="30000000"), "field_type", "goal_fen"),
        (campaign_json(goal_fen="１２"), "field_type", "goal_fen"),
        (campaign_json(goal_fen=30_000_000.0), "field_type", "goal_fen"),
        (campaign_json(goal_fen=True), "field_type", "goal_fen"),
        (campaign_json({"finances.houses.0.value_fen": None}), "field_type", "finances.houses.0.value_fen"),
        (campaign_json({"finances.cars": [{"value_fen": "6000000"}]}), "field_type", "finances.cars.0.value_fen"),
        (campaign_json({"patient.deceased": "no"}), "field_type", "patient.deceased"),
        (campaign_json({"patient.deceased": 0}), "field_type", "patient.deceased"),
        (campaign_json({"patient.resident_id": 110101199003074477}), "field_type", "patient.resident_id"),
        (campaign_json({"context.open_reports": 1.5}), "field_type", "context.open_reports"),
        (campaign_json({"finances.houses": {"value_fen": 1}}), "field_type", "finances.houses"),
        (campaign_json(campaign_id=7), "field_type", "campaign_id"),
        # ranges: no negative amounts, no absurd ones, a goal of at least one fen
        (campaign_json(estimated_cost_fen=-1), "value_too_small", "estimated_cost_fen"),
        (campaign_json({"insurance.expected_payouts_fen": -5}), "value_too_small", "insurance.expected_payouts_fen"),
        (campaign_json(goal_fen=0), "value_too_small", "goal_fen"),
        (campaign_json(other_aid_fen=10**20), "value_too_large", "other_aid_fen"),
        (campaign_json({"finances.debts_fen": 10**14 + 1}), "value_too_large", "finances.debts_fen"),
        (campaign_json({"context.active_campaigns_same_patient": 10**6}), "value_too_large", None),
        (campaign_json({"finances.cars": [{"value_fen": 1}] * 51}), "field_invalid", "finances.cars"),
        (campaign_json(campaign_id=""), "field_invalid", "campaign_id"),
        # choices
        (campaign_json(relationship="friend"), "value_unknown", "relationship"),
        (campaign_json({"insurance.social_insurance": "gold"}), "value_unknown", "insurance.social_insurance"),
        # dates: YYYY-MM-DD text, real, not after as_of
        (campaign_json(as_of="20261121"), "date_invalid", "as_of"),
        (campaign_json(as_of="2026-02-30"), "date_invalid", "as_of"),
        (campaign_json(as_of=20261121), "date_invalid", "as_of"),
        (campaign_json({"diagnosis.date": "1899-12-31"}), "date_invalid", "diagnosis.date"),
        (campaign_json({"diagnosis.date": "2026-11-22"}), "date_after_as_of", "diagnosis.date"),
        (campaign_json({"fundraiser.account_created": "2027-01-01"}), "date_after_as_of", "fundraiser.account_created"),
        # shape
        (campaign_json(surprise=1), "field_unknown", "surprise"),
        (campaign_json({"finances.yacht_fen": 1}), "field_unknown", "finances.yacht_fen"),
        (campaign_json({"finances.houses.0.rooms": 3}), "field_unknown", "finances.houses.0.rooms"),
        (without("goal_fen"), "field_missing", "goal_fen"),
        (without("context.open_reports"), "field_missing", "context.open_reports"),
        (without("insurance"), "field_missing", "insurance"),
        # meaning
        (campaign_json({"diagnosis.icd10": "leukaemia"}), "icd10_invalid", "diagnosis.icd10"),
        (campaign_json({"diagnosis.icd10": "C9"}), "icd10_invalid", "diagnosis.icd10"),
        (
            campaign_json({"finances.houses": [{"value_fen": 1, "only_home": True}] * 2}),
            "only_home_repeated",
            "finances.houses.1.only_home",
        ),
        ([SPEC_LINE], "object_required", None),
    ],
)
def test_it_refuses_a_malformed_line_with_a_stable_code_and_the_field(data, code, field):
    error = refusal(data)
    assert error.code == code
    if field is not None:
        assert error.field == field
    assert error.message


def test_it_accepts_zero_amounts_and_no_houses_or_cars():
    facts = campaign(
        {
            "finances.houses": [],
            "finances.cars": [],
            "finances.financial_assets_fen": 0,
            "finances.annual_income_fen": 0,
            "insurance.expected_payouts_fen": 0,
        }
    )
    assert facts.finances.houses == () and facts.finances.cars == ()
    assert facts.finances.extra_houses_value_fen == 0
