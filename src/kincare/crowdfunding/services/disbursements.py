"""Disbursement: money leaves the escrow for the treatment, in public, with evidence.

Rules (spec): after the campaign ends — or in instalments during it when the goal is above
300,000 yuan — and after a public disclosure window of at least 72 hours (from the end; from
going live for instalments), with no open report and not paused. Funds go to the hospital's account by default,
or to the patient's against invoices. Each disbursement is a ledger entry (escrow → out through
the provider's clearing account) published with its evidence; evidence of the use of funds is
required before the next instalment and before closing. At close, a surplus goes back to donors
pro rata (largest remainder) unless the campaign promised it to a named charity project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.ledger.models import Account
from kincare.core.ledger.selectors import account_balance
from kincare.core.ledger.services import account_ensure, ledger_post
from kincare.core.payments.services import payment_refund
from kincare.core.payments.services.settlement import clearing_account
from kincare.core.uploads import check_file
from kincare.crowdfunding.models import Campaign, CampaignDocument, Disbursement, Donation, Report
from kincare.crowdfunding.services.common import (
    DISCLOSURE_HOURS,
    INSTALMENTS_ABOVE_FEN,
    MAX_DOCUMENT_BYTES,
    documents_store,
    escrow_account,
    pro_rata_shares,
)
from kincare.crowdfunding.services.lifecycle import require_reviewer, settling_donations

EVIDENCE_KINDS = (CampaignDocument.Kind.INVOICE, CampaignDocument.Kind.DISCHARGE, CampaignDocument.Kind.OTHER)


def _open_reports(campaign: Campaign) -> bool:
    return Report.objects.filter(campaign=campaign, status__in=(Report.Status.OPEN, Report.Status.CREDIBLE)).exists()


def disbursement_blocker(campaign: Campaign, *, now: dt.datetime | None = None) -> str:
    """Why no money may be paid out now ("" when it may): the code of the first rule that fails."""
    now = now or timezone.now()
    instalments = campaign.goal_fen > INSTALMENTS_ABOVE_FEN
    if campaign.status == Campaign.Status.PAUSED:
        return "campaign_paused"
    if campaign.status not in (Campaign.Status.ENDED, Campaign.Status.DISBURSING) and not (
        instalments and campaign.status == Campaign.Status.LIVE
    ):
        return "campaign_not_ended"
    # the window runs from the end (the final figures are public for 72 hours before money
    # leaves); instalments during a live campaign count it from going live
    opened = campaign.live_at if campaign.status == Campaign.Status.LIVE else (campaign.ended_at or campaign.live_at)
    if opened is None or now < opened + dt.timedelta(hours=DISCLOSURE_HOURS):
        return "disclosure_window"
    if _open_reports(campaign):
        return "open_reports"
    last = campaign.disbursements.filter(status=Disbursement.Status.PAID).order_by("-instalment").first()
    if last is not None and not last.evidence.exists():
        return "evidence_missing"
    return ""


BLOCKER_MESSAGES = {
    "campaign_paused": gettext_lazy("项目因举报核查暂停，暂不能拨付"),
    "campaign_not_ended": gettext_lazy("筹款结束后才能申请拨付（目标超过 30 万元的项目可在筹款期间分期拨付）"),
    "disclosure_window": gettext_lazy("项目公开满 72 小时后才能拨付"),
    "open_reports": gettext_lazy("还有未处理的举报，暂不能拨付"),
    "evidence_missing": gettext_lazy("请先上传上一笔拨付的使用凭证（发票、出院小结）"),
}


def _refuse(code: str) -> Conflict:
    return Conflict(BLOCKER_MESSAGES[code], code=code)


@transaction.atomic
def disbursement_request(
    *,
    actor: Any,
    campaign: Campaign,
    amount_fen: int,
    recipient: str = Disbursement.Recipient.HOSPITAL,
    recipient_name: str = "",
    recipient_account: str = "",
    note: str = "",
    invoices: Sequence[Any] = (),
) -> Disbursement:
    """A request for money out of the escrow: to the hospital's account, or to the patient's
    against the invoices sent with it (kept private until a reviewer publishes them). The edge
    parsed the amount, recipient and account (``crowdfunding.form_schemas.DisbursementInput``)."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.fundraiser_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有筹款人可以申请拨付"), code="fundraiser_only")
    blocker = disbursement_blocker(locked)
    if blocker:
        raise _refuse(blocker)
    if locked.disbursements.filter(status=Disbursement.Status.REQUESTED).exists():
        raise Conflict(_("上一笔拨付申请还在审核中"), code="disbursement_pending")
    available = account_balance(escrow_account(locked))
    if amount_fen > available:
        raise ValidationFailed(_("超过可拨付的余额"), code="amount_above_balance", field="amount_fen")
    checked = [
        check_file(upload, field=f"invoices.{index}", max_bytes=MAX_DOCUMENT_BYTES)
        for index, upload in enumerate(invoices)
    ]
    if recipient == Disbursement.Recipient.PATIENT and not checked:
        raise ValidationFailed(_("打款给患者需要附上医疗费用发票"), code="invoices_required", field="invoices")
    name = recipient_name or (
        locked.hospital_name if recipient == Disbursement.Recipient.HOSPITAL else locked.patient_name
    )
    instalment = (locked.disbursements.order_by("-instalment").values_list("instalment", flat=True).first() or 0) + 1
    row = Disbursement.objects.create(
        campaign=locked,
        instalment=instalment,
        amount_fen=amount_fen,
        recipient=recipient,
        recipient_name=name[:120],
        recipient_account=recipient_account,
        requested_by=actor,
        note=note,
    )
    if checked:
        stored = documents_store(locked, [(CampaignDocument.Kind.INVOICE, f) for f in checked], actor=actor)
        CampaignDocument.objects.filter(pk__in=[d.pk for d in stored]).update(disbursement=row)
    audit_record(actor=actor, action="crowdfunding.disbursement_requested", subject=row, new={"amount_fen": amount_fen})
    return row


