"""Account reads, scoped by policies: a user sees their own tokens and verification only."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kincare.accounts.models import ApiToken, RealNameVerification, User
from kincare.core.errors import NotFound
from kincare.core.permissions import Policy

_MAX_ID = 2**63 - 1


class ApiTokenPolicy(Policy[ApiToken]):
    """Tokens belong to their owner: only the owner lists or revokes them here (operators
    revoke through the admin with ``accounts.change_apitoken``)."""

    model = ApiToken

    def scope(self, user: Any, action: str) -> models.QuerySet[ApiToken]:
        if not getattr(user, "is_authenticated", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user_id=user.pk)

    def get(self, user: Any, action: str, **lookup: Any) -> ApiToken:
        pk = lookup.get("pk")
        if pk is not None and (not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= _MAX_ID):
            raise NotFound(_("找不到该对象"))  # an ID no row can have
        return super().get(user, action, **lookup)


class RealNameVerificationPolicy(Policy[RealNameVerification]):
    model = RealNameVerification

    def scope(self, user: Any, action: str) -> models.QuerySet[RealNameVerification]:
        if not getattr(user, "is_authenticated", False):
            return RealNameVerification.objects.none()
        return RealNameVerification.objects.filter(user_id=user.pk)


def api_token_list(*, user: User) -> models.QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked by ``revoked_at``)."""
    return ApiTokenPolicy().scope(user, "view").order_by("-created_at", "-id")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    return ApiTokenPolicy().get(user, "view", pk=token_id)


def real_name_verification_get(*, user: User) -> RealNameVerification | None:
    """The user's own verification (callers show it masked), or None."""
    return RealNameVerificationPolicy().scope(user, "view").first()


def user_roles(user: User) -> list[str]:
    """Staff role names of a user (group names), sorted."""
    if not user.is_staff:
        return []
    return sorted(user.groups.values_list("name", flat=True))
