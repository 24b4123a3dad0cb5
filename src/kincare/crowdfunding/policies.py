"""Who may see and do what in crowdfunding (one policy per model).

* The public (anyone, signed in or not) sees a campaign once a reviewer published it
  (``view_public``: live, paused, ended, disbursing, closed, terminated) and, on it, what the
  page shows: confirmed donations (names masked by the selectors), witnesses, updates, paid
  disbursements, reports with a published outcome, public photos and published evidence.
* The fundraiser sees and manages (``view``, ``manage``) their own campaigns in any status,
  with everything on them: documents, reviews, shares, disbursements.
* A donor sees their own donations (``view``; receipts once confirmed); a reporter their own
  reports; a sharer their own share links.
* Reviewers (staff in the ``campaign_reviewer`` role) see every campaign and what hangs on it
  (``review``); the services add four eyes (never their own campaign). The blacklist is theirs.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from kincare.core.permissions import PublicPolicy, StaffOnlyPolicy, is_active_user, is_staff_with
from kincare.crowdfunding.models import (
    BlacklistEntry,
    Campaign,
    CampaignDocument,
    CampaignReview,
    CampaignUpdate,
    Disbursement,
    Donation,
    Report,
    Share,
    Witness,
)

M = TypeVar("M", bound=Model)

#: the staff role that reviews campaigns, reports and disbursements
REVIEWER_ROLE = "campaign_reviewer"
#: statuses the public sees (reviewed and published)
PUBLIC = ("live", "paused", "ended", "disbursing", "closed", "terminated")


def is_reviewer(user: Any) -> bool:
    return is_staff_with(user, REVIEWER_ROLE)


class CampaignPolicy(PublicPolicy[Campaign]):
    model = Campaign
    public_actions = frozenset({"view_public"})

    def scope(self, user: Any, action: str) -> QuerySet[Campaign]:
        if action == "view_public":
            return Campaign.objects.filter(status__in=PUBLIC)
        if action in ("view", "manage") and is_active_user(user):
            return Campaign.objects.filter(fundraiser=user)
        if action == "review" and is_reviewer(user):
            return Campaign.objects.all()
        return Campaign.objects.none()


campaign_policy = CampaignPolicy()


class _OnCampaignPolicy(PublicPolicy[M]):
    """A row that hangs on a campaign: public on a public campaign when ``public_q`` says so,
    the fundraiser's on their own, every one for reviewers; ``own_q`` adds the user's own rows."""

    public_actions = frozenset({"view_public"})

    def public_q(self) -> Q:
        return Q()

    def own_q(self, user: Any) -> Q | None:
        return None

    def scope(self, user: Any, action: str) -> QuerySet[M]:
        rows = self.model._default_manager
        if action == "view_public":
            return rows.filter(self.public_q(), campaign__in=campaign_policy.scope(user, "view_public"))
        if action == "view" and is_active_user(user):
            mine = Q(campaign__fundraiser=user)
            own = self.own_q(user)
            return rows.filter(mine | own if own is not None else mine)
        if action == "manage" and is_active_user(user):
            return rows.filter(campaign__fundraiser=user)
        if action == "review" and is_reviewer(user):
            return rows.all()
        return rows.none()


class CampaignDocumentPolicy(_OnCampaignPolicy[CampaignDocument]):
    """Photos and published use-of-funds evidence are public; identity and medical documents never."""

    model = CampaignDocument

    def public_q(self) -> Q:
        return Q(public=True)


class CampaignReviewPolicy(_OnCampaignPolicy[CampaignReview]):
    """Reviewers' decisions with their reasons: the fundraiser reads them; not public."""

    model = CampaignReview

    def public_q(self) -> Q:
        return Q(pk__in=[])


class SharePolicy(_OnCampaignPolicy[Share]):
    """Share links: public by their code on a public campaign (that is what a link is for); the
    fundraiser sees the tree's reach, a sharer their own links."""

    model = Share

    def own_q(self, user: Any) -> Q | None:
        return Q(sharer=user)


class DonationPolicy(_OnCampaignPolicy[Donation]):
    """Confirmed donations are public (the selectors mask names); a donor sees their own."""

    model = Donation

    def public_q(self) -> Q:
        return Q(status=Donation.Status.CONFIRMED)

    def own_q(self, user: Any) -> Q | None:
        return Q(donor=user)

    def scope(self, user: Any, action: str) -> QuerySet[Donation]:
        if action == "view_receipt":  # a receipt exists once the money arrived
            if not is_active_user(user):
                return Donation.objects.none()
            return Donation.objects.filter(donor=user).exclude(status=Donation.Status.PENDING)
        if action == "view" and is_active_user(user):
            # the fundraiser sees what the public sees of the donations, and the donor their own
            return Donation.objects.filter(Q(donor=user) | (Q(campaign__fundraiser=user) & self.public_q()))
        return super().scope(user, action)


class WitnessPolicy(_OnCampaignPolicy[Witness]):
    model = Witness

    def own_q(self, user: Any) -> Q | None:
        return Q(user=user)


class ReportPolicy(_OnCampaignPolicy[Report]):
    """A report is published with its outcome; a reporter sees their own; the fundraiser sees
    the published ones like everyone."""

    model = Report

    def public_q(self) -> Q:
        return ~Q(outcome="")

    def scope(self, user: Any, action: str) -> QuerySet[Report]:
        if action == "view" and is_active_user(user):
            return Report.objects.filter(Q(reporter=user) | (Q(campaign__fundraiser=user) & self.public_q()))
        return super().scope(user, action)


class CampaignUpdatePolicy(_OnCampaignPolicy[CampaignUpdate]):
    model = CampaignUpdate


class DisbursementPolicy(_OnCampaignPolicy[Disbursement]):
    """Paid disbursements are public (a person as payee masked); the fundraiser sees every one
    of their campaign's, requested ones included."""

    model = Disbursement

    def public_q(self) -> Q:
        return Q(status=Disbursement.Status.PAID)


class BlacklistEntryPolicy(StaffOnlyPolicy[BlacklistEntry]):
    model = BlacklistEntry
    roles = (REVIEWER_ROLE,)


campaign_document_policy = CampaignDocumentPolicy()
campaign_review_policy = CampaignReviewPolicy()
share_policy = SharePolicy()
donation_policy = DonationPolicy()
witness_policy = WitnessPolicy()
report_policy = ReportPolicy()
campaign_update_policy = CampaignUpdatePolicy()
disbursement_policy = DisbursementPolicy()
blacklist_policy = BlacklistEntryPolicy()
