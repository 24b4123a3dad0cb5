"""The edge parses policies input once (the API schemas, the pages' forms and the demo build these
models); the services take the typed values and check only what needs the database."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.core.errors import ValidationFailed
from kincare.policies.form_schemas import Beneficiaries, ExternalPolicyInput

POLICY = {
    "insurer_name": " 某人寿保险股份有限公司 ",
    "product_name": "守护定期寿险",
    "category": "term_life",
    "sum_insured_fen": 100_000_000,
    "starts_on": "2025-01-01",
}


def refused(build) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        build()
    return caught.value.code, caught.value.field


def test_an_external_policy_is_parsed_with_names_stripped_and_dates_read():
    policy = ExternalPolicyInput.model_validate({**POLICY, "ends_on": "", "policy_number": None})
    assert policy.insurer_name == "某人寿保险股份有限公司"
    assert (policy.starts_on, policy.ends_on, policy.policy_number, policy.premium_fen) == (
        dt.date(2025, 1, 1),
        None,
        "",
        0,
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"starts_on": None}, "date_invalid", "starts_on"),
        ({"starts_on": dt.datetime(2025, 1, 1, 8, 0)}, "date_invalid", "starts_on"),
        ({"policy_number": "P\x00"}, "policy_number_invalid", "policy_number"),
        ({"sum_insured_fen": 10**15}, "amount_invalid", "sum_insured_fen"),
    ],
)
def test_a_nasty_external_policy_is_refused_at_the_edge(change, code, field):
    assert refused(lambda: ExternalPolicyInput.model_validate({**POLICY, **change})) == (code, field)


def test_beneficiaries_are_parsed_and_kept_as_given():
    named = {
        "kind": "named",
        "named": [
            {"name": " 王建国 ", "relationship": "spouse", "share_pct": 60, "member_id": 7},
            {"name": "王小明", "relationship": "child", "share_pct": 40},
        ],
    }
    assert Beneficiaries.model_validate(named).as_json() == {
        "kind": "named",
        "named": [
            {"name": "王建国", "relationship": "spouse", "share_pct": 60, "member_id": 7},
            {"name": "王小明", "relationship": "child", "share_pct": 40},
        ],
    }
    assert Beneficiaries.model_validate({"kind": "legal", "named": [1]}).as_json() == {"kind": "legal"}


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ("legal", "beneficiaries_invalid", "beneficiaries"),
        ({"kind": "named", "named": []}, "beneficiaries_invalid", "beneficiaries.named"),
        ({"kind": "named", "named": ["王建国"]}, "beneficiaries_invalid", "beneficiaries"),
        (
            {"kind": "named", "named": [{"name": "甲", "relationship": "self", "share_pct": 100}]},
            "beneficiary_relationship_invalid",
            "beneficiaries.named.0.relationship",
        ),
        (
            {"kind": "named", "named": [{"name": "甲", "relationship": "child", "share_pct": 100, "member_id": "7"}]},
            "beneficiaries_invalid",
            "beneficiaries",
        ),
    ],
)
def test_nasty_beneficiaries_are_refused_at_the_edge(raw, code, field):
    assert refused(lambda: Beneficiaries.model_validate(raw)) == (code, field)
