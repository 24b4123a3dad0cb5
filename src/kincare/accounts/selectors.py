"""Account reads, scoped by ``accounts.policies``: a user sees their own tokens and verification only."""

from __future__ import annotations

from django.db import models

from kincare.accounts.models import ApiToken, RealNameVerification, User
from kincare.accounts.policies import api_token_policy, real_name_verification_policy


def api_token_list(*, user: User) -> models.QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked by ``revoked_at``)."""
    return api_token_policy.scope(user, "view").order_by("-created_at", "-id")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    return api_token_policy.get(user, "view", pk=token_id)


def real_name_verification_get(*, user: User) -> RealNameVerification | None:
    """The user's own verification (callers show it masked), or None."""
    return real_name_verification_policy.scope(user, "view").first()


def user_roles(user: User) -> list[str]:
    """Staff role names of a user (group names), sorted."""
    if not user.is_staff:
        return []
    return sorted(user.groups.values_list("name", flat=True))
