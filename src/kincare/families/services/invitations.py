"""Invitations: the guardian invites an adult by phone; the link's token is the capability."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.auth import hash_token
from kincare.accounts.models import phone_index
from kincare.accounts.phones import normalise_phone
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.families.engine import is_minor
from kincare.families.identity import verified_identity
from kincare.families.models import Family, Invitation, Member, Relationship
from kincare.families.policies import family_policy, invitation_policy
from kincare.families.services.members import resident_id_index

INVITATION_TTL = dt.timedelta(days=7)
_MAX_TOKEN_LENGTH = 100


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    family: Family,
    phone: str,
    relationship: str = Relationship.OTHER,
    member: Member | None = None,
) -> tuple[Invitation, str]:
    """Invite an adult by phone; returns the invitation and the raw token (shown once)."""
    family_policy.require(actor, "manage", family)
    normalised = normalise_phone(phone)
    if relationship not in Relationship.values or relationship == Relationship.SELF:
        raise ValidationFailed(_("选项无效"), code="relationship_invalid", field="relationship")
    if phone_index(normalised) == actor.phone_hash:
        raise ValidationFailed(_("不能邀请自己"), code="cannot_invite_self", field="phone")
    if Member.objects.filter(
        family_id=family.pk, removed_at__isnull=True, user__phone_hash=phone_index(normalised)
    ).exists():
        raise Conflict(_("该手机号的用户已是家庭成员"), code="already_member", field="phone")
    if member is not None:
        if member.family_id != family.pk or member.removed_at is not None:
            raise NotFound(_("找不到该成员"), code="not_found", field="member_id")
        if member.user_id is not None:
            raise Conflict(_("该成员已关联账号"), code="member_already_linked", field="member_id")
        if is_minor(member.birth_date, timezone.localdate()):
            raise ValidationFailed(_("只能邀请成年家人"), code="invitee_minor", field="member_id")
        relationship = member.relationship
    now = timezone.now()
    # A new link for the same phone replaces the pending one (the guardian may have lost it).
    Invitation.objects.filter(
        family_id=family.pk,
        phone_hash=phone_index(normalised),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    raw_token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        family=family,
        phone=normalised,
        phone_hash=phone_index(normalised),
        member=member,
        relationship=relationship,
        token_hash=hash_token(raw_token),
        created_by=actor,
        expires_at=now + INVITATION_TTL,
    )
    audit_record(
        actor=actor,
        action="invitation.created",
        subject=invitation,
        new={"member_id": getattr(member, "pk", None)},
    )
    return invitation, raw_token


def invitation_find(*, token: object) -> Invitation:
    """The invitation behind a raw token, whatever its state (the page says what is wrong)."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise NotFound(_("邀请链接无效"), code="invitation_not_found")
    invitation = Invitation.objects.select_related("family").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise NotFound(_("邀请链接无效"), code="invitation_not_found")
    return invitation


def invitation_check(invitation: Invitation, *, user: Any) -> None:
    """Refuse an invitation the user cannot accept, with a code saying why."""
    if invitation.revoked_at is not None:
        raise Conflict(_("该邀请已被撤销"), code="invitation_revoked")
    if invitation.accepted_at is not None:
        raise Conflict(_("该邀请已被使用"), code="invitation_used")
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("该邀请已过期，请联系监护人重新邀请"), code="invitation_expired")
    if invitation.phone_hash != user.phone_hash:
        raise PermissionDenied(_("该邀请不是发给当前手机号的"), code="invitation_phone_mismatch")
    own = Member.objects.filter(user=user).first()
    if own is not None:
        if own.family_id == invitation.family_id:
            raise Conflict(_("你已经是这个家庭的成员"), code="already_member")
        raise Conflict(_("你已经是另一个家庭的成员"), code="already_in_family")


def invitation_accept(*, actor: Any, token: str) -> Member:
    """Link the accepting user to their member row (created from 实名认证 when missing)."""
    try:
        with transaction.atomic():
            found = invitation_find(token=token)
            invitation = Invitation.objects.select_for_update().select_related("family").get(pk=found.pk)
            invitation_check(invitation, user=actor)
            identity = verified_identity(actor)
            member = invitation.member
            if member is None and identity is not None:
                member = Member.objects.filter(
                    family_id=invitation.family_id,
                    removed_at__isnull=True,
                    resident_id_hash=resident_id_index(identity.resident_id),
                ).first()
            if member is not None:
                member = Member.objects.select_for_update().get(pk=member.pk)
                if member.removed_at is not None or member.user_id is not None:
                    raise Conflict(_("该成员已关联账号"), code="member_already_linked")
                if identity is not None and resident_id_index(identity.resident_id) != member.resident_id_hash:
                    raise PermissionDenied(_("你的实名信息与被邀请的成员不一致"), code="identity_mismatch")
                member.user = actor
                member.save(update_fields=["user", "updated_at"])
            else:
                if identity is None:
                    raise PermissionDenied(_("接受邀请前请先完成实名认证"), code="real_name_required")
                if is_minor(identity.birth_date, timezone.localdate()):
                    raise ValidationFailed(_("只能邀请成年家人"), code="invitee_minor")
                member = Member.objects.create(
                    family=invitation.family,
                    user=actor,
                    name=identity.name,
                    resident_id=identity.resident_id,
                    resident_id_hash=resident_id_index(identity.resident_id),
                    birth_date=identity.birth_date,
                    sex=identity.sex,
                    relationship=invitation.relationship,
                )
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = actor
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            audit_record(
                actor=actor,
                action="invitation.accepted",
                subject=invitation,
                new={"member_id": member.pk},
            )
    except IntegrityError:
        raise Conflict(_("你已经是另一个家庭的成员"), code="already_in_family") from None
    return member


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    invitation_policy.require(actor, "revoke", invitation)
    if invitation.accepted_at is not None:
        raise Conflict(_("该邀请已被使用"), code="invitation_used")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="invitation.revoked", subject=invitation)
    return invitation
