"""The adjusters' review: approve, adjust, reject, second approval by another adjuster, return;
every review recorded and audited; the accumulators follow the approved amount."""

from __future__ import annotations

import datetime as dt

import pytest

from kincare.claims import services
from kincare.claims.admin_forms import adjust_terms, reject_terms, review_note
from kincare.claims.models import Claim, ClaimAccumulator, ClaimReview
from kincare.claims.tests.services_helpers import CRITICAL_ILLNESS, PDF, TODAY, issued_policy, submit, upload
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.fsm import status_history
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.models import JournalEntry
from kincare.core.models import AuditEvent, Notification
from kincare.policies.models import Policy

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay) -> Policy:
    return issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def flagged(guardian, policy) -> Claim:
    """The spec's example, sent to an adjuster by a document another claim used (engine: 3,000 yuan)."""
    submit(guardian, policy, documents=[("invoice", upload(PDF))], social_insurance_paid_fen=2_500_000)
    claim = submit(guardian, policy, documents=[("invoice", upload(PDF, "same.pdf"))])
    assert (claim.status, claim.flags, claim.proposed_payout_fen) == ("manual_review", ["duplicate_document"], 300_000)
    return claim


@pytest.fixture
def large(guardian, policy) -> Claim:
    """A serious illness paying 78,000 yuan: above the auto-approve limit and the second-approval threshold."""
    claim = submit(guardian, policy, diagnoses=["C34.1"], items=[{"category": "surgery", "amount_fen": 9_000_000}])
    assert (claim.status, claim.proposed_payout_fen) == ("manual_review", 7_800_000)
    assert claim.reasons == ["above_auto_approve_limit"]
    return claim


def _accumulator(policy: Policy) -> ClaimAccumulator:
    return ClaimAccumulator.objects.get(policy=policy)


def _moves(claim: Claim) -> list[str]:
    return [c.to_status for c in status_history(claim).order_by("id")]


def test_an_adjuster_approves_what_the_engine_computes_and_it_is_paid(claims_adjuster, policy, flagged):
    claim = services.claim_review_approve(actor=claims_adjuster, claim=flagged, note="材料已核实")
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.payout_fen) == ("paid", "adjuster", 300_000)
    assert _moves(claim) == ["manual_review", "approved", "paid"]
    review = ClaimReview.objects.get(claim=claim)
    assert (review.action, review.actor, review.amount_fen, review.note) == (
        "approve",
        claims_adjuster,
        300_000,
        "材料已核实",
    )
    assert _accumulator(policy).deductible_used == {"main": 1_000_000}
    assert JournalEntry.objects.filter(idempotency_key=f"claim:{claim.pk}:payout").exists()
    assert reconcile() == []
    event = AuditEvent.objects.get(action="claims.claim_reviewed", subject_id=str(claim.pk))
    assert event.new == {"action": "approve", "amount_fen": 300_000, "reason_code": ""}
    assert "材料" not in str(event.new)
    assert Notification.objects.filter(kind="claims.paid", title__contains=claim.number).exists()


def test_the_approval_uses_the_accumulators_as_they_are_now(guardian, claims_adjuster, policy, flagged):
    # another claim used the deductible while this one waited: the adjuster's approval pays 13,000 yuan
    assert submit(guardian, policy, social_insurance_paid_fen=1_200_000).payout_fen == 300_000
    claim = services.claim_review_approve(actor=claims_adjuster, claim=flagged)
    assert claim.payout_fen == 1_300_000
    assert claim.engine_result["deductible_applied_fen"] == 0
    assert _accumulator(policy).paid == {"general": 1_600_000}


def test_an_adjusted_payout_is_what_the_accumulators_remember(claims_adjuster, policy, flagged):
    claim = services.claim_review_adjust(
        actor=claims_adjuster,
        claim=flagged,
        amount_fen=200_000,
        reason_code="unreasonable_charges",
        note="部分药品自费",
    )
    claim.refresh_from_db()
    assert (claim.status, claim.payout_fen, claim.proposed_payout_fen) == ("paid", 200_000, 200_000)
    accumulator = _accumulator(policy)
    assert (accumulator.deductible_used, accumulator.paid) == ({"main": 1_000_000}, {"general": 200_000})
    adjusted = claim.engine_result["lines"][-1]
    assert adjusted == {
        "code": "adjusted",
        "reason_code": "unreasonable_charges",
        "engine_amount_fen": 300_000,
        "amount_fen": 200_000,
    }
    assert claim.engine_result["payout_fen"] == 300_000  # the engine's own number stays
    review = ClaimReview.objects.get(claim=claim)
    assert (review.action, review.amount_fen, review.reason_code) == ("adjust", 200_000, "unreasonable_charges")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"amount_fen": 1_300_001}, "amount_above_bound"),  # the base: 25,000 − 12,000 yuan
        ({"amount_fen": -1}, "amount_invalid"),
        ({"amount_fen": "100"}, "amount_invalid"),
        ({"amount_fen": True}, "amount_invalid"),
        ({"reason_code": "because"}, "reason_invalid"),
        ({"note": "   "}, "note_required"),
        ({"note": "x" * 2001}, "note_invalid"),
    ],
)
def test_an_adjustment_needs_a_sane_amount_a_reason_and_a_note(claims_adjuster, flagged, kwargs, code):
    args = {"amount_fen": 100_000, "reason_code": "other", "note": "说明", **kwargs}
    with pytest.raises(ValidationFailed) as refused:
        # parsed as the console's form does (adjust_terms), then the service
        services.claim_review_adjust(actor=claims_adjuster, claim=flagged, **adjust_terms(**args))
    assert refused.value.code == code
    flagged.refresh_from_db()
    assert flagged.status == "manual_review" and not ClaimReview.objects.exists()


