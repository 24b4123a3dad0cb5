"""Reasons in plain Chinese words, with the numbers that decided them."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from kincare.crowdfunding.engine import FLAG_CODES, HARD_CODES, REASON_TITLES, Reason, assess, render_reason
from kincare.crowdfunding.tests.test_engine_parse import campaign

CJK = re.compile(r"[\u4e00-\u9fff]")


def sentence(changes: dict, code: str) -> str:
    (reason,) = [r for r in assess(campaign(changes)).reasons if r.code == code]
    with translation.override("zh-hans"):
        return render_reason(reason)


def test_it_explains_the_cap_with_the_sum_that_makes_it():
    text = sentence({"goal_fen": 40_000_000, "other_aid_fen": 1_000_000}, "goal_above_cap")
    assert text.startswith(
        "目标金额 400,000.00 元 超过上限 290,000.00 元：预计费用 500,000.00 元 − 预计保险赔付 200,000.00 元"
        " − 其他救助 10,000.00 元。"
    )
    assert "290,000.00 元 以内" in text


def test_a_cap_of_zero_says_insurance_and_aid_already_pay_for_everything():
    text = sentence({"insurance.expected_payouts_fen": 60_000_000}, "goal_above_cap")
    assert "上限 0.00 元" in text and "已覆盖全部预计费用" in text


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"finances.financial_assets_fen": 31_000_000}, "liquid_assets_cover_goal", ["310,000.00 元", "300,000.00 元"]),
        (
            {"finances.houses": [{"value_fen": 70_000_000, "only_home": False}]},
            "extra_houses_high_value",
            ["1 套", "700,000.00 元", "600,000.00 元"],
        ),
        ({"finances.cars": [{"value_fen": 20_000_000}] * 2}, "car_value_high", ["2 辆", "400,000.00 元"]),
        ({"finances.annual_income_fen": 45_000_000}, "income_high", ["450,000.00 元"]),
        ({"context.active_campaigns_same_patient": 2}, "duplicate_patient_campaign", ["2 个"]),
        ({"fundraiser.account_created": "2026-11-19"}, "new_fundraiser_account", ["2026-11-19", "2 天"]),
        ({"relationship": "other"}, "relationship_other", ["授权书"]),
        ({"diagnosis.icd10": "j18.9"}, "not_serious_illness", ["J18.9", "大病目录"]),
        ({"context.open_reports": 3}, "open_reports", ["3 条"]),
        ({"patient.deceased": True}, "patient_deceased", ["去世"]),
        ({"patient.resident_id": "1"}, "invalid_patient_id", ["患者", "身份证"]),
        ({"fundraiser.resident_id": "1"}, "invalid_fundraiser_id", ["发起人", "身份证"]),
    ],
)
def test_each_reason_says_what_was_found_with_its_numbers(changes, code, words):
    text = sentence(changes, code)
    for word in words:
        assert word in text, text


def test_every_reason_has_a_sentence_and_a_title_in_chinese():
    for code in HARD_CODES + FLAG_CODES:
        with translation.override("zh-hans"):
            text = render_reason(Reason(code, "flag", 0, {}))
        assert CJK.search(text) and "%(" not in text, code
        assert CJK.search(str(REASON_TITLES[code])), code


def test_an_unknown_code_is_shown_as_it_is_rather_than_failing():
    assert render_reason(Reason("something_new", "flag", 0)) == "something_new"
