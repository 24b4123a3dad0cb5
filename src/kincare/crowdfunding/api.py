"""/api/v1/campaigns: a campaign's public view and donating to it (the money is counted only when
the payment provider's verified notification arrives at /api/v1/payments/notify/…)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from kincare.crowdfunding import selectors, services
from kincare.crowdfunding.schemas import CampaignOut, DonationIn, DonationOut

router = Router(tags=["crowdfunding"])


@router.get("/{int:campaign_id}", response=CampaignOut, auth=None)
def campaign_get(request: HttpRequest, campaign_id: int) -> CampaignOut:
    campaign = selectors.campaign_public(campaign_id)
    return CampaignOut.build(selectors.campaign_public_view(campaign))


@router.post("/{int:campaign_id}/donations", response={201: DonationOut})
def donation_create(request: HttpRequest, campaign_id: int, payload: DonationIn) -> Status[DonationOut]:
    campaign = selectors.campaign_public(campaign_id)
    donation = services.donation_start(
        actor=request.user,
        campaign=campaign,
        **payload.donation().model_dump(),
        anonymous=payload.anonymous,
        share=services.share_find(payload.share) if payload.share else None,
    )
    return Status(201, DonationOut.build(donation))


@router.get("/donations/mine", response=list[DonationOut])
def donations_mine(request: HttpRequest) -> list[DonationOut]:
    return [DonationOut.build(d) for d in selectors.my_donations(request.user).select_related("order")[:200]]
