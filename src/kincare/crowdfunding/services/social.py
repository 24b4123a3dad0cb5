"""Sharing, witnesses and updates: how a campaign travels and who vouches for it."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied
from kincare.crowdfunding.models import Campaign, CampaignUpdate, Share, Witness
from kincare.crowdfunding.policies import share_policy
from kincare.families.identity import verified_identity

SHAREABLE = ("live", "paused", "ended", "disbursing", "closed")
MAX_DEPTH = 50


def share_find(code: str) -> Share | None:
    """The share a visitor arrived through (None for a code that cannot be one)."""
    if not code.isascii() or not code.isalnum() or len(code) > 16:
        return None
    return share_policy.scope(None, "view_public").filter(code=code).select_related("campaign").first()


def share_create(*, actor: Any, campaign: Campaign, parent: Share | None = None) -> Share:
    """The actor's share link, continuing the share they arrived through (one per sharer and
    parent). Chains stop growing at MAX_DEPTH: a share below that hangs beside its parent."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录再分享"), code="not_authenticated")
    if campaign.status not in SHAREABLE:
        raise Conflict(_("该项目还不能分享"), code="campaign_not_public")
    if parent is not None and parent.campaign_id != campaign.pk:
        parent = None
    if parent is not None and parent.depth >= MAX_DEPTH:
        parent = parent.parent
    existing = Share.objects.filter(campaign=campaign, sharer=actor, parent=parent).first()
    if existing is not None:
        return existing
    depth = parent.depth + 1 if parent is not None else 0
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Share.objects.create(
                    campaign=campaign, sharer=actor, parent=parent, depth=depth, code=secrets.token_hex(5)
                )
        except IntegrityError:
            existing = Share.objects.filter(campaign=campaign, sharer=actor, parent=parent).first()
            if existing is not None:
                return existing
    raise Conflict(_("请稍后再试"), code="share_failed")  # pragma: no cover - five code collisions in a row


@transaction.atomic
def witness_add(*, actor: Any, campaign: Campaign, relationship: str, message: str = "") -> Witness:
    """A verified user who knows the patient confirms the story (their name is published masked).
    The edge parsed the relationship and message (``crowdfunding.form_schemas.WitnessInput``)."""
    identity = verified_identity(actor)
    if identity is None:
        raise PermissionDenied(_("证实前请先完成实名认证"), code="real_name_required")
    if campaign.status not in SHAREABLE:
        raise Conflict(_("该项目还不能证实"), code="campaign_not_public")
    if actor.pk == campaign.fundraiser_id:
        raise Conflict(_("筹款人不能为自己证实"), code="fundraiser_cannot_witness")
    if Witness.objects.filter(campaign=campaign, user=actor).exists():
        raise Conflict(_("你已经证实过了"), code="already_witnessed")
    witness = Witness.objects.create(
        campaign=campaign, user=actor, name=identity.name, relationship=relationship, message=message
    )
    audit_record(actor=actor, action="crowdfunding.witnessed", subject=witness, new={"campaign": campaign.pk})
    return witness


@transaction.atomic
def campaign_update_post(*, actor: Any, campaign: Campaign, text: str) -> CampaignUpdate:
    """The edge parsed the text (``crowdfunding.form_schemas.update_text``)."""
    if campaign.fundraiser_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有筹款人可以发布进展"), code="fundraiser_only")
    if campaign.status not in SHAREABLE:
        raise Conflict(_("项目公开后才能发布进展"), code="campaign_not_public")
    return CampaignUpdate.objects.create(campaign=campaign, author=actor, text=text)
