"""Health data: PIPL consent, grants between adults, health declarations."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition
from kincare.families.conditions import validate_declaration
from kincare.families.engine import is_minor
from kincare.families.models import (
    DeclarationStatus,
    HealthDataGrant,
    HealthDeclaration,
    Member,
    SensitiveDataConsent,
)
from kincare.families.policies import declaration_policy, grant_policy, member_policy
from kincare.planning.triggers import replan_soon

#: Version of the 敏感个人信息处理规则 text the consent page shows.
CONSENT_POLICY_VERSION = "2026-01"


def consent_active(member: Member) -> SensitiveDataConsent | None:
    return SensitiveDataConsent.objects.filter(
        family_id=member.family_id, member=member, withdrawn_at__isnull=True
    ).first()


def consent_give(*, actor: Any, member: Member, policy_version: str = CONSENT_POLICY_VERSION) -> SensitiveDataConsent:
    """An adult for themselves, the guardian for a minor (idempotent while active)."""
    member_policy.require(actor, "manage_health", member)
    if policy_version != CONSENT_POLICY_VERSION:
        raise ValidationFailed(
            _("请阅读并同意最新版本的处理规则"),
            code="policy_version_outdated",
            field="policy_version",
        )
    try:
        with transaction.atomic():
            existing = consent_active(member)
            if existing is not None:
                return existing
            consent = SensitiveDataConsent.objects.create(
                family_id=member.family_id,
                member=member,
                given_by=actor,
                policy_version=policy_version,
            )
            audit_record(actor=actor, action="consent.given", subject=consent, new={"member_id": member.pk})
            replan_soon(member.family_id, "declaration_changed")
    except IntegrityError:
        found = consent_active(member)
        if found is None:  # pragma: no cover - the concurrent consent was withdrawn at once
            raise
        return found
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, member: Member) -> SensitiveDataConsent:
    """Stops any further reading or storing of the member's health data."""
    member_policy.require(actor, "manage_health", member)
    consent = consent_active(member)
    if consent is None:
        raise Conflict(_("当前没有有效的同意"), code="consent_not_active")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_record(actor=actor, action="consent.withdrawn", subject=consent, new={"member_id": member.pk})
    # the member's declarations stop counting in the family's plan
    replan_soon(member.family_id, "declaration_changed")
    return consent


def health_grant_give(*, actor: Any, grantor: Member, grantee: Member) -> HealthDataGrant:
    """An adult lets another adult of the family see their health data."""
    member_policy.require(actor, "view", grantor)
    if grantor.user_id != actor.pk:
        raise PermissionDenied(_("只能授权他人查看你自己的健康信息"), code="grant_own_data_only", field="grantor_id")
    today = timezone.localdate()
    if is_minor(grantor.birth_date, today):
        raise ValidationFailed(_("未成年人的健康信息由监护人管理"), code="grantor_minor", field="grantor_id")
    member_policy.require(actor, "view", grantee)
    if (
        grantee.pk == grantor.pk
        or grantee.family_id != grantor.family_id
        or grantee.deceased_on is not None
        or is_minor(grantee.birth_date, today)
    ):
        raise ValidationFailed(_("只能授权给家庭中的其他成年成员"), code="grantee_invalid", field="grantee_id")
    try:
        with transaction.atomic():
            if HealthDataGrant.objects.filter(
                family_id=grantor.family_id,
                grantor=grantor,
                grantee=grantee,
                revoked_at__isnull=True,
            ).exists():
                raise Conflict(_("已经授权过这位家人"), code="grant_exists", field="grantee_id")
            grant = HealthDataGrant.objects.create(family_id=grantor.family_id, grantor=grantor, grantee=grantee)
            audit_record(
                actor=actor,
                action="health_grant.given",
                subject=grant,
                new={"grantee_id": grantee.pk},
            )
    except IntegrityError:
        raise Conflict(_("已经授权过这位家人"), code="grant_exists", field="grantee_id") from None
    return grant


@transaction.atomic
def health_grant_revoke(*, actor: Any, grant: HealthDataGrant) -> HealthDataGrant:
    grant_policy.require(actor, "view", grant)
    if grant.revoked_at is not None:
        raise Conflict(_("该授权已撤销"), code="grant_revoked")
    grant_policy.require(actor, "revoke", grant)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="health_grant.revoked", subject=grant)
    return grant


def _require_write(actor: Any, member: Member) -> None:
    member_policy.require(actor, "manage_health", member)
    if not member_policy.can(actor, "write_health", member):
        raise PermissionDenied(
            _("保存健康信息前，需要先同意《敏感个人信息处理规则》"),
            code="consent_required",
            field="consent",
        )


@transaction.atomic
def declaration_add(
    *, actor: Any, member: Member, code: str, attributes: dict[str, Any], diagnosed_on: Any = None
) -> HealthDeclaration:
    _require_write(actor, member)
    payload = validate_declaration(code, attributes, diagnosed_on)
    declaration = HealthDeclaration(family_id=member.family_id, member=member, created_by=actor)
    declaration.payload = payload
    declaration.save()
    # The audit row names the member, never the condition (the audit log is not encrypted).
    audit_record(
        actor=actor,
        action="health_declaration.added",
        subject=declaration,
        new={"member_id": member.pk},
    )
    replan_soon(member.family_id, "declaration_changed")
    return declaration


@transaction.atomic
def declaration_update(
    *,
    actor: Any,
    declaration: HealthDeclaration,
    attributes: dict[str, Any],
    diagnosed_on: Any = None,
) -> HealthDeclaration:
    if not member_policy.can(actor, "manage_health", declaration.member):
        declaration_policy.require(actor, "view", declaration)
        raise PermissionDenied(_("没有权限执行此操作"))
    _require_write(actor, declaration.member)
    if declaration.status != DeclarationStatus.ACTIVE:
        raise Conflict(_("该健康告知已删除"), code="declaration_removed")
    declaration.payload = validate_declaration(declaration.payload["code"], attributes, diagnosed_on)
    declaration.save(update_fields=["payload", "updated_at"])
    audit_record(actor=actor, action="health_declaration.updated", subject=declaration)
    replan_soon(declaration.family_id, "declaration_changed")
    return declaration


@transaction.atomic
def declaration_remove(*, actor: Any, declaration: HealthDeclaration) -> HealthDeclaration:
    """Owners may remove a declaration even after withdrawing consent (right to deletion)."""
    if not member_policy.can(actor, "manage_health", declaration.member):
        declaration_policy.require(actor, "view", declaration)
        raise PermissionDenied(_("没有权限执行此操作"))
    if declaration.status != DeclarationStatus.ACTIVE:
        raise Conflict(_("该健康告知已删除"), code="declaration_removed")
    transition(declaration, to=DeclarationStatus.REMOVED, actor=actor, extra_updates={"updated_at": timezone.now()})
    audit_record(actor=actor, action="health_declaration.removed", subject=declaration)
    replan_soon(declaration.family_id, "declaration_changed")
    return declaration
