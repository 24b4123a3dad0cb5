"""The ``documents`` risk fact: a payout on a claim that came without any document waits for an adjuster
(``documents_missing``); an unknown count (a CLI line), a zero payout and a rejection do not wait."""

from __future__ import annotations

from kincare.claims.engine import adjudicate
from kincare.claims.tests.test_engine_examples import example


def test_a_payout_without_documents_goes_to_an_adjuster_with_its_amount() -> None:
    result = adjudicate(example(risk={"documents": 0}))
    assert (result.decision, result.reasons, result.payout_fen) == ("manual_review", ("documents_missing",), 300000)
    assert result.flags == ()  # a reason the family reads, not an adjusters' flag


def test_one_document_is_enough_for_an_automatic_payout() -> None:
    assert adjudicate(example(risk={"documents": 1})).decision == "approved"


def test_an_unknown_count_is_not_checked() -> None:
    assert adjudicate(example()).decision == "approved"


def test_nothing_to_pay_and_rejections_do_not_wait_for_documents() -> None:
    below = adjudicate(example(claim={"social_insurance_paid_fen": 2_000_000}, risk={"documents": 0}))
    assert (below.decision, below.payout_fen) == ("approved", 0)
    rejected = adjudicate(example(claim={"diagnoses": ["O80"]}, risk={"documents": 0}))
    assert rejected.reasons == ("excluded_condition",)


def test_documents_missing_comes_before_the_risk_and_limit_reasons() -> None:
    data = example(
        claim={"social_insurance_paid_fen": 0, "items": [{"category": "drug", "amount_fen": 9_000_000}]},
        risk={"documents": 0, "duplicate_invoice": True},
    )
    assert adjudicate(data).reasons == ("documents_missing", "risk_flagged", "above_auto_approve_limit")
