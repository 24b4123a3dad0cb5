"""Who may see and do what in a family (one policy per model).

* The guardian manages the family: members, invitations, minors' data.
* Every member of a family sees the roster (names in full, resident IDs masked except their
  own and — for the guardian — the minors').
* An adult's health data is theirs: another adult sees it only through that adult's active
  ``HealthDataGrant``; the guardian manages minors' health data.
* Nobody reads or stores a member's health data without an active ``SensitiveDataConsent``.
* Outsiders see nothing (``require`` answers 404); staff get no family health data here.

Member actions: ``view``, ``change``, ``delete``, ``view_resident_id`` (full value),
``manage_health`` (owns the data: give/withdraw consent, remove declarations, grants),
``write_health`` (manage + active consent), ``read_health`` (self/guardian-of-minor/grantee +
active consent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kincare.core.permissions import Policy, is_active_user
from kincare.families.engine import adult_cutoff
from kincare.families.models import (
    Family,
    HealthDataGrant,
    HealthDeclaration,
    Invitation,
    LifeEvent,
    LifeEventKind,
    Member,
    SensitiveDataConsent,
)


def _today() -> dt.date:
    return timezone.localdate()


def my_family_ids(user: Any) -> QuerySet[Member, int]:
    """Families the user belongs to as a (current) member, as a subquery (the one copy of this
    rule: every app's policy scopes family-owned rows with it or with ``in_my_families``)."""
    return Member.objects.filter(user=user, removed_at__isnull=True).values_list("family_id", flat=True)


def in_my_families(user: Any, family_field: str = "family") -> Q:
    """Rows of a family the user guards or currently belongs to (``family_field`` names the
    row's foreign key to ``Family``)."""
    return Q(**{f"{family_field}__guardian": user}) | Q(**{f"{family_field}_id__in": my_family_ids(user)})


def _has_active_consent() -> Exists:
    return Exists(
        SensitiveDataConsent.objects.filter(
            member_id=OuterRef("pk"), family_id=OuterRef("family_id"), withdrawn_at__isnull=True
        )
    )


class FamilyPolicy(Policy[Family]):
    model = Family

    def scope(self, user: Any, action: str) -> QuerySet[Family]:
        if not is_active_user(user):
            return Family.objects.none()
        if action == "view":
            return Family.objects.filter(Q(guardian=user) | Q(pk__in=my_family_ids(user)))
        if action in ("manage", "change"):
            return Family.objects.filter(guardian=user)
        return Family.objects.none()


class MemberPolicy(Policy[Member]):
    model = Member

    def scope(self, user: Any, action: str) -> QuerySet[Member]:
        none = Member.objects.none()
        if not is_active_user(user):
            return none
        current = Member.objects.filter(removed_at__isnull=True)
        in_my_family = in_my_families(user)
        minor_of_mine = Q(family__guardian=user, birth_date__gt=adult_cutoff(_today())) & ~Q(user=user)
        if action == "view":
            return current.filter(in_my_family)
        if action == "change":
            return current.filter(Q(family__guardian=user) | Q(user=user))
        if action == "delete":
            return current.filter(family__guardian=user).exclude(user=user)
        if action in ("view_resident_id", "manage_health"):
            return current.filter(Q(user=user) | minor_of_mine)
        if action == "write_health":
            return current.filter(Q(user=user) | minor_of_mine).filter(_has_active_consent())
        if action == "read_health":
            granted = Exists(
                HealthDataGrant.objects.filter(
                    grantor_id=OuterRef("pk"),
                    family_id=OuterRef("family_id"),
                    grantee__user=user,
                    grantee__removed_at__isnull=True,
                    revoked_at__isnull=True,
                )
            )
            return current.filter(Q(user=user) | minor_of_mine | granted).filter(_has_active_consent())
        return none

    def can(self, user: Any, action: str, obj: Member) -> bool:
        return is_active_user(user) and super().can(user, action, obj)


class InvitationPolicy(Policy[Invitation]):
    model = Invitation

    def scope(self, user: Any, action: str) -> QuerySet[Invitation]:
        if not is_active_user(user) or action not in ("view", "create", "revoke"):
            return Invitation.objects.none()
        return Invitation.objects.filter(family__guardian=user)


class HealthDataGrantPolicy(Policy[HealthDataGrant]):
    model = HealthDataGrant

    def scope(self, user: Any, action: str) -> QuerySet[HealthDataGrant]:
        if not is_active_user(user):
            return HealthDataGrant.objects.none()
        mine = Q(grantor__user=user) | Q(grantee__user=user)
        if action == "view":
            return HealthDataGrant.objects.filter(mine)
        if action == "revoke":
            return HealthDataGrant.objects.filter(grantor__user=user, revoked_at__isnull=True)
        return HealthDataGrant.objects.none()


class SensitiveDataConsentPolicy(Policy[SensitiveDataConsent]):
    model = SensitiveDataConsent

    def scope(self, user: Any, action: str) -> QuerySet[SensitiveDataConsent]:
        if not is_active_user(user) or action not in ("view", "withdraw"):
            return SensitiveDataConsent.objects.none()
        members = MemberPolicy().scope(user, "manage_health")
        qs = SensitiveDataConsent.objects.filter(member__in=members)
        if action == "withdraw":
            qs = qs.filter(withdrawn_at__isnull=True)
        return qs


class HealthDeclarationPolicy(Policy[HealthDeclaration]):
    model = HealthDeclaration

    def scope(self, user: Any, action: str) -> QuerySet[HealthDeclaration]:
        if not is_active_user(user):
            return HealthDeclaration.objects.none()
        member_action = {
            "view": "read_health",
            "change": "write_health",
            "delete": "manage_health",
        }.get(action)
        if member_action is None:
            return HealthDeclaration.objects.none()
        members = MemberPolicy().scope(user, member_action)
        return HealthDeclaration.objects.filter(status="active", member__in=members)


class LifeEventPolicy(Policy[LifeEvent]):
    """The guardian sees the family's events; a member sees their own; diagnoses are health data."""

    model = LifeEvent

    def scope(self, user: Any, action: str) -> QuerySet[LifeEvent]:
        if not is_active_user(user) or action != "view":
            return LifeEvent.objects.none()
        not_health = ~Q(kind=LifeEventKind.DIAGNOSIS)
        readable = MemberPolicy().scope(user, "read_health")
        return LifeEvent.objects.filter(
            (Q(family__guardian=user) & not_health)
            | (Q(member__user=user) & not_health)
            | (Q(member__isnull=True, family_id__in=my_family_ids(user)) & not_health)
            | Q(kind=LifeEventKind.DIAGNOSIS, member__in=readable)
        ).filter(Q(member__isnull=True) | Q(member__removed_at__isnull=True))


family_policy = FamilyPolicy()
member_policy = MemberPolicy()
invitation_policy = InvitationPolicy()
grant_policy = HealthDataGrantPolicy()
consent_policy = SensitiveDataConsentPolicy()
declaration_policy = HealthDeclarationPolicy()
life_event_policy = LifeEventPolicy()
