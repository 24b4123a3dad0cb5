"""Crowdfunding writes, one module per part of the campaign's life (see each module)."""

from kincare.crowdfunding.services.campaigns import (
    campaign_create,
    campaign_documents_add,
    campaign_get_own,
    campaign_submit,
    campaign_update,
)
from kincare.crowdfunding.services.disbursements import (
    campaign_close,
    disbursement_approve,
    disbursement_blocker,
    disbursement_evidence_add,
    disbursement_reject,
    disbursement_request,
    document_publish,
)
from kincare.crowdfunding.services.donations import (
    campaign_end_if_goal_reached,
    donation_on_paid,
    donation_start,
)
from kincare.crowdfunding.services.lifecycle import (
    REVIEW_REASONS,
    campaign_approve,
    campaign_end,
    campaign_refunds,
    campaign_reject,
    campaign_request_info,
    campaign_terminate,
    campaigns_end_due,
    fundraiser_blacklist,
    settling_donations,
)
from kincare.crowdfunding.services.reports import campaign_reinstate, report_create, report_resolve
from kincare.crowdfunding.services.social import campaign_update_post, share_create, share_find, witness_add

__all__ = [
    "REVIEW_REASONS",
    "campaign_approve",
    "campaign_close",
    "campaign_create",
    "campaign_documents_add",
    "campaign_end",
    "campaign_end_if_goal_reached",
    "campaign_get_own",
    "campaign_refunds",
    "campaign_reinstate",
    "campaign_reject",
    "campaign_request_info",
    "campaign_submit",
    "campaign_terminate",
    "campaign_update",
    "campaign_update_post",
    "campaigns_end_due",
    "disbursement_approve",
    "disbursement_blocker",
    "disbursement_evidence_add",
    "disbursement_reject",
    "disbursement_request",
    "document_publish",
    "donation_on_paid",
    "donation_start",
    "fundraiser_blacklist",
    "report_create",
    "report_resolve",
    "settling_donations",
    "share_create",
    "share_find",
    "witness_add",
]
