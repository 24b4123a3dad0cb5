"""A campaign's life after submission: the reviewers' decisions, the end (by date, by the
fundraiser, at the goal), pauses while reports are investigated, and termination with every
donation refunded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.accounts.services.real_name import resident_id_index
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition, transition_if_current
from kincare.core.notifications import notify
from kincare.core.payments.services import payment_refund
from kincare.core.permissions import is_staff_with
from kincare.crowdfunding.models import BlacklistEntry, Campaign, CampaignReview, Donation, Report
from kincare.crowdfunding.policies import REVIEWER_ROLE
from kincare.crowdfunding.services.common import escrow_account, pro_rata_shares
from kincare.families.identity import verified_identity

#: the reason codes a reviewer may give (shown to the fundraiser with the message)
REVIEW_REASONS = (
    "documents_unclear",
    "documents_missing",
    "cost_unsupported",
    "finances_unclear",
    "insurance_undeclared",
    "identity_mismatch",
    "not_serious_illness",
    "duplicate_campaign",
    "fraud_suspected",
    "other",
)

REVIEW_REASON_LABELS = {
    "documents_unclear": gettext_lazy("材料不清晰"),
    "documents_missing": gettext_lazy("缺少材料"),
    "cost_unsupported": gettext_lazy("费用预估缺乏依据"),
    "finances_unclear": gettext_lazy("家庭经济状况不清"),
    "insurance_undeclared": gettext_lazy("未如实申报保险"),
    "identity_mismatch": gettext_lazy("身份信息不一致"),
    "not_serious_illness": gettext_lazy("不属于大病"),
    "duplicate_campaign": gettext_lazy("重复筹款"),
    "fraud_suspected": gettext_lazy("涉嫌欺诈"),
    "other": gettext_lazy("其他"),
}


def require_reviewer(actor: Any, campaign: Campaign | None = None) -> None:
    """A campaign reviewer — and never the campaign's own fundraiser (four eyes)."""
    if not is_staff_with(actor, REVIEWER_ROLE):
        raise PermissionDenied(_("只有筹款审核员可以执行此操作"), code="reviewer_only")
    if campaign is not None and campaign.fundraiser_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("审核员不能处理自己发起的筹款"), code="own_campaign")


def _reasons(reasons: Iterable[str] | None, *, required: bool) -> list[str]:
    clean = [r for r in (reasons or []) if isinstance(r, str)]
    if any(r not in REVIEW_REASONS for r in clean):
        raise ValidationFailed(_("请选择列出的原因"), code="reason_invalid", field="reasons")
    if required and not clean:
        raise ValidationFailed(_("请至少选择一个原因"), code="reason_required", field="reasons")
    return clean


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _tell(campaign: Campaign, kind: str, title: str, body: str, key: str) -> None:
    notify(
        recipient=campaign.fundraiser,
        kind=f"crowdfunding.{kind}",
        title=title,
        body=body,
        link=f"/c/{campaign.pk}/manage/",
        dedupe_key=f"crowdfunding.{kind}:{campaign.pk}:{key}",
    )


@transaction.atomic
def campaign_approve(*, actor: Any, campaign: Campaign, message: str = "") -> Campaign:
    require_reviewer(actor, campaign)
    locked = _locked(campaign)
    now = timezone.now()
    # the campaign runs its days from the day it goes public, however long the review took
    ends_on = timezone.localdate() + dt.timedelta(days=locked.days)
    transition(
        locked,
        to=Campaign.Status.LIVE,
        actor=actor,
        reason="reviewed",
        extra_updates={"live_at": now, "ends_on": ends_on},
    )
    escrow_account(locked)
    review = CampaignReview.objects.create(
        campaign=locked, reviewer=actor, action=CampaignReview.Action.APPROVE, message=message[:2000]
    )
    _tell(locked, "approved", _("筹款已通过审核，开始公开筹款"), message, str(review.pk))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def campaign_request_info(*, actor: Any, campaign: Campaign, reasons: Iterable[str], message: str) -> Campaign:
    require_reviewer(actor, campaign)
    codes = _reasons(reasons, required=True)
    if not message.strip():
        raise ValidationFailed(_("请告诉筹款人需要补充什么"), code="message_required", field="message")
    locked = _locked(campaign)
    transition(locked, to=Campaign.Status.NEEDS_INFO, actor=actor, reason=",".join(codes))
    review = CampaignReview.objects.create(
        campaign=locked, reviewer=actor, action=CampaignReview.Action.NEEDS_INFO, reasons=codes, message=message[:2000]
    )
    _tell(locked, "needs_info", _("请补充筹款材料"), message, str(review.pk))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def campaign_reject(*, actor: Any, campaign: Campaign, reasons: Iterable[str], message: str = "") -> Campaign:
    require_reviewer(actor, campaign)
    codes = _reasons(reasons, required=True)
    locked = _locked(campaign)
    transition(locked, to=Campaign.Status.REJECTED, actor=actor, reason=",".join(codes))
    review = CampaignReview.objects.create(
        campaign=locked, reviewer=actor, action=CampaignReview.Action.REJECT, reasons=codes, message=message[:2000]
    )
    _tell(locked, "rejected", _("筹款未通过审核"), message, str(review.pk))
    locked.refresh_from_db()
    return locked


