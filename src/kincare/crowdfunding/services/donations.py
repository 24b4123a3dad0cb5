"""Donations: started by the donor, counted only when the payment provider's verified
notification says the money arrived (the payments layer posts it to the campaign's escrow and
then calls ``donation_on_paid``).

A donation confirmed while the campaign is live is accepted, even the one that crosses the goal;
the campaign then ends, and money that arrives after that (an order paid late) goes back to the
donor. The goal check runs after the commit of each confirmation and in the periodic job, so two
donations confirmed at the same moment cannot both miss the crossing.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, NotFound, ValidationFailed
from kincare.core.fsm import transition, transition_if_current
from kincare.core.idempotency import client_key
from kincare.core.ledger.selectors import account_balance
from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_order_create, payment_refund
from kincare.crowdfunding.models import Campaign, Donation, Share
from kincare.crowdfunding.services.common import escrow_account, raised_fen

PURPOSE = "donation"


def donation_start(
    *,
    actor: Any,
    campaign: Campaign,
    amount_fen: int,
    idempotency_key: str,
    message: str = "",
    anonymous: bool = True,
    share: Share | None = None,
) -> Donation:
    """A pending donation and its payment order; the same key returns the same donation. The edge
    parsed the amount, the key and the message (``crowdfunding.form_schemas.DonationInput``)."""
    if not getattr(actor, "is_authenticated", False):
        raise ValidationFailed(_("请先登录再捐款"), code="not_authenticated")
    amount, text = amount_fen, message
    key = client_key(PURPOSE, actor.pk, idempotency_key)
    existing = _existing(key, campaign, amount)
    if existing is not None and existing.order is not None:
        return existing
    if existing is None:
        if campaign.status != Campaign.Status.LIVE:
            raise Conflict(_("该项目当前不接受捐款"), code="campaign_not_live")
        if share is not None and share.campaign_id != campaign.pk:
            share = None
        try:
            with transaction.atomic():
                existing = Donation.objects.create(
                    campaign=campaign,
                    donor=actor,
                    amount_fen=amount,
                    message=text,
                    anonymous=bool(anonymous),
                    share=share,
                    idempotency_key=key,
                )
        except IntegrityError:
            # the same key at the same moment: the other request created it
            existing = _existing(key, campaign, amount)
            if existing is None:
                raise
    # the order is opened (or, after a failure between the two steps, found again) under the same
    # key: the payments layer makes this idempotent, so a retry never leaves a donation unpayable
    order = payment_order_create(
        purpose=PURPOSE,
        amount_fen=amount,
        credit_account=escrow_account(campaign).code,
        idempotency_key=key,
        payer=actor,
        subject=existing,
        description=f"捐款：{campaign.title}"[:128],
    )
    Donation.objects.filter(pk=existing.pk, order__isnull=True).update(order=order)
    existing.order = order
    return existing


def _existing(key: str, campaign: Campaign, amount: int) -> Donation | None:
    existing = Donation.objects.filter(idempotency_key=key).select_related("order").first()
    if existing is not None and (existing.campaign_id != campaign.pk or existing.amount_fen != amount):
        raise Conflict(_("同一请求已用于另一笔捐款"), code="idempotency_conflict", field="idempotency_key")
    return existing


def _receipt_no(donation: Donation) -> str:
    return f"R{timezone.localdate():%Y%m%d}{donation.pk:010d}{secrets.randbelow(100):02d}"


def donation_on_paid(order: PaymentOrder) -> None:
    """The payment's purpose handler (idempotent; the ledger entry is already posted)."""
    donation = Donation.objects.select_related("campaign").filter(order=order).first()
    if donation is None:
        donation = Donation.objects.select_related("campaign").filter(idempotency_key=order.idempotency_key).first()
        if donation is None:
            raise NotFound(f"no donation for order {order.out_trade_no}")
        Donation.objects.filter(pk=donation.pk, order__isnull=True).update(order=order)
    if donation.status != Donation.Status.PENDING:
        return  # a duplicate notification: counted once
    campaign = donation.campaign
    live = _live_held(campaign.pk)
    if not live:
        if transition_if_current(donation, to=Donation.Status.REFUSED, reason="campaign_not_live"):
            payment_refund(
                order=order,
                amount_fen=order.amount_fen,
                refund_no=f"donation-{donation.pk}-refused",
                reason="项目已结束或暂停，不再接受捐款",
            )
            notify(
                recipient=donation.donor,
                kind="crowdfunding.donation_refused",
                title=_("捐款已原路退回"),
                body=_("「%(title)s」已不再接受捐款，您的 %(amount)s 将原路退回。")
                % {"title": campaign.title, "amount": format_yuan_cn(donation.amount_fen)},
                link=f"/c/{campaign.pk}/",
                dedupe_key=f"crowdfunding.donation_refused:{donation.pk}",
            )
        return
    now = timezone.now()
    confirmed = transition_if_current(
        donation,
        to=Donation.Status.CONFIRMED,
        reason="payment_confirmed",
        extra_updates={"confirmed_at": now, "receipt_no": _receipt_no(donation)},
    )
    if confirmed:
        transaction.on_commit(lambda: campaign_end_if_goal_reached(campaign_id=campaign.pk), robust=True)


def _live_held(campaign_id: int) -> bool:
    """Is the campaign live — held so (FOR SHARE on PostgreSQL) until this donation commits, so a
    pause, end or termination waits for it instead of racing it. Shared locks do not block each
    other: concurrent donations to one campaign still run side by side."""
    if connection.vendor != "postgresql":
        return Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.LIVE).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM crowdfunding_campaign WHERE id = %s FOR SHARE", [campaign_id])
        row = cursor.fetchone()
    return row is not None and row[0] == Campaign.Status.LIVE


def goal_reached(campaign: Campaign) -> bool:
    """Raised ≥ goal, cheaply: the escrow's cached balance is what was raised, unless money was
    already paid out in instalments (then the full figure from the ledger)."""
    if account_balance(campaign.escrow_code) >= campaign.goal_fen:
        return True
    if not campaign.disbursements.exists():
        return False
    return raised_fen(campaign) >= campaign.goal_fen


def campaign_end_if_goal_reached(*, campaign_id: int) -> bool:
    """End a live campaign whose donations reached its goal (after the donation's commit)."""
    campaign = Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.LIVE).first()
    if campaign is None or not goal_reached(campaign):
        return False
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().filter(pk=campaign_id, status=Campaign.Status.LIVE).first()
        if locked is None:
            return False
        transition(
            locked,
            to=Campaign.Status.ENDED,
            actor=None,
            reason="goal_reached",
            extra_updates={"ended_at": timezone.now()},
        )
        audit_record(actor=None, actor_label="crowdfunding", action="crowdfunding.goal_reached", subject=locked)
        notify(
            recipient=locked.fundraiser,
            kind="crowdfunding.ended",
            title=_("「%(title)s」已达到目标金额") % {"title": locked.title},
            body=_("筹款已结束。公示期满且无未处理的举报后，可以申请拨付。"),
            link=f"/c/{locked.pk}/manage/",
            dedupe_key=f"crowdfunding.ended:{locked.pk}",
        )
    return True
