"""The crowdfunding engine's facts: a stored campaign as the verification engine reads it (the
``assess-campaign`` line shape), rows in, engine input out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kincare.crowdfunding.models import BlacklistEntry, Campaign, CampaignDocument, Report

#: statuses in which a campaign of the same patient counts as "another active campaign"
ACTIVE = ("submitted", "needs_info", "live", "paused", "ended", "disbursing")


def blacklisted(resident_id_hash: str, user: Any) -> bool:
    return (
        BlacklistEntry.objects.filter(lifted_at__isnull=True).filter(resident_id_hash=resident_id_hash).exists()
        or BlacklistEntry.objects.filter(lifted_at__isnull=True, user=user).exists()
    )


def campaign_facts(
    campaign: Campaign, *, fundraiser_id_hash: str, fundraiser_id: str, as_of: dt.date
) -> dict[str, Any]:
    """The campaign as the verification engine reads it (the ``assess-campaign`` line shape)."""
    deceased = bool(campaign.patient_member_id and campaign.patient_member and campaign.patient_member.deceased_on)
    hashes = list(campaign.documents.values_list("sha256", flat=True))
    return {
        "campaign_id": str(campaign.pk),
        "as_of": as_of.isoformat(),
        "patient": {"resident_id": campaign.patient_resident_id, "deceased": deceased},
        "fundraiser": {
            "resident_id": fundraiser_id,
            "account_created": timezone.localtime(campaign.fundraiser.date_joined).date().isoformat(),
            "blacklisted": blacklisted(fundraiser_id_hash, campaign.fundraiser),
        },
        "relationship": campaign.relationship,
        "diagnosis": {
            "icd10": campaign.icd10,
            "date": campaign.diagnosed_on.isoformat(),
            "treatment_finished": campaign.treatment_finished,
        },
        "estimated_cost_fen": campaign.estimated_cost_fen,
        "finances": {
            "houses": [
                {"value_fen": int(h["value_fen"]), "only_home": bool(h["only_home"])}
                for h in campaign.finances.get("houses", [])
            ],
            "cars": [{"value_fen": int(c["value_fen"])} for c in campaign.finances.get("cars", [])],
            "financial_assets_fen": int(campaign.finances.get("financial_assets_fen", 0)),
            "annual_income_fen": int(campaign.finances.get("annual_income_fen", 0)),
            "debts_fen": int(campaign.finances.get("debts_fen", 0)),
        },
        "insurance": {
            "social_insurance": campaign.social_insurance,
            "expected_payouts_fen": campaign.expected_payouts_fen,
        },
        "other_aid_fen": campaign.other_aid_fen,
        "goal_fen": campaign.goal_fen,
        "context": {
            "active_campaigns_same_patient": Campaign.objects.filter(
                patient_resident_id_hash=campaign.patient_resident_id_hash, status__in=ACTIVE
            )
            .exclude(pk=campaign.pk)
            .count(),
            "document_reused": bool(hashes)
            and CampaignDocument.objects.filter(sha256__in=hashes).exclude(campaign=campaign).exists(),
            "open_reports": Report.objects.filter(campaign=campaign, status=Report.Status.OPEN).count(),
        },
    }
