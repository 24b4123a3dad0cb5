"""claim_adjudicate through claim_submit: every rejection reaches the claim, the payout's ledger
entry, accumulators across claims (member and family), underwriting exclusions, risk flags from the
database, critical illness and accident policies, notifications without health details."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kincare.claims import services
from kincare.claims.models import Claim, ClaimAccumulator
from kincare.claims.services import adjudication
from kincare.claims.tests.services_helpers import (
    ACCIDENT,
    CRITICAL_ILLNESS,
    FAMILY_DEDUCTIBLE,
    HOSPITAL,
    LEVEL_1_HOSPITAL,
    PDF,
    PRIVATE_HOSPITAL,
    TODAY,
    WATCHLIST_HOSPITAL,
    backdate,
    issued_policy,
    submit,
    upload,
)
from kincare.core.errors import Conflict
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.models import JournalEntry
from kincare.core.ledger.selectors import account_balance
from kincare.core.models import AuditEvent, Notification
from kincare.policies.models import Policy
from kincare.policies.tests.services_helpers import buy, hepatitis_b_carrier

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay) -> Policy:
    return issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


# The payout -------------------------------------------------------------------------------------------


def test_an_approved_claim_posts_one_balanced_payout_entry(guardian, policy):
    claim = submit(guardian, policy)
    entry = JournalEntry.objects.get(idempotency_key=f"claim:{claim.pk}:payout")
    postings = sorted((p.account.code, p.amount_fen) for p in entry.postings.select_related("account"))
    insurer = policy.product.insurer.code
    assert postings == [
        (f"family:{claim.family_id}:claim_payouts", -300_000),
        (f"insurer:{insurer}:claims", 300_000),
    ]
    assert (entry.kind, entry.family_id, entry.subject_id) == ("claim_payout", claim.family_id, str(claim.pk))
    assert account_balance(f"family:{claim.family_id}:claim_payouts") == 300_000
    assert account_balance(f"insurer:{insurer}:claims") == 300_000
    assert reconcile() == []


def test_paying_twice_posts_once(guardian, policy):
    claim = submit(guardian, policy)
    first = services.payout_post(claim)
    assert services.payout_post(claim).pk == first.pk
    assert JournalEntry.objects.filter(kind="claim_payout").count() == 1


def test_a_claim_is_adjudicated_once(guardian, policy):
    claim = submit(guardian, policy)
    with pytest.raises(Conflict) as again:
        services.claim_adjudicate(claim=claim)
    assert again.value.code == "claim_already_adjudicated"


def test_rejected_and_zero_claims_post_nothing(guardian, policy):
    submit(guardian, policy, diagnoses=["F10.2"])
    zero = submit(guardian, policy, items=[{"category": "drug", "amount_fen": 100_000}], social_insurance_paid_fen=0)
    assert (zero.status, zero.payout_fen) == ("approved", 0)
    assert not JournalEntry.objects.filter(kind="claim_payout").exists()


# Every rejection reaches the claim -----------------------------------------------------------------------


def test_a_stay_before_the_policy_started_is_not_in_period(guardian, policy):
    claim = submit(guardian, policy, service_start=_days_ago(250), service_end=_days_ago(245))
    assert (claim.status, claim.reasons) == ("rejected", ["not_in_period"])


def test_a_general_exclusion_is_rejected(guardian, policy):
    for code in ("F10.2", "O80"):
        claim = submit(guardian, policy, diagnoses=[code])
        assert (claim.status, claim.reasons, claim.decided_by) == ("rejected", ["excluded_condition"], "engine")


def test_an_exclusion_from_underwriting_rejects_the_claim(guardian, guardian_member, grandparent, sandbox_pay):
    policy = issued_policy(
        guardian,
        sandbox_pay,
        policyholder=guardian_member,
        insured=grandparent,
        code="med_11",
        plan=None,
        answers={grandparent.pk: [hepatitis_b_carrier()]},
    )
    assert "B18" in policy.exclusions[0]["icd10"]
    claim = submit(guardian, policy, grandparent, diagnoses=["B18.1"])
    assert (claim.status, claim.reasons) == ("rejected", ["excluded_condition"])
    rejected = next(line for line in claim.engine_result["lines"] if line["code"] == "rejected")
    assert rejected["source"] == "policy"
    assert submit(guardian, policy, grandparent).status == "paid"  # other illnesses are covered


@pytest.mark.parametrize("hospital", [PRIVATE_HOSPITAL, LEVEL_1_HOSPITAL])
def test_an_ineligible_hospital_is_rejected(guardian, policy, hospital):
    claim = submit(guardian, policy, hospital_code=hospital)
    assert (claim.status, claim.reasons) == ("rejected", ["hospital_not_eligible"])


def test_a_claim_type_the_product_does_not_cover_is_rejected(guardian, guardian_member, sandbox_pay):
    # med_05 covers special outpatient but not outpatient surgery
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code="med_05")
    claim = submit(guardian, policy, claim_type="outpatient_surgery")
    assert (claim.status, claim.reasons) == ("rejected", ["claim_type_not_covered"])


def test_pre_and_post_hospital_outpatient_care_is_covered_inside_the_window_only(guardian, policy):
    # med_01: 7 days before admission, 30 days after discharge
    stay = {"admission": _days_ago(100).isoformat(), "discharge": _days_ago(90).isoformat()}
    inside = submit(
        guardian,
        policy,
        claim_type="pre_post_outpatient",
        related_stay=stay,
        service_start=_days_ago(70),
        service_end=_days_ago(70),
    )
    assert inside.status == "paid" and inside.related_stay == stay
    outside = submit(
        guardian,
        policy,
        claim_type="pre_post_outpatient",
        related_stay=stay,
        service_start=_days_ago(50),
        service_end=_days_ago(50),
    )
    assert (outside.status, outside.reasons) == ("rejected", ["outside_pre_post_window"])


def test_an_accident_policy_pays_accidents_only(guardian, guardian_member, sandbox_pay):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code=ACCIDENT)
    illness = submit(guardian, policy, diagnoses=["J18.9"])
    assert (illness.status, illness.reasons) == ("rejected", ["not_accident"])
    accident = submit(guardian, policy, diagnoses=["S82.0"], is_accident=True)
    assert (accident.status, accident.payout_fen) == ("paid", 1_300_000)


def test_a_rejection_leaves_the_accumulators_untouched(guardian, policy):
    submit(guardian, policy, diagnoses=["F10.2"])
    accumulator = ClaimAccumulator.objects.get(policy=policy)
    assert (accumulator.deductible_used, accumulator.paid) == ({}, {})


# Critical illness -----------------------------------------------------------------------------------------


def test_a_critical_illness_pays_the_sum_insured_times_the_severity_ratio(guardian, guardian_member, sandbox_pay):
    policy = issued_policy(
        guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code=CRITICAL_ILLNESS, plan=None
    )
    kwargs = {"claim_type": "critical_illness", "items": [], "social_insurance_paid_fen": 0}
    not_covered = submit(guardian, policy, diagnoses=["K35.8"], **kwargs)
    assert (not_covered.status, not_covered.reasons) == ("rejected", ["not_covered_disease"])
    mild = submit(guardian, policy, diagnoses=["C73"], **kwargs)
    expected = policy.sum_insured_fen * 3 // 10
    assert (mild.benefit, mild.proposed_payout_fen) == ("mild", expected)
    # above the auto-approve limit: an adjuster decides, the lifetime counts wait for the approval
    assert mild.status == "manual_review" and "above_auto_approve_limit" in mild.reasons
    assert ClaimAccumulator.objects.get(policy=policy).payouts == {}


# Accumulators ------------------------------------------------------------------------------------------------


def test_the_accumulator_is_per_policy_year(guardian, guardian_member, sandbox_pay, policy):
    submit(guardian, policy)
    row = ClaimAccumulator.objects.get(policy=policy)
    assert row.period_start == TODAY - dt.timedelta(days=200)
    assert row.member_id == guardian_member.pk


def test_a_family_shared_deductible_is_used_once_by_the_family(guardian, guardian_member, child, sandbox_pay):
    mine, childs = buy(
        guardian, sandbox_pay, code=FAMILY_DEDUCTIBLE, plan="standard", policyholder=guardian_member,
        insured=[guardian_member, child],
    )  # fmt: skip
    mine, childs = backdate(mine), backdate(childs)
    first = submit(guardian, mine)
    second = submit(guardian, childs, child)
    assert (first.payout_fen, first.engine_result["deductible_applied_fen"]) == (300_000, 1_000_000)
    assert (second.payout_fen, second.engine_result["deductible_applied_fen"]) == (1_300_000, 0)
    rows = {r.member_id: r for r in ClaimAccumulator.objects.all()}
    assert rows[guardian_member.pk].deductible_used == {"main": 1_000_000}
    assert rows[child.pk].deductible_used == {}
    assert rows[child.pk].paid == {"general": 1_300_000}


def test_the_annual_limit_caps_the_payout(guardian, policy):
    ClaimAccumulator.objects.create(
        policy=policy,
        member=policy.insured,
        period_start=TODAY - dt.timedelta(days=200),
        deductible_used={"main": 1_000_000},
        paid={"general": 400_000_000 - 50_000},
    )
    claim = submit(guardian, policy)
    assert (claim.payout_fen, claim.reasons) == (50_000, ["limit_reached"])


# Risk flags from the database ---------------------------------------------------------------------------------


def test_a_document_used_in_another_claim_sends_the_claim_to_an_adjuster(guardian, policy):
    first = submit(guardian, policy, documents=[("invoice", upload(PDF))])
    assert first.status == "paid" and first.flags == []
    second = submit(guardian, policy, documents=[("invoice", upload(PDF, "again.pdf"))])
    assert second.status == "manual_review"
    assert second.flags == ["duplicate_document"] and "risk_flagged" in second.reasons
    assert second.proposed_payout_fen == 1_300_000 and second.payout_fen == 0
    # the accumulators wait for the adjuster
    assert ClaimAccumulator.objects.get(policy=policy).paid == {"general": 300_000}


def test_an_invoice_number_used_in_another_claim_is_flagged(guardian, policy):
    submit(guardian, policy, invoice_numbers=["INV-1"])
    again = submit(guardian, policy, invoice_numbers=["inv-1"])
    assert (again.status, again.flags) == ("manual_review", ["duplicate_invoice"])
    other = submit(guardian, policy, invoice_numbers=["INV-10"])
    assert other.flags == []


def test_a_withdrawn_claim_does_not_make_a_duplicate(guardian, policy):
    first = submit(guardian, policy, invoice_numbers=["INV-7"])
    Claim.objects.filter(pk=first.pk).update(status=Claim.Status.WITHDRAWN)
    assert submit(guardian, policy, invoice_numbers=["INV-7"]).flags == []


def test_a_watch_listed_hospital_is_flagged(guardian, policy, monkeypatch):
    from kincare.claims import reference

    listed = dataclasses.replace(reference.hospital_get(HOSPITAL), watchlist=True)
    monkeypatch.setattr(adjudication, "hospital_get", lambda code: listed)
    claim = submit(guardian, policy)
    assert (claim.status, claim.flags) == ("manual_review", ["hospital_watchlist"])
    # a rejected claim keeps its flags for the adjusters, too
    assert reference.hospital_get(WATCHLIST_HOSPITAL).watchlist
    assert submit(guardian, policy, hospital_code=WATCHLIST_HOSPITAL).flags == ["hospital_watchlist"]


def test_a_claim_soon_after_the_waiting_period_and_an_unusual_amount_are_flagged(
    guardian, guardian_member, sandbox_pay
):
    policy = issued_policy(
        guardian,
        sandbox_pay,
        policyholder=guardian_member,
        insured=guardian_member,
        effective_days_ago=60,
        first_effective_days_ago=60,
    )
    early = submit(guardian, policy, service_start=_days_ago(20), service_end=_days_ago(15))
    assert early.status == "manual_review" and early.flags == ["early_claim"]
    unusual = submit(guardian, policy, items=[{"category": "surgery", "amount_fen": 4_600_000}])
    assert "amount_unusual" in unusual.flags  # K35.8 usually costs 15,000 yuan


def test_more_than_three_claims_in_90_days_are_frequent(guardian, policy):
    statuses = [submit(guardian, policy).status for _ in range(5)]
    assert statuses[:4] == ["paid"] * 4 and statuses[4] == "manual_review"
    assert Claim.objects.order_by("-id").first().flags == ["frequent_claims"]


# Notifications and audit -----------------------------------------------------------------------------------------


def test_the_submitter_and_the_insured_are_told_without_health_details(
    guardian, guardian_member, adult_member, adult_row, sandbox_pay
):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=adult_row)
    claim = submit(guardian, policy, adult_row)
    notices = Notification.objects.filter(kind="claims.paid").order_by("recipient_id")
    assert {n.recipient for n in notices} == {guardian, adult_member}
    for notice in notices:
        assert claim.number in notice.title and "3,000.00" in notice.title
        text = notice.title + notice.body
        assert "阑尾" not in text and "K35" not in text
        assert notice.link == f"/claims/{claim.pk}/"
    rejected = submit(guardian, policy, adult_row, diagnoses=["F10.2"])
    assert Notification.objects.filter(kind="claims.rejected", title__contains=rejected.number).count() == 2
    assert all("F10" not in n.body and "酒精" not in n.body for n in Notification.objects.all())


def test_the_status_moves_and_the_submission_are_audited_without_health_data(guardian, policy):
    claim = submit(guardian, policy)
    actions = list(AuditEvent.objects.filter(subject_id=str(claim.pk)).values_list("action", flat=True))
    assert "claims.claim_submitted" in actions
    assert actions.count("claims.claim.status_changed") == 2
    for event in AuditEvent.objects.filter(subject_id=str(claim.pk)):
        assert "K35" not in str(event.old) + str(event.new)


def test_if_adjudication_fails_nothing_is_kept(guardian, policy, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr("kincare.claims.services.submit.adjudicate_new", broken)
    with pytest.raises(RuntimeError):
        submit(guardian, policy, documents=[("invoice", upload())])
    assert Claim.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_risk_facts_count_the_members_other_claims(guardian, policy):
    first = submit(guardian, policy)
    second = submit(guardian, policy)
    facts = adjudication.claim_risk_facts(second)
    assert facts["claims_last_90_days"] == 1 and facts["usual_cost_fen"] == 1_500_000
    assert adjudication.claim_risk_facts(first)["claims_last_90_days"] == 0