def test_the_adjusted_amount_may_be_up_to_the_base(claims_adjuster, policy, flagged):
    claim = services.claim_review_adjust(
        actor=claims_adjuster,
        claim=flagged,
        amount_fen=1_300_000,
        reason_code="calculation_correction",
        note="免赔额已由他处抵扣",
    )
    assert claim.payout_fen == 1_300_000
    assert claim.engine_result["adjusted_payout_fen"] == 1_300_000


def test_an_adjuster_rejects_with_a_reason_code(claims_adjuster, policy, flagged):
    claim = services.claim_review_reject(
        actor=claims_adjuster, claim=flagged, reason_code="fraud_suspected", note="发票重复使用"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.reasons, claim.decided_by, claim.payout_fen) == (
        "rejected",
        ["fraud_suspected"],
        "adjuster",
        0,
    )
    assert _accumulator(policy).paid == {"general": 0} or _accumulator(policy).paid.get("general", 0) == 0
    assert Notification.objects.filter(kind="claims.rejected", title__contains=claim.number).exists()
    with pytest.raises(ValidationFailed) as unknown:
        services.claim_review_reject(actor=claims_adjuster, claim=claim, **reject_terms(reason_code="nope", note=""))
    assert unknown.value.code == "reason_invalid"
    with pytest.raises(Conflict) as done:
        services.claim_review_reject(actor=claims_adjuster, claim=claim, reason_code="other", note="再拒一次")
    assert done.value.code == "claim_not_in_review"


def test_rejecting_for_another_reason_needs_a_note(claims_adjuster, flagged):
    with pytest.raises(ValidationFailed) as refused:
        services.claim_review_reject(actor=claims_adjuster, claim=flagged, **reject_terms(reason_code="other", note=""))
    assert refused.value.code == "note_required"


def test_a_large_payout_needs_a_second_different_adjuster(claims_adjuster, second_adjuster, policy, large):
    claim = services.claim_review_approve(actor=claims_adjuster, claim=large)
    claim.refresh_from_db()
    assert (claim.status, claim.payout_fen, claim.proposed_payout_fen) == ("awaiting_second_approval", 0, 7_800_000)
    assert _accumulator(policy).paid == {}
    assert not JournalEntry.objects.filter(kind="claim_payout").exists()
    with pytest.raises(PermissionDenied) as same:
        services.claim_second_approve(actor=claims_adjuster, claim=claim)
    assert same.value.code == "second_adjuster_required"
    paid = services.claim_second_approve(actor=second_adjuster, claim=claim, note="同意")
    paid.refresh_from_db()
    assert (paid.status, paid.payout_fen, paid.decided_by) == ("paid", 7_800_000, "adjuster")
    assert _moves(paid) == ["manual_review", "awaiting_second_approval", "approved", "paid"]
    assert [r.action for r in paid.reviews.order_by("id")] == ["approve", "second_approve"]
    assert _accumulator(policy).paid == {"serious_illness": 7_800_000}
    assert reconcile() == []


def test_a_large_adjusted_payout_also_needs_the_second_adjuster(claims_adjuster, second_adjuster, policy, large):
    services.claim_review_adjust(
        actor=claims_adjuster, claim=large, amount_fen=6_000_000, reason_code="documents_partial", note="部分发票缺失"
    )
    large.refresh_from_db()
    assert large.status == "awaiting_second_approval"
    paid = services.claim_second_approve(actor=second_adjuster, claim=large)
    assert paid.payout_fen == 6_000_000
    assert _accumulator(policy).paid == {"serious_illness": 6_000_000}


def test_an_adjustment_at_or_below_the_threshold_is_paid_at_once(claims_adjuster, policy, large, settings):
    claim = services.claim_review_adjust(
        actor=claims_adjuster,
        claim=large,
        amount_fen=settings.CLAIMS_SECOND_APPROVAL_ABOVE_FEN,
        reason_code="documents_partial",
        note="部分发票缺失",
    )
    assert (claim.status, claim.payout_fen) == ("paid", 5_000_000)


def test_the_second_adjuster_may_return_the_claim_for_a_new_review(claims_adjuster, second_adjuster, large):
    services.claim_review_approve(actor=claims_adjuster, claim=large)
    with pytest.raises(ValidationFailed):  # the console's form parses the note (SecondReturnForm)
        services.claim_second_return(actor=second_adjuster, claim=large, note=review_note("", required=True))
    claim = services.claim_second_return(actor=second_adjuster, claim=large, note="请核实病理报告")
    claim.refresh_from_db()
    assert claim.status == "manual_review"
    rejected = services.claim_review_reject(
        actor=second_adjuster, claim=claim, reason_code="documents_insufficient", note="缺少病理报告"
    )
    assert rejected.status == "rejected"


