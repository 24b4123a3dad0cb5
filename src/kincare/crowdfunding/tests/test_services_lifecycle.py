"""After going live: reports pause, termination refunds every donation, disbursement waits for the
disclosure window and evidence, and closing returns the surplus to the fen."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.selectors import account_balance
from kincare.core.payments.models import PaymentRefund
from kincare.crowdfunding import services
from kincare.crowdfunding.form_schemas import DisbursementInput, ReportInput
from kincare.crowdfunding.models import Campaign, Disbursement, Donation, Report
from kincare.crowdfunding.tests.conftest import pdf
from kincare.families.tests import factories

pytestmark = pytest.mark.usefixtures("catalog")
_keys = itertools.count(1)


def give(campaign: Any, amount_fen: int, sandbox_pay: Any, user: Any = None) -> Donation:
    donation = services.donation_start(
        actor=user or factories.UserFactory(),
        campaign=campaign,
        amount_fen=amount_fen,
        idempotency_key=f"life-{next(_keys):08d}",
    )
    sandbox_pay(donation.order)
    donation.refresh_from_db()
    return donation


def published_days_ago(campaign: Campaign, days: int = 4) -> Campaign:
    """Live (and, if it has ended, ended) that many days ago: past the disclosure window."""
    then = timezone.now() - dt.timedelta(days=days)
    Campaign.objects.filter(pk=campaign.pk).update(live_at=then)
    Campaign.objects.filter(pk=campaign.pk, ended_at__isnull=False).update(ended_at=then)
    campaign.refresh_from_db()
    return campaign


def ended_days_ago(campaign: Campaign, guardian: Any, days: int = 4) -> Campaign:
    services.campaign_end(actor=guardian, campaign=campaign)
    return published_days_ago(campaign, days)


def paid_out(campaign: Campaign, guardian: Any, reviewer: Any, amount_fen: int) -> tuple[Campaign, Disbursement]:
    """Ended past the disclosure window, with one disbursement to the hospital approved."""
    campaign = ended_days_ago(campaign, guardian)
    paid = services.disbursement_request(
        actor=guardian, campaign=campaign, amount_fen=amount_fen, recipient_account="6222020200112233"
    )
    return campaign, services.disbursement_approve(actor=reviewer, disbursement=paid)


def report(campaign: Campaign, **kwargs: Any) -> Report:
    return services.report_create(
        actor=factories.UserFactory(),
        campaign=campaign,
        reason="hidden_assets",
        details="他们家还有一套房没有申报",
        **kwargs,
    )


def test_three_open_reports_pause_donations_and_disbursement(live_campaign, sandbox_pay):
    report(live_campaign)
    report(live_campaign)
    assert Campaign.objects.get(pk=live_campaign.pk).status == Campaign.Status.LIVE
    report(live_campaign)
    live_campaign.refresh_from_db()
    assert live_campaign.status == Campaign.Status.PAUSED and live_campaign.resume_to == "live"
    with pytest.raises(Conflict):
        services.donation_start(
            actor=factories.UserFactory(), campaign=live_campaign, amount_fen=1_000, idempotency_key="paused-1"
        )


def test_one_report_marked_credible_pauses_and_dismissing_it_resumes(live_campaign, reviewer):
    case = report(live_campaign)
    services.report_resolve(actor=reviewer, report=case, status="credible", outcome="正在核实房产信息")
    assert Campaign.objects.get(pk=live_campaign.pk).status == Campaign.Status.PAUSED
    services.report_resolve(actor=reviewer, report=case, status="dismissed", outcome="经核实，该房产已于去年出售")
    live_campaign.refresh_from_db()
    assert live_campaign.status == Campaign.Status.LIVE
    assert Report.objects.get(pk=case.pk).outcome == "经核实，该房产已于去年出售"


def test_a_reporter_may_not_pile_up_reports(live_campaign):
    user = factories.UserFactory()
    services.report_create(actor=user, campaign=live_campaign, reason="other", details="情况存疑，请核实")
    with pytest.raises(Conflict):
        services.report_create(actor=user, campaign=live_campaign, reason="other", details="再举报一次试试")


@pytest.mark.parametrize(("reason", "details"), [("nonsense", "说明足够长了"), ("other", ""), ("other", "x" * 2001)])
def test_a_report_needs_a_listed_reason_and_a_real_explanation(live_campaign, reason, details):
    with pytest.raises(ValidationFailed):  # refused by the edge's parse (the page builds ReportInput)
        ReportInput(reason=reason, details=details)


def test_termination_refunds_every_donation_and_the_escrow_balances_to_zero(
    live_campaign, reviewer, sandbox_pay, django_capture_on_commit_callbacks
):
    donations = [give(live_campaign, amount, sandbox_pay) for amount in (10_000, 23_456, 100)]
    case = report(live_campaign)
    services.report_resolve(actor=reviewer, report=case, status="upheld", outcome="经核实，隐瞒房产，项目终止")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaign = services.campaign_terminate(
            actor=reviewer, campaign=live_campaign, message="隐瞒房产，全部善款原路退回"
        )
    assert campaign.status == Campaign.Status.TERMINATED
    assert callbacks  # the refunds run as a background job after the commit
    assert {d.status for d in Donation.objects.filter(pk__in=[d.pk for d in donations])} == {Donation.Status.REFUNDED}
    assert sum(r.amount_fen for r in PaymentRefund.objects.all()) == 33_556
    assert account_balance(campaign.escrow_code) == 0
    assert reconcile() == []


def test_refunding_a_terminated_campaign_twice_refunds_nothing_more(live_campaign, reviewer, sandbox_pay):
    give(live_campaign, 10_000, sandbox_pay)
    case = report(live_campaign)
    services.report_resolve(actor=reviewer, report=case, status="upheld", outcome="经核实，项目终止")
    services.campaign_terminate(actor=reviewer, campaign=live_campaign, message="隐瞒房产")
    assert services.campaign_refunds(campaign_id=live_campaign.pk, reason="terminated") == 1
    assert services.campaign_refunds(campaign_id=live_campaign.pk, reason="terminated") == 0
    assert sum(r.amount_fen for r in PaymentRefund.objects.all()) == 10_000
    assert reconcile() == []


def test_after_a_payout_termination_returns_what_is_left_pro_rata(
    live_campaign, guardian, reviewer, sandbox_pay, django_capture_on_commit_callbacks
):
    donations = [give(live_campaign, amount, sandbox_pay) for amount in (10_000, 20_000, 30_001)]
    campaign, _paid = paid_out(live_campaign, guardian, reviewer, 50_000)
    case = report(campaign)
    services.report_resolve(actor=reviewer, report=case, status="upheld", outcome="经核实，发票造假")
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_terminate(actor=reviewer, campaign=campaign, message="发票造假，余款按比例退回")
    returned = sorted(d.surplus_returned_fen for d in Donation.objects.filter(pk__in=[d.pk for d in donations]))
    assert returned == [1_667, 3_334, 5_000]
    assert account_balance(campaign.escrow_code) == 0
    assert reconcile() == []


def test_an_upheld_report_keeps_the_campaign_paused_until_a_reviewer_reinstates_it(live_campaign, reviewer):
    case = report(live_campaign)
    services.report_resolve(actor=reviewer, report=case, status="upheld", outcome="部分属实，已要求更正说明")
    assert Campaign.objects.get(pk=live_campaign.pk).status == Campaign.Status.PAUSED
    reinstated = services.campaign_reinstate(actor=reviewer, campaign=live_campaign)
    assert reinstated.status == Campaign.Status.LIVE


def test_a_reinstated_campaign_past_its_end_date_comes_back_ended(live_campaign, reviewer):
    case = report(live_campaign)
    services.report_resolve(actor=reviewer, report=case, status="upheld", outcome="部分属实")
    Campaign.objects.filter(pk=live_campaign.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    reinstated = services.campaign_reinstate(actor=reviewer, campaign=live_campaign)
    assert reinstated.status == Campaign.Status.ENDED and reinstated.ended_at is not None


def test_a_reviewer_may_not_decide_on_their_own_campaign(make_campaign, guardian):
    from kincare.accounts.models import User
    from kincare.accounts.services.staff import staff_roles_ensure

    campaign = make_campaign()
    User.objects.filter(pk=guardian.pk).update(is_staff=True)
    guardian.refresh_from_db()
    guardian.groups.add(staff_roles_ensure()["campaign_reviewer"])
    with pytest.raises(PermissionDenied) as caught:
        services.campaign_approve(actor=guardian, campaign=campaign)
    assert caught.value.code == "own_campaign"
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SUBMITTED


def test_the_days_run_from_approval_not_from_the_draft(make_campaign, reviewer):
    campaign = make_campaign(days=10)
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=5))
    approved = services.campaign_approve(actor=reviewer, campaign=campaign)
    assert approved.ends_on == timezone.localdate() + dt.timedelta(days=10)


def test_a_campaign_with_a_payment_still_settling_cannot_be_terminated(live_campaign, reviewer):
    donation = services.donation_start(
        actor=factories.UserFactory(), campaign=live_campaign, amount_fen=5_000, idempotency_key="settling-1"
    )
    case = report(live_campaign)
    services.report_resolve(actor=reviewer, report=case, status="upheld", outcome="属实")
    from kincare.core.payments.models import PaymentOrder

    PaymentOrder.objects.filter(pk=donation.order_id).update(status="paid")
    with pytest.raises(Conflict) as caught:
        services.campaign_terminate(actor=reviewer, campaign=live_campaign, message="隐瞒房产")
    assert caught.value.code == "donations_settling"


def test_only_a_paused_campaign_can_be_terminated(live_campaign, reviewer):
    with pytest.raises(Conflict):
        services.campaign_terminate(actor=reviewer, campaign=live_campaign, message="x")


def test_disbursement_waits_for_the_end_and_the_disclosure_window(live_campaign, guardian, sandbox_pay):
    give(live_campaign, 500_000, sandbox_pay)
    with pytest.raises(Conflict) as caught:
        services.disbursement_request(
            actor=guardian, campaign=live_campaign, amount_fen=100_000, recipient_account="6222020200112233"
        )
    assert caught.value.code == "campaign_not_ended"
    services.campaign_end(actor=guardian, campaign=live_campaign)
    with pytest.raises(Conflict) as caught:
        services.disbursement_request(
            actor=guardian, campaign=live_campaign, amount_fen=100_000, recipient_account="6222020200112233"
        )
    assert caught.value.code == "disclosure_window"


def test_an_open_report_blocks_disbursement(live_campaign, guardian, sandbox_pay):
    give(live_campaign, 500_000, sandbox_pay)
    campaign = ended_days_ago(live_campaign, guardian)
    report(campaign)
    with pytest.raises(Conflict) as caught:
        services.disbursement_request(
            actor=guardian, campaign=campaign, amount_fen=100_000, recipient_account="6222020200112233"
        )
    assert caught.value.code == "open_reports"


def test_a_large_goal_pays_out_in_instalments_each_after_the_last_ones_evidence(
    make_campaign, reviewer, guardian, sandbox_pay
):
    campaign = services.campaign_approve(
        actor=reviewer, campaign=make_campaign(goal_fen=40_000_000, estimated_cost_fen=60_000_000)
    )
    give(campaign, 3_000_000, sandbox_pay)
    campaign = published_days_ago(campaign)
    first = services.disbursement_request(
        actor=guardian, campaign=campaign, amount_fen=1_000_000, recipient_account="6222 0202 0011 2233"
    )
    assert first.recipient_name == "北京安和医院"  # the hospital by default
    services.disbursement_approve(actor=reviewer, disbursement=first)
    assert account_balance(campaign.escrow_code) == 2_000_000
    with pytest.raises(Conflict) as caught:
        services.disbursement_request(
            actor=guardian, campaign=campaign, amount_fen=1_000_000, recipient_account="6222020200112233"
        )
    assert caught.value.code == "evidence_missing"
    services.disbursement_evidence_add(actor=guardian, disbursement=first, documents=[("invoice", pdf())])
    second = services.disbursement_request(
        actor=guardian, campaign=campaign, amount_fen=1_000_000, recipient_account="6222020200112233"
    )
    assert second.instalment == 2
    assert reconcile() == []


def test_a_disbursement_above_the_balance_or_by_someone_else_is_refused(
    live_campaign, guardian, adult_member, sandbox_pay
):
    give(live_campaign, 100_000, sandbox_pay)
    campaign = ended_days_ago(live_campaign, guardian)
    with pytest.raises(ValidationFailed):
        services.disbursement_request(
            actor=guardian, campaign=campaign, amount_fen=100_001, recipient_account="6222020200112233"
        )
    with pytest.raises(ValidationFailed):  # refused by the edge's parse (the page builds DisbursementInput)
        DisbursementInput(amount_fen=1_000, recipient_account="62220abc")
    with pytest.raises(PermissionDenied):
        services.disbursement_request(
            actor=adult_member, campaign=campaign, amount_fen=1_000, recipient_account="6222020200112233"
        )


def test_closing_returns_the_surplus_pro_rata_to_the_fen(live_campaign, guardian, reviewer, sandbox_pay):
    donations = [give(live_campaign, amount, sandbox_pay) for amount in (10_000, 20_000, 30_001)]
    campaign, paid = paid_out(live_campaign, guardian, reviewer, 50_000)
    with pytest.raises(Conflict):
        services.campaign_close(actor=guardian, campaign=campaign)  # evidence first
    services.disbursement_evidence_add(actor=guardian, disbursement=paid, documents=[("invoice", pdf())])
    closed = services.campaign_close(actor=guardian, campaign=campaign)
    assert closed.status == Campaign.Status.CLOSED
    returned = {d.pk: d.surplus_returned_fen for d in Donation.objects.filter(pk__in=[d.pk for d in donations])}
    assert sum(returned.values()) == 10_001
    assert sorted(returned.values()) == [1_667, 3_334, 5_000]
    assert account_balance(campaign.escrow_code) == 0
    assert reconcile() == []


def test_a_surplus_promised_to_a_charity_project_goes_there(make_campaign, reviewer, guardian, sandbox_pay):
    campaign = services.campaign_approve(actor=reviewer, campaign=make_campaign(surplus_charity="儿童白血病救助计划"))
    give(campaign, 10_000, sandbox_pay)
    services.campaign_end(actor=guardian, campaign=campaign)
    closed = services.campaign_close(actor=guardian, campaign=campaign)
    assert closed.status == Campaign.Status.CLOSED
    assert account_balance(f"charity:pledged:campaign:{campaign.pk}") == 10_000
    assert not PaymentRefund.objects.exists()


def test_live_campaigns_past_their_end_date_end(live_campaign):
    Campaign.objects.filter(pk=live_campaign.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert services.campaigns_end_due() == 1
    assert Campaign.objects.get(pk=live_campaign.pk).status == Campaign.Status.ENDED


def test_a_disbursement_is_public_in_the_ledger_chain(live_campaign, guardian, reviewer, sandbox_pay):
    from kincare.core.ledger.checks import verify
    from kincare.core.ledger.services import ledger_seal_all

    give(live_campaign, 100_000, sandbox_pay)
    _campaign, paid = paid_out(live_campaign, guardian, reviewer, 60_000)
    ledger_seal_all()
    assert verify() == []
    assert Disbursement.objects.get(pk=paid.pk).status == Disbursement.Status.PAID


def test_the_disclosure_window_runs_from_the_end(live_campaign, guardian, sandbox_pay):
    give(live_campaign, 100_000, sandbox_pay)
    Campaign.objects.filter(pk=live_campaign.pk).update(live_at=timezone.now() - dt.timedelta(days=30))
    services.campaign_end(actor=guardian, campaign=live_campaign)  # live for a month, ended just now
    with pytest.raises(Conflict) as caught:
        services.disbursement_request(
            actor=guardian, campaign=live_campaign, amount_fen=1_000, recipient_account="6222020200112233"
        )
    assert caught.value.code == "disclosure_window"


def test_paying_the_patient_needs_invoices_which_stay_private_until_a_reviewer_publishes_them(
    live_campaign, guardian, reviewer, sandbox_pay
):
    give(live_campaign, 100_000, sandbox_pay)
    campaign = ended_days_ago(live_campaign, guardian)
    with pytest.raises(ValidationFailed) as caught:
        services.disbursement_request(
            actor=guardian,
            campaign=campaign,
            amount_fen=1_000,
            recipient="patient",
            recipient_account="6222020200112233",
        )
    assert caught.value.code == "invoices_required"
    row = services.disbursement_request(
        actor=guardian,
        campaign=campaign,
        amount_fen=1_000,
        recipient="patient",
        recipient_account="6222020200112233",
        invoices=[pdf()],
    )
    invoice = row.evidence.get()
    assert invoice.kind == "invoice" and not invoice.public
    with pytest.raises(PermissionDenied):
        services.document_publish(actor=guardian, document=invoice)
    assert services.document_publish(actor=reviewer, document=invoice).public


def test_evidence_of_use_is_not_public_until_a_reviewer_publishes_it(live_campaign, guardian, reviewer, sandbox_pay):
    give(live_campaign, 100_000, sandbox_pay)
    campaign, paid = paid_out(live_campaign, guardian, reviewer, 60_000)
    [doc] = services.disbursement_evidence_add(actor=guardian, disbursement=paid, documents=[("discharge", pdf())])
    doc.refresh_from_db()
    assert not doc.public
    with pytest.raises(Conflict):
        services.document_publish(actor=reviewer, document=campaign.documents.filter(kind="diagnosis").first())
