"""Crowdfunding pages: the public campaign page and its actions, the fundraiser's pages, the
donor's donations and receipts."""

from kincare.crowdfunding.views.fundraiser import (
    campaign_cap,
    campaign_edit,
    campaign_manage,
    campaign_new,
    diagnosis_pick,
    diagnosis_search,
    mine,
)
from kincare.crowdfunding.views.public import (
    campaign_donate,
    campaign_file,
    campaign_index,
    campaign_ledger,
    campaign_page,
    campaign_progress,
    campaign_report,
    campaign_share,
    campaign_witness,
    receipt,
)

__all__ = [
    "campaign_cap",
    "campaign_donate",
    "campaign_edit",
    "campaign_file",
    "campaign_index",
    "campaign_ledger",
    "campaign_manage",
    "campaign_new",
    "campaign_page",
    "campaign_progress",
    "campaign_report",
    "campaign_share",
    "campaign_witness",
    "diagnosis_pick",
    "diagnosis_search",
    "mine",
    "receipt",
]
