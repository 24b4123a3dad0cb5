"""Crowdfunding reads: the public page (masked identities), progress from the ledger, the share
tree's reach, the fundraiser's and the donor's views, and the reviewers' queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.errors import NotFound
from kincare.core.ledger.selectors import account_balance
from kincare.core.pii import mask_name, mask_resident_id
from kincare.crowdfunding.models import (
    Campaign,
    CampaignDocument,
    Disbursement,
    Donation,
    Report,
    Share,
    Witness,
)
from kincare.crowdfunding.services.common import raised_fen

PUBLIC = ("live", "paused", "ended", "disbursing", "closed", "terminated")
ANONYMOUS = gettext_lazy("爱心人士")
#: how long the public progress figure may be cached (a viral campaign is polled constantly)
PROGRESS_CACHE_SECONDS = 3


def _pk(value: object) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    return int(text)


def campaign_public(campaign_id: object) -> Campaign:
    """A campaign the public may see (reviewed and published), or NotFound."""
    campaign = Campaign.objects.filter(pk=_pk(campaign_id), status__in=PUBLIC).first()
    if campaign is None:
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    return campaign


@dataclass(frozen=True)
class Progress:
    raised_fen: int
    donors: int
    donations: int
    goal_fen: int
    balance_fen: int

    @property
    def pct(self) -> int:
        return min(100, (100 * self.raised_fen) // self.goal_fen) if self.goal_fen else 0


def campaign_progress(campaign: Campaign, *, cached: bool = False) -> Progress:
    """Raised (the escrow's credits in the ledger), donors and donations (confirmed rows)."""
    key = f"crowdfunding:progress:{campaign.pk}"
    if cached:
        found = cache.get(key)
        if found is not None:
            return found
    counts = Donation.objects.filter(
        campaign=campaign, status__in=(Donation.Status.CONFIRMED, Donation.Status.REFUNDED)
    ).aggregate(donors=Count("donor", distinct=True), donations=Count("id"))
    from kincare.core.ledger.models import Account

    balance = account_balance(campaign.escrow_code) if Account.objects.filter(code=campaign.escrow_code).exists() else 0
    progress = Progress(
        raised_fen=raised_fen(campaign),
        donors=int(counts["donors"] or 0),
        donations=int(counts["donations"] or 0),
        goal_fen=campaign.goal_fen,
        balance_fen=balance,
    )
    cache.set(key, progress, PROGRESS_CACHE_SECONDS)
    return progress


@dataclass(frozen=True)
class PublicDonation:
    name: str
    amount_fen: int
    message: str
    at: Any


def donor_label(donation: Donation, name: str) -> str:
    """Masked (王*明) unless the donor chose to be named (spec); no name at all: 爱心人士."""
    if not name:
        return str(ANONYMOUS)
    return mask_name(name) if donation.anonymous else name


def recent_donations(campaign: Campaign, limit: int = 20) -> list[PublicDonation]:
    rows = (
        Donation.objects.filter(campaign=campaign, status=Donation.Status.CONFIRMED)
        .select_related("donor", "donor__real_name_verification")
        .order_by("-confirmed_at", "-id")[:limit]
    )
    out = []
    for d in rows:
        verification = getattr(d.donor, "real_name_verification", None)
        name = verification.name if verification is not None else (d.donor.display_name or "")
        out.append(
            PublicDonation(name=donor_label(d, name), amount_fen=d.amount_fen, message=d.message, at=d.confirmed_at)
        )
    return out


@dataclass(frozen=True)
class PublicCampaign:
    campaign: Campaign
    patient: str
    patient_id: str
    fundraiser: str
    progress: Progress
    witnesses: list[tuple[str, str, str]]
    witness_count: int
    photos: list[CampaignDocument]
    updates: list[Any]
    #: each paid disbursement with its published evidence
    disbursements: list[tuple[Disbursement, list[CampaignDocument]]]
    reports: list[Report]
    open_reports: int
    reviewed: bool


def campaign_public_view(campaign: Campaign) -> PublicCampaign:
    from kincare.families.identity import verified_identity

    identity = verified_identity(campaign.fundraiser)
    witnesses = list(Witness.objects.filter(campaign=campaign).order_by("-id")[:50])
    disbursements = list(campaign.disbursements.filter(status=Disbursement.Status.PAID).order_by("instalment"))
    evidence: dict[int, list[CampaignDocument]] = {}
    for doc in CampaignDocument.objects.filter(campaign=campaign, disbursement__isnull=False, public=True):
        assert doc.disbursement_id is not None
        evidence.setdefault(doc.disbursement_id, []).append(doc)
    reports = list(campaign.reports.exclude(outcome="").order_by("-id"))
    return PublicCampaign(
        campaign=campaign,
        patient=mask_name(campaign.patient_name),
        patient_id=mask_resident_id(campaign.patient_resident_id),
        fundraiser=mask_name(identity.name) if identity else "",
        progress=campaign_progress(campaign, cached=True),
        witnesses=[(mask_name(w.name), w.relationship, w.message) for w in witnesses],
        witness_count=Witness.objects.filter(campaign=campaign).count(),
        photos=list(campaign.documents.filter(kind=CampaignDocument.Kind.PHOTO, public=True)),
        updates=list(campaign.updates.all()[:20]),
        disbursements=[(d, evidence.get(d.pk, [])) for d in disbursements],
        reports=reports,
        open_reports=campaign.reports.filter(status__in=(Report.Status.OPEN, Report.Status.CREDIBLE)).count(),
        reviewed=campaign.live_at is not None,
    )


@dataclass(frozen=True)
class ShareReach:
    share: Share
    sharer: str
    direct_fen: int
    direct_donations: int
    reach_fen: int
    reach_donations: int
    descendants: int


def share_reach(campaign: Campaign) -> list[ShareReach]:
    """Each share with what came through it directly and through the shares it started (a tree)."""
    shares = list(Share.objects.filter(campaign=campaign).select_related("sharer").order_by("id"))
    direct = {
        row["share"]: (int(row["total"] or 0), int(row["n"]))
        for row in Donation.objects.filter(campaign=campaign, status=Donation.Status.CONFIRMED, share__isnull=False)
        .values("share")
        .annotate(total=Sum("amount_fen"), n=Count("id"))
    }
    # a share is always created after its parent, so walking newest-first adds every subtree
    # into its parent before the parent itself is passed (no recursion, any depth)
    totals: dict[int, tuple[int, int, int]] = {s.pk: (*direct.get(s.pk, (0, 0)), 0) for s in shares}
    for share in reversed(shares):
        if share.parent_id is not None and share.parent_id in totals:
            fen, count, below = totals[share.pk]
            p_fen, p_count, p_below = totals[share.parent_id]
            totals[share.parent_id] = (p_fen + fen, p_count + count, p_below + 1 + below)
    return [
        ShareReach(
            share=s,
            sharer=mask_name(getattr(s.sharer, "display_name", "") or "") or _("访客"),
            direct_fen=direct.get(s.pk, (0, 0))[0],
            direct_donations=direct.get(s.pk, (0, 0))[1],
            reach_fen=totals.get(s.pk, (0, 0, 0))[0],
            reach_donations=totals.get(s.pk, (0, 0, 0))[1],
            descendants=totals.get(s.pk, (0, 0, 0))[2],
        )
        for s in shares
    ]


def my_donations(user: Any) -> QuerySet[Donation]:
    return Donation.objects.filter(donor=user).select_related("campaign").order_by("-id")


def donation_receipt(*, user: Any, donation_id: object) -> Donation:
    donation = Donation.objects.select_related("campaign").filter(pk=_pk(donation_id), donor=user).first()
    if donation is None or donation.status == Donation.Status.PENDING:
        raise NotFound(_("找不到该捐款"), code="donation_not_found")
    return donation


def my_campaigns(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.filter(fundraiser=user).order_by("-id")


def review_queue() -> QuerySet[Campaign]:
    """What the reviewers work on: submissions, open reports and pending disbursements."""
    return (
        Campaign.objects.filter(
            Q(status=Campaign.Status.SUBMITTED)
            | Q(reports__status=Report.Status.OPEN)
            | Q(disbursements__status=Disbursement.Status.REQUESTED)
        )
        .distinct()
        .order_by("-risk_score", "submitted_at")
    )