@transaction.atomic
def fundraiser_blacklist(*, actor: Any, campaign: Campaign, reason: str) -> BlacklistEntry:
    """Bar the campaign's fundraiser (by resident ID: a new account does not help)."""
    require_reviewer(actor, campaign)
    if not reason.strip():
        raise ValidationFailed(_("请填写原因"), code="reason_required", field="reason")
    identity = verified_identity(campaign.fundraiser)
    entry = BlacklistEntry.objects.create(
        resident_id_hash=resident_id_index(identity.resident_id) if identity else "",
        user=campaign.fundraiser,
        reason=reason[:300],
        added_by=actor,
    )
    CampaignReview.objects.create(
        campaign=campaign, reviewer=actor, action=CampaignReview.Action.BLACKLIST, message=reason[:2000]
    )
    audit_record(actor=actor, action="crowdfunding.blacklisted", subject=entry, new={"campaign": campaign.pk})
    return entry


@transaction.atomic
def campaign_end(*, actor: Any, campaign: Campaign) -> Campaign:
    """The fundraiser stops taking donations (treatment paid for, or enough raised)."""
    locked = _locked(campaign)
    if locked.fundraiser_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有筹款人可以结束筹款"), code="fundraiser_only")
    if locked.status != Campaign.Status.LIVE:
        raise Conflict(_("只有筹款中的项目可以结束"), code="campaign_not_live")
    transition(
        locked, to=Campaign.Status.ENDED, actor=actor, reason="fundraiser", extra_updates={"ended_at": timezone.now()}
    )
    locked.refresh_from_db()
    return locked


def campaigns_end_due(*, today: Any = None) -> int:
    """Live campaigns past their end date, or at their goal, end (the periodic job)."""
    from kincare.crowdfunding.services.donations import campaign_end_if_goal_reached

    today = today or timezone.localdate()
    ended = 0
    for pk in list(Campaign.objects.filter(status=Campaign.Status.LIVE).values_list("pk", flat=True)):
        if campaign_end_if_goal_reached(campaign_id=pk):
            ended += 1
            continue
        with transaction.atomic():
            locked = (
                Campaign.objects.select_for_update()
                .filter(pk=pk, status=Campaign.Status.LIVE, ends_on__lt=today)
                .first()
            )
            if locked is None:
                continue
            transition(
                locked,
                to=Campaign.Status.ENDED,
                actor=None,
                reason="end_date",
                extra_updates={"ended_at": timezone.now()},
            )
            _tell(locked, "ended", _("筹款已到期结束"), _("公示期满且无未处理的举报后，可以申请拨付。"), "date")
            ended += 1
    return ended


def campaign_pause(campaign: Campaign, *, actor: Any, reason: str) -> bool:
    """Pause donations and disbursements while reports are investigated (caller holds the lock)."""
    if campaign.status not in (Campaign.Status.LIVE, Campaign.Status.ENDED, Campaign.Status.DISBURSING):
        return False
    transition(
        campaign, to=Campaign.Status.PAUSED, actor=actor, reason=reason, extra_updates={"resume_to": campaign.status}
    )
    CampaignReview.objects.create(
        campaign=campaign, reviewer=actor, action=CampaignReview.Action.PAUSE, reasons=[reason]
    )
    _tell(campaign, "paused", _("筹款已暂停：举报核查中"), _("核查期间暂停捐款和拨付，结果会公示在项目页面。"), reason)
    campaign.refresh_from_db()
    return True


def campaign_resume(campaign: Campaign, *, actor: Any, reinstate: bool = False) -> bool:
    """Back to where the pause came from, once no report keeps it paused (caller holds the lock).
    ``reinstate``: a reviewer's decision that an upheld report does not warrant termination."""
    if campaign.status != Campaign.Status.PAUSED or pausing_reports(campaign, upheld=not reinstate):
        return False
    target = campaign.resume_to or Campaign.Status.LIVE
    updates: dict[str, Any] = {"resume_to": ""}
    if target == Campaign.Status.LIVE and campaign.ends_on < timezone.localdate():
        target = Campaign.Status.ENDED
        updates["ended_at"] = timezone.now()
    transition(campaign, to=target, actor=actor, reason="reports_resolved", extra_updates=updates)
    CampaignReview.objects.create(campaign=campaign, reviewer=actor, action=CampaignReview.Action.RESUME)
    campaign.refresh_from_db()
    return True


