"""Who may see and do what with accounts (one policy per model).

* An account, its API tokens and its real-name verification are the user's own: nobody else
  lists them here (operators work through the admin with its model permissions).
* Login throttles and one-time codes are kept by the account services alone.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kincare.accounts.models import ApiToken, LoginThrottle, OtpCode, RealNameVerification, User
from kincare.core.errors import NotFound
from kincare.core.permissions import Policy, ServiceOnlyPolicy, is_active_user

_MAX_ID = 2**63 - 1


class UserPolicy(Policy[User]):
    """A user sees and changes their own account only."""

    model = User

    def scope(self, user: Any, action: str) -> models.QuerySet[User]:
        if not is_active_user(user) or action not in ("view", "change"):
            return User.objects.none()
        return User.objects.filter(pk=user.pk)


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


class LoginThrottlePolicy(ServiceOnlyPolicy[LoginThrottle]):
    model = LoginThrottle


class OtpCodePolicy(ServiceOnlyPolicy[OtpCode]):
    model = OtpCode


user_policy = UserPolicy()
api_token_policy = ApiTokenPolicy()
real_name_verification_policy = RealNameVerificationPolicy()
login_throttle_policy = LoginThrottlePolicy()
otp_code_policy = OtpCodePolicy()
