"""Family reads, always through a policy; health-data reads write a ``health_data.read`` audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.audit import audit_record
from kincare.core.errors import NotFound, PermissionDenied
from kincare.core.pii import mask_resident_id
from kincare.families.engine import MemberRole, age_on, member_role
from kincare.families.models import (
    Family,
    HealthDataGrant,
    HealthDeclaration,
    Invitation,
    LifeEvent,
    Member,
    SensitiveDataConsent,
)
from kincare.families.policies import (
    consent_policy,
    declaration_policy,
    family_policy,
    grant_policy,
    invitation_policy,
    life_event_policy,
    member_policy,
)


class HealthAccess:
    """What the viewing user may do with a member's health data (shown on the family page)."""

    READ = "read"
    CONSENT_NEEDED = "consent_needed"  # the viewer manages the data but has not consented yet
    OWNER_CONSENT_NEEDED = "owner_consent_needed"  # granted, but the owner has no active consent
    GRANT_NEEDED = "grant_needed"  # another adult: only through their grant
    GUARDIAN_ONLY = "guardian_only"  # a minor's data: the guardian manages it


HEALTH_ACCESS_LABELS = {
    HealthAccess.READ: gettext_lazy("可查看"),
    HealthAccess.CONSENT_NEEDED: gettext_lazy("需先同意敏感个人信息处理"),
    HealthAccess.OWNER_CONSENT_NEEDED: gettext_lazy("需本人同意敏感个人信息处理"),
    HealthAccess.GRANT_NEEDED: gettext_lazy("需本人授权"),
    HealthAccess.GUARDIAN_ONLY: gettext_lazy("仅监护人可见"),
}


@dataclass(frozen=True)
class MemberView:
    """A member as one viewer may see them: the resident ID masked unless the policy allows."""

    member: Member
    role: MemberRole
    age: int
    resident_id: str
    resident_id_masked: bool
    is_viewer: bool
    can_change: bool
    can_remove: bool
    can_manage_health: bool
    can_write_health: bool
    health_access: str

    @property
    def health_access_label(self) -> str:
        return str(HEALTH_ACCESS_LABELS[self.health_access])

    @property
    def can_read_health(self) -> bool:
        return self.health_access == HealthAccess.READ


def family_get_for_user(user: Any) -> Family | None:
    """The family the user belongs to (as guardian or member), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    member = Member.objects.select_related("family").filter(user=user, removed_at__isnull=True).first()
    return member.family if member is not None else None


def family_get(*, user: Any, family_id: object) -> Family:
    return family_policy.get(user, "view", pk=family_id)


def member_get(*, user: Any, member_id: object, action: str = "view") -> Member:
    member = member_policy.get(user, "view", pk=member_id)
    if action != "view":
        member_policy.require(user, action, member)
    return member


def _ids(user: Any, action: str, family: Family) -> set[int]:
    return set(member_policy.scope(user, action).filter(family_id=family.pk).values_list("pk", flat=True))


def member_list(*, user: Any, family: Family, today: dt.date | None = None) -> list[MemberView]:
    """The roster as ``user`` may see it (404 for outsiders)."""
    family_policy.require(user, "view", family)
    today = today or timezone.localdate()
    members = list(
        member_policy.scope(user, "view").filter(family_id=family.pk).select_related("family").order_by("id")
    )
    full_id = _ids(user, "view_resident_id", family)
    changeable = _ids(user, "change", family)
    removable = _ids(user, "delete", family)
    manage = _ids(user, "manage_health", family)
    write = _ids(user, "write_health", family)
    read = _ids(user, "read_health", family)
    granted_to_me = set(
        HealthDataGrant.objects.filter(family_id=family.pk, grantee__user=user, revoked_at__isnull=True).values_list(
            "grantor_id", flat=True
        )
    )
    views = []
    for member in members:
        role = member_role(member, today)
        if member.pk in read:
            access = HealthAccess.READ
        elif member.pk in manage:
            access = HealthAccess.CONSENT_NEEDED
        elif member.pk in granted_to_me:
            access = HealthAccess.OWNER_CONSENT_NEEDED
        elif role == MemberRole.MINOR:
            access = HealthAccess.GUARDIAN_ONLY
        else:
            access = HealthAccess.GRANT_NEEDED
        shows_full = member.pk in full_id
        views.append(
            MemberView(
                member=member,
                role=role,
                age=age_on(member.birth_date, today),
                resident_id=member.resident_id if shows_full else mask_resident_id(member.resident_id),
                resident_id_masked=not shows_full,
                is_viewer=member.user_id == user.pk,
                can_change=member.pk in changeable,
                can_remove=member.pk in removable,
                can_manage_health=member.pk in manage,
                can_write_health=member.pk in write,
                health_access=access,
            )
        )
    return views


def member_view(*, user: Any, member: Member) -> MemberView:
    for view in member_list(user=user, family=member.family):
        if view.member.pk == member.pk:
            return view
    raise NotFound(_("找不到该对象"))


def declaration_list(*, user: Any, member: Member) -> list[HealthDeclaration]:
    """A member's active declarations; refused without read access or consent; audited."""
    member_policy.require(user, "view", member)
    if not member_policy.can(user, "read_health", member):
        if member_policy.can(user, "manage_health", member):
            raise PermissionDenied(
                _("查看健康信息前，需要先同意《敏感个人信息处理规则》"),
                code="consent_required",
                field="consent",
            )
        raise PermissionDenied(_("需要本人授权才能查看健康信息"), code="health_access_denied")
    declarations = list(
        declaration_policy.scope(user, "view").filter(family_id=member.family_id, member=member).order_by("id")
    )
    audit_record(
        actor=user,
        action="health_data.read",
        subject=member,
        new={"declarations": [d.pk for d in declarations]},
    )
    return declarations


def declaration_get(*, user: Any, declaration_id: int | str) -> HealthDeclaration:
    """A declaration the user may read, or (even without consent) may remove as its owner."""
    try:
        declaration = HealthDeclaration.objects.select_related("member", "member__family").get(
            pk=declaration_id, status="active"
        )
    except (HealthDeclaration.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("找不到该对象")) from None
    if declaration_policy.can(user, "view", declaration) or declaration_policy.can(user, "delete", declaration):
        return declaration
    raise NotFound(_("找不到该对象"))


def invitation_list(*, user: Any, family: Family) -> QuerySet[Invitation]:
    family_policy.require(user, "view", family)
    return invitation_policy.scope(user, "view").filter(family_id=family.pk).order_by("-id")


def invitation_get(*, user: Any, invitation_id: object) -> Invitation:
    return invitation_policy.get(user, "view", pk=invitation_id)


def grant_list(*, user: Any, family: Family) -> QuerySet[HealthDataGrant]:
    family_policy.require(user, "view", family)
    return (
        grant_policy.scope(user, "view")
        .filter(family_id=family.pk)
        .select_related("grantor", "grantee")
        .order_by("-id")
    )


def grant_get(*, user: Any, grant_id: object) -> HealthDataGrant:
    return grant_policy.get(user, "view", pk=grant_id)


def consent_list(*, user: Any, family: Family) -> QuerySet[SensitiveDataConsent]:
    family_policy.require(user, "view", family)
    return consent_policy.scope(user, "view").filter(family_id=family.pk).select_related("member").order_by("-id")


def life_event_list(*, user: Any, family: Family) -> QuerySet[LifeEvent]:
    family_policy.require(user, "view", family)
    return life_event_policy.scope(user, "view").filter(family_id=family.pk).select_related("member")