def pausing_reports(campaign: Campaign, *, upheld: bool = True) -> bool:
    """Three open reports, one marked credible, or (unless a reviewer reinstates the campaign on
    purpose) one upheld keep a campaign paused."""
    from kincare.crowdfunding.services.common import REPORTS_TO_PAUSE

    reports = Report.objects.filter(campaign=campaign)
    holding = [Report.Status.CREDIBLE, Report.Status.UPHELD] if upheld else [Report.Status.CREDIBLE]
    return (
        reports.filter(status__in=holding).exists()
        or reports.filter(status=Report.Status.OPEN).count() >= REPORTS_TO_PAUSE
    )


@transaction.atomic
def campaign_terminate(*, actor: Any, campaign: Campaign, message: str) -> Campaign:
    """A paused campaign found to be fraudulent: what the escrow still holds goes back to the
    donors — every donation in full when nothing was paid out yet, otherwise pro rata."""
    require_reviewer(actor, campaign)
    if not message.strip():
        raise ValidationFailed(_("请填写终止原因（将公示）"), code="message_required", field="message")
    locked = _locked(campaign)
    if settling_donations(locked):
        raise Conflict(_("还有已付款、正在入账的捐款，请稍后再试"), code="donations_settling")
    transition(
        locked,
        to=Campaign.Status.TERMINATED,
        actor=actor,
        reason="terminated",
        extra_updates={"closed_at": timezone.now()},
    )
    CampaignReview.objects.create(
        campaign=locked, reviewer=actor, action=CampaignReview.Action.TERMINATE, message=message[:2000]
    )
    audit_record(actor=actor, action="crowdfunding.terminated", subject=locked)
    _tell(locked, "terminated", _("筹款已终止，善款原路退回"), message, "terminated")
    transaction.on_commit(partial(_refunds_task, locked.pk, "terminated"), robust=True)
    locked.refresh_from_db()
    return locked


def settling_donations(campaign: Campaign) -> bool:
    """Money paid for a donation whose confirmation has not run yet (its handler retries)."""
    return Donation.objects.filter(
        campaign=campaign, status=Donation.Status.PENDING, order__status__in=("paid", "partially_refunded")
    ).exists()


def _refunds_task(campaign_id: int, reason: str) -> None:
    campaign_refunds_task.delay(campaign_id, reason)


@shared_task(
    name="kincare.crowdfunding.tasks.campaign_refunds_task",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=10,
)
def campaign_refunds_task(campaign_id: int, reason: str) -> int:
    """Refund a terminated campaign's donors (idempotent: a retry resumes where it stopped).
    Defined here, next to what queues it, so services do not import ``tasks``."""
    return campaign_refunds(campaign_id=campaign_id, reason=reason)


def campaign_refunds(*, campaign_id: int, reason: str) -> int:
    """Give back what a terminated campaign's escrow holds, a donation at a time (idempotent by
    refund number, so a retry after a crash resumes). In full when nothing was paid out,
    otherwise pro rata by largest remainder."""
    from kincare.core.ledger.selectors import account_balance

    campaign = Campaign.objects.get(pk=campaign_id)
    donations = list(
        Donation.objects.filter(campaign=campaign, status=Donation.Status.CONFIRMED).select_related("order", "donor")
    )
    paid_out = campaign.disbursements.filter(status="paid").exists()
    if paid_out:
        shares = pro_rata_shares(account_balance(campaign.escrow_code), donations)
    else:
        shares = {d.pk: d.amount_fen for d in donations}
    count = 0
    for donation in donations:
        amount = shares.get(donation.pk, 0)
        with transaction.atomic():
            if amount > 0:
                assert donation.order is not None
                payment_refund(
                    order=donation.order,
                    amount_fen=amount,
                    refund_no=f"donation-{donation.pk}-{reason}",
                    reason="项目终止，善款原路退回",
                )
            transition_if_current(
                donation,
                to=Donation.Status.REFUNDED,
                reason=reason,
                extra_updates={"surplus_returned_fen": amount if paid_out else 0},
            )
        notify(
            recipient=donation.donor,
            kind="crowdfunding.donation_refunded",
            title=_("捐款已原路退回"),
            body=_("「%(title)s」已终止，您的捐款将原路退回。") % {"title": campaign.title},
            link=f"/c/{campaign.pk}/",
            dedupe_key=f"crowdfunding.donation_refunded:{donation.pk}",
        )
        count += 1
    return count
