"""Donations count only when the provider's verified notification arrives; totals come from the
ledger; the goal-crossing donation ends the campaign; later money goes back."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.ledger.checks import reconcile
from kincare.core.payments.models import PaymentRefund
from kincare.crowdfunding import selectors, services
from kincare.crowdfunding.form_schemas import DonationInput
from kincare.crowdfunding.models import Campaign, Donation
from kincare.crowdfunding.services.common import raised_fen
from kincare.families.tests import factories

pytestmark = pytest.mark.usefixtures("catalog")
_keys = itertools.count(1)


def donor() -> Any:
    return factories.UserFactory()


def give(campaign: Any, user: Any, amount_fen: int, sandbox_pay: Any, **kwargs: Any) -> Donation:
    donation = services.donation_start(
        actor=user, campaign=campaign, amount_fen=amount_fen, idempotency_key=f"key-{next(_keys):08d}", **kwargs
    )
    sandbox_pay(donation.order)
    donation.refresh_from_db()
    return donation


def test_a_donation_counts_once_its_payment_is_confirmed(live_campaign, sandbox_pay):
    user = donor()
    donation = services.donation_start(
        actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="first-try-0001", message="加油！"
    )
    assert donation.status == Donation.Status.PENDING and raised_fen(live_campaign) == 0
    sandbox_pay(donation.order)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.CONFIRMED and donation.receipt_no
    assert raised_fen(live_campaign) == 10_000
    progress = selectors.campaign_progress(live_campaign)
    assert (progress.raised_fen, progress.donors) == (10_000, 1)


def test_the_same_key_makes_one_donation(live_campaign):
    user = donor()
    first = services.donation_start(
        actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="double-click"
    )
    again = services.donation_start(
        actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="double-click"
    )
    assert first.pk == again.pk and Donation.objects.count() == 1
    with pytest.raises(Conflict):
        services.donation_start(actor=user, campaign=live_campaign, amount_fen=20_000, idempotency_key="double-click")


def test_a_duplicate_provider_notification_counts_once(live_campaign, sandbox_pay):
    donation = services.donation_start(
        actor=donor(), campaign=live_campaign, amount_fen=10_000, idempotency_key="dup-notify"
    )
    sandbox_pay(donation.order, scenario="duplicate")
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.CONFIRMED
    services.donation_on_paid(donation.order)  # the handler run again (a retry) changes nothing
    assert raised_fen(live_campaign) == 10_000
    assert reconcile() == []


def start_from_the_edge(campaign, **raw):
    """As the API and the page do: parse the raw values (DonationInput), then the service trusts them."""
    return services.donation_start(actor=donor(), campaign=campaign, **DonationInput.model_validate(raw).model_dump())


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (99, "amount_out_of_range"),
        (5_000_001, "amount_out_of_range"),
        ("100", "amount_invalid"),
        (True, "amount_invalid"),
        (-100, "amount_out_of_range"),
    ],
)
def test_a_donation_outside_1_to_50000_yuan_is_refused(live_campaign, amount, code):
    # refused by the edge's parse (the API and the page build DonationInput); the service trusts it
    with pytest.raises(ValidationFailed) as caught:
        start_from_the_edge(live_campaign, amount_fen=amount, idempotency_key="bad-amount")
    assert caught.value.code == code
    assert not Donation.objects.exists()


@pytest.mark.parametrize("message", ["加我微信 abc123", "www.example.com", "转账到 6222020200112233", "x" * 201])
def test_a_message_with_contacts_links_or_too_long_is_refused(live_campaign, message):
    with pytest.raises(ValidationFailed):
        start_from_the_edge(live_campaign, amount_fen=10_000, idempotency_key="bad-message", message=message)


def test_nobody_gives_to_a_campaign_that_is_not_live(make_campaign):
    with pytest.raises(Conflict) as caught:
        services.donation_start(actor=donor(), campaign=make_campaign(), amount_fen=10_000, idempotency_key="not-live")
    assert caught.value.code == "campaign_not_live"


def test_the_donation_that_crosses_the_goal_is_accepted_and_ends_the_campaign(make_campaign, reviewer, sandbox_pay):
    campaign = services.campaign_approve(actor=reviewer, campaign=make_campaign(goal_fen=150_000, finances={}))
    give(campaign, donor(), 100_000, sandbox_pay)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.LIVE
    crossing = give(campaign, donor(), 80_000, sandbox_pay)
    assert crossing.status == Donation.Status.CONFIRMED
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED and raised_fen(campaign) == 180_000
    with pytest.raises(Conflict):
        services.donation_start(actor=donor(), campaign=campaign, amount_fen=10_000, idempotency_key="too-late-1")


def test_money_arriving_after_the_end_goes_back_to_the_donor(live_campaign, guardian, sandbox_pay):
    late = services.donation_start(
        actor=donor(), campaign=live_campaign, amount_fen=10_000, idempotency_key="paid-late"
    )
    services.campaign_end(actor=guardian, campaign=live_campaign)
    sandbox_pay(late.order)
    late.refresh_from_db()
    assert late.status == Donation.Status.REFUSED
    refund = PaymentRefund.objects.get(order=late.order)
    assert refund.amount_fen == 10_000
    assert raised_fen(live_campaign) == 0  # it arrived, and went back through the refund
    assert reconcile() == []


def test_donors_are_masked_unless_they_chose_to_be_named(live_campaign, sandbox_pay):
    named = factories.verified_user(name="王大明")
    give(live_campaign, named, 10_000, sandbox_pay, anonymous=False, message="早日康复")
    give(live_campaign, factories.verified_user(name="李小红"), 20_000, sandbox_pay, anonymous=True)
    recent = selectors.recent_donations(live_campaign)
    assert [d.name for d in recent] == ["李*红", "王大明"]
    assert recent[1].message == "早日康复"


def test_a_retry_after_the_provider_failed_opens_the_order_it_was_missing(live_campaign, sandbox_pay):
    from unittest import mock

    from kincare.core.payments.providers import ProviderError
    from kincare.core.payments.sandbox import SandboxProvider

    user = donor()
    real = SandboxProvider.create_order
    with (
        mock.patch.object(SandboxProvider, "create_order", side_effect=ProviderError("down", code="provider_down")),
        pytest.raises(ProviderError),
    ):
        services.donation_start(
            actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="retry-after-fail"
        )
    assert SandboxProvider.create_order is real
    donation = services.donation_start(
        actor=user, campaign=live_campaign, amount_fen=10_000, idempotency_key="retry-after-fail"
    )
    assert donation.order is not None and donation.order.pay_url
    assert Donation.objects.count() == 1
    sandbox_pay(donation.order)
    assert Donation.objects.get().status == Donation.Status.CONFIRMED
