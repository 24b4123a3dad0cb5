"""Critical illness: a claimed severity needs a diagnosis in the product's covered list (spec: "a
diagnosis in the product's covered list with a severity … pays")."""

from __future__ import annotations

import pytest

from kincare.claims.engine import adjudicate
from kincare.claims.tests.test_engine_critical import ci


@pytest.mark.parametrize("severity", ["severe", "moderate", "mild"])
def test_it_rejects_a_declared_severity_whose_only_diagnosis_is_not_in_the_covered_list(severity: str) -> None:
    result = adjudicate(ci(claim={"diagnoses": ["J18.9"], "severity": severity}))  # pneumonia
    assert (result.decision, result.reasons, result.payout_fen) == ("rejected", ("not_covered_disease",), 0)
    assert result.lines[0] == {
        "code": "rejected",
        "reason": "not_covered_disease",
        "severity": severity,
        "diagnoses": ["J18.9"],
    }
    assert result.accumulators_after["payouts"] == {}


def test_it_sends_a_declared_severity_to_an_adjuster_when_one_diagnosis_is_listed() -> None:
    result = adjudicate(ci(claim={"diagnoses": ["J18.9", "C73"], "severity": "severe"}))
    assert (result.decision, result.reasons) == ("manual_review", ("severity_unconfirmed",))


def test_a_diagnosis_matched_by_a_shorter_prefix_of_a_covered_severity_is_in_the_list() -> None:
    # C73 is mild by its longest prefix, and cancer (C) is severe: a product without mild cover
    # still lists it, and a declared severe thyroid cancer goes to an adjuster
    policy = {"severities": {"severe": {"ratio": "1.00", "max_payouts": 1}}}
    result = adjudicate(ci(policy=policy, claim={"diagnoses": ["C73"], "severity": "severe"}))
    assert (result.decision, result.reasons) == ("manual_review", ("severity_unconfirmed",))