def test_the_second_approval_is_refused_when_the_proposal_changed_meanwhile(
    guardian, claims_adjuster, second_adjuster, policy, large
):
    services.claim_review_approve(actor=claims_adjuster, claim=large)
    # the serious-illness limit was almost used up by another claim meanwhile
    ClaimAccumulator.objects.filter(policy=policy).update(paid={"serious_illness": 400_000_000 - 1_000_000})
    with pytest.raises(Conflict) as changed:
        services.claim_second_approve(actor=second_adjuster, claim=large)
    assert changed.value.code == "proposal_changed"
    large.refresh_from_db()
    assert large.status == "awaiting_second_approval"


def test_only_adjusters_review(guardian, underwriter, flagged, django_user_model):
    for actor in (guardian, underwriter):
        with pytest.raises(PermissionDenied) as refused:
            services.claim_review_approve(actor=actor, claim=flagged)
        assert refused.value.code == "adjuster_required"
    root = django_user_model.objects.create_superuser(phone="13900008899", password="Root-2026-pass!")
    assert services.claim_review_approve(actor=root, claim=flagged).status == "paid"


def test_a_claim_not_in_review_cannot_be_approved(guardian, claims_adjuster, policy):
    paid = submit(guardian, policy)
    with pytest.raises(Conflict) as refused:
        services.claim_review_approve(actor=claims_adjuster, claim=paid)
    assert refused.value.code == "claim_not_in_review"
    with pytest.raises(Conflict):
        services.claim_second_approve(actor=claims_adjuster, claim=paid)


def test_a_critical_illness_approved_by_two_adjusters_counts_towards_its_payouts(
    guardian, guardian_member, claims_adjuster, second_adjuster, sandbox_pay
):
    policy = issued_policy(
        guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code=CRITICAL_ILLNESS, plan=None
    )
    kwargs = {"claim_type": "critical_illness", "items": [], "social_insurance_paid_fen": 0}
    claim = submit(guardian, policy, diagnoses=["C34.1"], **kwargs)
    assert (claim.status, claim.benefit) == ("manual_review", "severe")
    services.claim_review_approve(actor=claims_adjuster, claim=claim)
    paid = services.claim_second_approve(actor=second_adjuster, claim=claim)
    assert paid.payout_fen == policy.sum_insured_fen
    row = ClaimAccumulator.objects.get(policy=policy)
    assert row.payouts == {"severe": 1} and row.paid == {"severe": policy.sum_insured_fen}
    # ci_01 pays severe illness once: the cover has ended
    again = submit(
        guardian,
        policy,
        diagnoses=["I21.0"],
        service_start=TODAY - dt.timedelta(days=5),
        service_end=TODAY - dt.timedelta(days=5),
        **kwargs,
    )
    assert (again.status, again.reasons) == ("rejected", ["cover_ended"])


def test_a_second_severe_illness_within_the_gap_is_rejected_from_the_last_paid_claim(
    guardian, guardian_member, claims_adjuster, second_adjuster, sandbox_pay
):
    # ci_03 pays severe illness up to 3 times, at least 365 days apart (diagnosis dates)
    policy = issued_policy(
        guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code="ci_03", plan=None
    )
    kwargs = {"claim_type": "critical_illness", "items": [], "social_insurance_paid_fen": 0}
    first = submit(
        guardian,
        policy,
        diagnoses=["C34.1"],
        service_start=TODAY - dt.timedelta(days=100),
        service_end=TODAY - dt.timedelta(days=90),
        **kwargs,
    )
    services.claim_review_approve(actor=claims_adjuster, claim=first)
    services.claim_second_approve(actor=second_adjuster, claim=first)
    second = submit(
        guardian,
        policy,
        diagnoses=["I21.0"],
        service_start=TODAY - dt.timedelta(days=10),
        service_end=TODAY - dt.timedelta(days=5),
        **kwargs,
    )
    assert (second.status, second.reasons) == ("rejected", ["payout_gap"])
    gap = next(line for line in second.engine_result["lines"] if line["code"] == "rejected")
    assert gap["last_payout_on"] == (TODAY - dt.timedelta(days=100)).isoformat()


def test_a_severity_paid_its_maximum_times_is_rejected(guardian, guardian_member, sandbox_pay):
    policy = issued_policy(
        guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code=CRITICAL_ILLNESS, plan=None
    )
    ClaimAccumulator.objects.create(
        policy=policy,
        member=guardian_member,
        period_start=TODAY - dt.timedelta(days=200),
        payouts={"mild": 3},
        paid={"mild": 3 * policy.sum_insured_fen * 3 // 10},
    )
    claim = submit(
        guardian, policy, diagnoses=["C73"], claim_type="critical_illness", items=[], social_insurance_paid_fen=0
    )
    assert (claim.status, claim.reasons) == ("rejected", ["max_payouts_reached"])
