"""The edge parses crowdfunding input once (the API, the pages, the admin and the demo build these
models); the services take the typed values. Each refusal keeps the code and field the services
used to answer."""

from __future__ import annotations

import pytest

from kincare.core.errors import ValidationFailed
from kincare.crowdfunding.form_schemas import (
    DisbursementInput,
    DonationInput,
    ReportInput,
    ReportResolution,
    WitnessInput,
    update_text,
)


def refused(build) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        build()
    return caught.value.code, caught.value.field


def test_a_donation_is_parsed_with_its_message_tidied():
    gift = DonationInput(amount_fen=10_000, idempotency_key="key-0001", message="  早日  康复 ")
    assert gift.model_dump() == {"amount_fen": 10_000, "idempotency_key": "key-0001", "message": "早日 康复"}


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ({"amount_fen": 1.5, "idempotency_key": "key-0001"}, "amount_invalid", "amount_fen"),
        ({"amount_fen": 10_000, "idempotency_key": "short"}, "invalid_idempotency_key", "idempotency_key"),
        ({"amount_fen": 10_000, "idempotency_key": "key-0001", "message": 5}, "message_invalid", "message"),
        ({"amount_fen": 10_000, "idempotency_key": "key-0001", "message": "x" * 201}, "message_too_long", "message"),
    ],
)
def test_a_nasty_donation_is_refused_at_the_edge(raw, code, field):
    assert refused(lambda: DonationInput.model_validate(raw)) == (code, field)


def test_a_witness_and_an_update_are_stripped_or_refused():
    assert WitnessInput(relationship=" 邻居 ", message=" 属实 ").model_dump() == {
        "relationship": "邻居",
        "message": "属实",
    }
    assert refused(lambda: WitnessInput(relationship="  ")) == ("relationship_invalid", "relationship")
    assert refused(lambda: WitnessInput(relationship="邻居", message="x" * 201)) == ("message_invalid", "message")
    assert update_text("  第二轮化疗结束  ") == "第二轮化疗结束"
    assert refused(lambda: update_text("好")) == ("text_invalid", "text")


def test_a_report_and_its_resolution_are_refused_with_their_codes():
    assert ReportInput(reason="other", details="  情况存疑，请核实 ").details == "情况存疑，请核实"
    assert refused(lambda: ReportInput(reason="nonsense", details="说明足够长了")) == ("reason_invalid", "reason")
    assert refused(lambda: ReportResolution(status="open", outcome="x")) == ("status_invalid", "status")
    assert refused(lambda: ReportResolution(status="dismissed", outcome="  ")) == ("outcome_required", "outcome")
    assert len(ReportResolution(status="dismissed", outcome="长" * 600).outcome) == 500


def test_a_disbursement_request_keeps_the_digits_of_the_account():
    asked = DisbursementInput(amount_fen=1_000, recipient_account=" 6222 0202 0011 2233 ", recipient_name=" 医院 ")
    assert (asked.recipient_account, asked.recipient_name, asked.recipient) == ("6222020200112233", "医院", "hospital")
    assert refused(lambda: DisbursementInput(amount_fen=0, recipient_account="62220202")) == (
        "amount_invalid",
        "amount_fen",
    )
    assert refused(lambda: DisbursementInput(amount_fen=1, recipient="friend", recipient_account="62220202")) == (
        "recipient_invalid",
        "recipient",
    )
    assert refused(lambda: DisbursementInput(amount_fen=1, recipient_account="６２２２０２０２")) == (
        "account_invalid",
        "recipient_account",
    )