def outgoing_account() -> Account:
    """Money paid out leaves through the default provider's clearing account (the platform's cash)."""
    return clearing_account(settings.PAYMENT_DEFAULT_PROVIDER)


@transaction.atomic
def disbursement_approve(*, actor: Any, disbursement: Disbursement) -> Disbursement:
    require_reviewer(actor)
    campaign = Campaign.objects.select_for_update().get(pk=disbursement.campaign_id)
    require_reviewer(actor, campaign)
    locked = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    if locked.status != Disbursement.Status.REQUESTED:
        raise Conflict(_("该拨付申请已处理"), code="disbursement_decided")
    blocker = disbursement_blocker(campaign)
    if blocker:
        raise _refuse(blocker)
    escrow = escrow_account(campaign)
    ledger_post(
        kind="disbursement",
        idempotency_key=f"disbursement:{locked.pk}",
        postings=[(escrow, locked.amount_fen), (outgoing_account(), -locked.amount_fen)],
        memo=f"拨付第 {locked.instalment} 笔：{locked.recipient_name}",
        subject=locked,
        actor=actor,
    )
    transition(
        locked,
        to=Disbursement.Status.PAID,
        actor=actor,
        extra_updates={"approved_by": actor, "paid_at": timezone.now()},
    )
    if campaign.status == Campaign.Status.ENDED:
        transition(campaign, to=Campaign.Status.DISBURSING, actor=actor, reason="disbursement")
    locked.refresh_from_db()
    return locked


