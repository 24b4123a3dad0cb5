"""Crowdfunding reads: the public page (masked identities), progress from the ledger, the share
tree's reach, the fundraiser's and the donor's views, and the reviewers' queue. Rows are read
through ``crowdfunding.policies`` (the public sees what ``view_public`` allows, the fundraiser
their own campaigns, the donor their own donations, reviewers everything)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.errors import NotFound
from kincare.core.ledger.models import Account
from kincare.core.ledger.selectors import account_balance
from kincare.core.pii import mask_name, mask_resident_id
from kincare.crowdfunding.models import (
    Campaign,
    CampaignDocument,
    CampaignReview,
    Disbursement,
    Donation,
    Report,
    Share,
)
from kincare.crowdfunding.policies import (
    PUBLIC,
    campaign_document_policy,
    campaign_policy,
    campaign_review_policy,
    campaign_update_policy,
    disbursement_policy,
    donation_policy,
    report_policy,
    share_policy,
    witness_policy,
)
from kincare.crowdfunding.services.common import raised_fen
from kincare.families.models import Member
from kincare.families.policies import member_policy
from kincare.families.selectors import family_get_for_user

__all__ = [
    "ANONYMOUS",
    "PUBLIC",
    "FundraiserView",
    "Progress",
    "PublicCampaign",
    "PublicDonation",
    "ShareReach",
    "campaign_index",
    "campaign_own",
    "campaign_progress",
    "campaign_public",
    "campaign_public_document",
    "campaign_public_view",
    "disbursement_own",
    "donation_receipt",
    "donor_label",
    "escrow_account_get",
    "escrow_balance",
    "fundraiser_view",
    "my_campaigns",
    "my_donations",
    "patient_candidates",
    "recent_donations",
    "review_queue",
    "share_reach",
]
ANONYMOUS = gettext_lazy("爱心人士")
#: how long the public progress figure may be cached (a viral campaign is polled constantly)
PROGRESS_CACHE_SECONDS = 3


def _pk(value: object) -> int:
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    return int(text)


def campaign_public(campaign_id: object, *, user: Any = None) -> Campaign:
    """A campaign the public may see (reviewed and published), or NotFound."""
    campaign = campaign_policy.scope(user, "view_public").filter(pk=_pk(campaign_id)).first()
    if campaign is None:
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    return campaign


def campaign_index(*, user: Any = None) -> QuerySet[Campaign]:
    """The live campaigns, the most recently published first."""
    return campaign_policy.scope(user, "view_public").filter(status=Campaign.Status.LIVE).order_by("-live_at")


def campaign_own(*, user: Any, campaign_id: object) -> Campaign:
    """One of the user's own campaigns (any status), or NotFound."""
    campaign = campaign_policy.scope(user, "manage").filter(pk=_pk(campaign_id)).first()
    if campaign is None:
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    return campaign


def campaign_public_document(*, campaign: Campaign, document_id: object, user: Any = None) -> CampaignDocument:
    """A published photo or piece of evidence of a public campaign, or NotFound."""
    text = str(document_id)
    document = (
        campaign_document_policy.scope(user, "view_public").filter(campaign=campaign, pk=int(text)).first()
        if text.isascii() and text.isdigit() and len(text) <= 18
        else None
    )
    if document is None:
        raise NotFound(_("找不到该对象"))
    return document


def escrow_account_get(campaign: Campaign) -> Account | None:
    """The campaign's escrow account in the ledger (None until a reviewer published it)."""
    return Account.objects.filter(code=campaign.escrow_code).first()


def escrow_balance(campaign: Campaign) -> int:
    """What the escrow holds now (0 before it exists)."""
    return account_balance(campaign.escrow_code) if Account.objects.filter(code=campaign.escrow_code).exists() else 0


