"""On PostgreSQL: 50 donors give to one campaign at the same moment (each payment confirmed by its
own verified notification): the total, the donor count and the ledger agree, and the campaign
ends once, at the donation that reaches the goal."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.selectors import account_balance
from kincare.core.payments.sandbox import sandbox_signed
from kincare.core.payments.services import payment_notification_handle
from kincare.core.payments.tests.helpers import paid_payload, provider_paid
from kincare.crowdfunding import selectors, services
from kincare.crowdfunding.models import Campaign, Donation
from kincare.families.tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalog")]

THREADS = 50


def _together(fn, jobs):  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(jobs))

    def worker(job):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            return fn(job)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(worker, jobs))


def _orders(campaign: Campaign, amounts: list[int]) -> list[Donation]:
    donations = []
    for i, amount in enumerate(amounts):
        donation = services.donation_start(
            actor=factories.UserFactory(), campaign=campaign, amount_fen=amount, idempotency_key=f"burst-{i:06d}"
        )
        provider_paid(donation.order, transaction_id=f"TXN{i:06d}")
        donations.append(donation)
    return donations


def _confirm(donation: Donation) -> str:
    assert donation.order is not None
    body, headers = sandbox_signed(paid_payload(donation.order, transaction_id=f"TXN{donation.idempotency_key[-6:]}"))
    return payment_notification_handle(provider_name="sandbox", body=body, headers=headers).outcome


def test_fifty_donors_at_once_totals_donors_and_ledger_agree(live_campaign):
    amounts = [100 * (i + 1) for i in range(THREADS)]
    donations = _orders(live_campaign, amounts)
    outcomes = _together(_confirm, donations)
    assert outcomes == ["paid"] * THREADS
    progress = selectors.campaign_progress(live_campaign)
    assert progress.raised_fen == sum(amounts) == account_balance(live_campaign.escrow_code)
    assert progress.donors == THREADS and progress.donations == THREADS
    assert Donation.objects.filter(status=Donation.Status.CONFIRMED).count() == THREADS
    assert reconcile() == []


def test_a_burst_that_crosses_the_goal_ends_the_campaign_once(make_campaign, reviewer):
    campaign = services.campaign_approve(actor=reviewer, campaign=make_campaign(goal_fen=200_000, finances={}))
    donations = _orders(campaign, [10_000] * THREADS)  # 500,000 fen offered for a 200,000 goal
    _together(_confirm, donations)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED
    confirmed = Donation.objects.filter(status=Donation.Status.CONFIRMED).count()
    refused = Donation.objects.filter(status=Donation.Status.REFUSED).count()
    assert confirmed + refused == THREADS and confirmed * 10_000 >= 200_000
    assert account_balance(campaign.escrow_code) == confirmed * 10_000  # the late ones went back
    assert selectors.campaign_progress(campaign).raised_fen == confirmed * 10_000
    assert reconcile() == []
    from kincare.core.models import StatusChange

    assert StatusChange.objects.filter(subject_id=str(campaign.pk), to_status="ended").count() == 1