@transaction.atomic
def disbursement_reject(*, actor: Any, disbursement: Disbursement, note: str) -> Disbursement:
    require_reviewer(actor)
    if not note.strip():
        raise ValidationFailed(_("请填写驳回原因"), code="note_required", field="note")
    require_reviewer(actor, Campaign.objects.get(pk=disbursement.campaign_id))
    locked = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
    if locked.status != Disbursement.Status.REQUESTED:
        raise Conflict(_("该拨付申请已处理"), code="disbursement_decided")
    transition(
        locked, to=Disbursement.Status.REJECTED, actor=actor, reason=note[:200], extra_updates={"note": note[:300]}
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def disbursement_evidence_add(
    *, actor: Any, disbursement: Disbursement, documents: list[tuple[str, Any]]
) -> list[CampaignDocument]:
    """Invoices and discharge summaries showing how a disbursement was used (public once a
    reviewer has checked them for what must not be published — see document_publish)."""
    campaign = Campaign.objects.select_for_update().get(pk=disbursement.campaign_id)
    if campaign.fundraiser_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有筹款人可以上传使用凭证"), code="fundraiser_only")
    disbursement = Disbursement.objects.get(pk=disbursement.pk)
    if disbursement.status != Disbursement.Status.PAID:
        raise Conflict(_("拨付完成后才能上传使用凭证"), code="disbursement_not_paid")
    if not documents:
        raise ValidationFailed(_("请选择要上传的凭证"), code="documents_missing", field="documents")
    checked = []
    for index, (kind, upload) in enumerate(documents):
        if kind not in EVIDENCE_KINDS:
            raise ValidationFailed(_("请选择凭证类型"), code="document_kind_invalid", field=f"documents.{index}")
        checked.append((kind, check_file(upload, field=f"documents.{index}", max_bytes=MAX_DOCUMENT_BYTES)))
    rows = documents_store(campaign, checked, actor=actor)
    CampaignDocument.objects.filter(pk__in=[r.pk for r in rows]).update(disbursement=disbursement)
    return rows


@transaction.atomic
def document_publish(*, actor: Any, document: CampaignDocument) -> CampaignDocument:
    """A reviewer publishes a disbursement's evidence on the campaign page."""
    campaign = Campaign.objects.select_for_update().get(pk=document.campaign_id)
    require_reviewer(actor, campaign)
    if document.disbursement_id is None:
        raise Conflict(_("只有拨付凭证可以公示"), code="document_not_evidence")
    CampaignDocument.objects.filter(pk=document.pk).update(public=True)
    audit_record(actor=actor, action="crowdfunding.evidence_published", subject=document)
    document.refresh_from_db()
    return document


def surplus_account(campaign: Campaign) -> Account:
    return account_ensure(
        code=f"charity:pledged:campaign:{campaign.pk}",
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name=f"承诺捐赠：{campaign.surplus_charity}",
        public=True,
        owner=campaign,
    )


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """Close an ended campaign: every disbursement has its evidence, and what is left goes back to
    the donors pro rata (largest remainder, to the fen) or to the promised charity project."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.fundraiser_id != getattr(actor, "pk", None):
        require_reviewer(actor)
    if locked.status not in (Campaign.Status.ENDED, Campaign.Status.DISBURSING):
        raise Conflict(_("只有已结束的项目可以结案"), code="campaign_not_ended")
    if _open_reports(locked):
        raise _refuse("open_reports")
    if locked.disbursements.filter(status=Disbursement.Status.REQUESTED).exists():
        raise Conflict(_("还有待审核的拨付申请"), code="disbursement_pending")
    if settling_donations(locked):
        raise Conflict(_("还有已付款、正在入账的捐款，请稍后再试"), code="donations_settling")
    for paid in locked.disbursements.filter(status=Disbursement.Status.PAID):
        if not paid.evidence.exists():
            raise _refuse("evidence_missing")
    escrow = escrow_account(locked)
    surplus = account_balance(escrow)
    if surplus > 0 and locked.surplus_charity:
        ledger_post(
            kind="surplus_to_charity",
            idempotency_key=f"campaign:{locked.pk}:surplus",
            postings=[(escrow, surplus), (surplus_account(locked), -surplus)],
            memo=f"结余捐赠：{locked.surplus_charity}",
            subject=locked,
            actor=actor,
        )
    elif surplus > 0:
        donations = list(
            Donation.objects.filter(campaign=locked, status=Donation.Status.CONFIRMED)
            .select_related("order")
            .order_by("pk")
        )
        shares = pro_rata_shares(surplus, donations)
        for donation in donations:
            share = shares.get(donation.pk, 0)
            if share <= 0:
                continue
            assert donation.order is not None
            payment_refund(
                order=donation.order,
                amount_fen=share,
                refund_no=f"donation-{donation.pk}-surplus",
                reason="筹款结余按比例退回",
            )
            Donation.objects.filter(pk=donation.pk).update(surplus_returned_fen=share)
    transition(
        locked, to=Campaign.Status.CLOSED, actor=actor, reason="closed", extra_updates={"closed_at": timezone.now()}
    )
    audit_record(actor=actor, action="crowdfunding.closed", subject=locked, new={"surplus_fen": surplus})
    locked.refresh_from_db()
    return locked