def patient_candidates(user: Any) -> list[Member]:
    """The living current members of the user's family, who a campaign may be for."""
    family = family_get_for_user(user)
    if family is None:
        return []
    return list(member_policy.scope(user, "view").filter(family=family, deceased_on__isnull=True).order_by("id"))


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
    balance = escrow_balance(campaign)
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
        donation_policy.scope(None, "view_public")
        .filter(campaign=campaign)
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
    witnesses = list(witness_policy.scope(None, "view_public").filter(campaign=campaign).order_by("-id")[:50])
    disbursements = list(
        disbursement_policy.scope(None, "view_public").filter(campaign=campaign).order_by("instalment")
    )
    documents = campaign_document_policy.scope(None, "view_public").filter(campaign=campaign)
    evidence: dict[int, list[CampaignDocument]] = {}
    for doc in documents.filter(disbursement__isnull=False):
        assert doc.disbursement_id is not None
        evidence.setdefault(doc.disbursement_id, []).append(doc)
    reports = list(report_policy.scope(None, "view_public").filter(campaign=campaign).order_by("-id"))
    return PublicCampaign(
        campaign=campaign,
        patient=mask_name(campaign.patient_name),
        patient_id=mask_resident_id(campaign.patient_resident_id),
        fundraiser=mask_name(identity.name) if identity else "",
        progress=campaign_progress(campaign, cached=True),
        witnesses=[(mask_name(w.name), w.relationship, w.message) for w in witnesses],
        witness_count=witness_policy.scope(None, "view_public").filter(campaign=campaign).count(),
        photos=list(documents.filter(kind=CampaignDocument.Kind.PHOTO)),
        updates=list(campaign_update_policy.scope(None, "view_public").filter(campaign=campaign)[:20]),
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


def share_reach(campaign: Campaign, *, user: Any = None) -> list[ShareReach]:
    """Each share with what came through it directly and through the shares it started (a tree),
    as the campaign's fundraiser sees it (``user``: the fundraiser by default)."""
    user = campaign.fundraiser if user is None else user
    shares = list(share_policy.scope(user, "manage").filter(campaign=campaign).select_related("sharer").order_by("id"))
    direct = {
        row["share"]: (int(row["total"] or 0), int(row["n"]))
        for row in donation_policy.scope(user, "view")
        .filter(campaign=campaign, status=Donation.Status.CONFIRMED, share__isnull=False)
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
    return donation_policy.scope(user, "view").filter(donor=user).select_related("campaign").order_by("-id")


def donation_receipt(*, user: Any, donation_id: object) -> Donation:
    donation = (
        donation_policy.scope(user, "view_receipt").select_related("campaign").filter(pk=_pk(donation_id)).first()
    )
    if donation is None:
        raise NotFound(_("找不到该捐款"), code="donation_not_found")
    return donation


def my_campaigns(user: Any) -> QuerySet[Campaign]:
    return campaign_policy.scope(user, "manage").order_by("-id")


def disbursement_own(*, user: Any, campaign: Campaign, disbursement_id: int | None) -> Disbursement:
    """A disbursement of one of the user's own campaigns, or NotFound."""
    disbursement = (
        disbursement_policy.scope(user, "manage").filter(campaign=campaign, pk=disbursement_id).first()
        if disbursement_id is not None
        else None
    )
    if disbursement is None:
        raise NotFound(_("找不到该笔拨付"))
    return disbursement


@dataclass(frozen=True)
class FundraiserView:
    """The fundraiser's manage page: the campaign with its reviews, documents, money and reach."""

    campaign: Campaign
    reviews: list[CampaignReview]
    documents: list[CampaignDocument]
    disbursements: list[Disbursement]
    progress: Progress
    balance_fen: int
    reach: list[ShareReach]


def fundraiser_view(*, user: Any, campaign: Campaign) -> FundraiserView:
    campaign_policy.require(user, "manage", campaign)
    return FundraiserView(
        campaign=campaign,
        reviews=list(campaign_review_policy.scope(user, "manage").filter(campaign=campaign)),
        documents=list(campaign_document_policy.scope(user, "manage").filter(campaign=campaign)),
        disbursements=list(disbursement_policy.scope(user, "manage").filter(campaign=campaign)),
        progress=campaign_progress(campaign),
        balance_fen=escrow_balance(campaign),
        reach=share_reach(campaign, user=user),
    )


def review_queue(*, user: Any) -> QuerySet[Campaign]:
    """What the reviewers work on: submissions, open reports and pending disbursements."""
    return (
        campaign_policy.scope(user, "review")
        .filter(
            Q(status=Campaign.Status.SUBMITTED)
            | Q(reports__status=Report.Status.OPEN)
            | Q(disbursements__status=Disbursement.Status.REQUESTED)
        )
        .distinct()
        .order_by("-risk_score", "submitted_at")
    )
