"""API authentication: partner/app bearer tokens, or the browser session (with CSRF)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from kincare.core.errors import PermissionDenied

TOKEN_PREFIX = "kc_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from kincare.accounts.models import ApiToken

        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        now = timezone.now()
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None or (api_token.expires_at is not None and api_token.expires_at <= now):
            return None
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class CsrfFailed(PermissionDenied):
    default_code = "csrf_failed"


class SessionCsrfAuth(SessionAuth):
    """The browser session, with the CSRF check only for a signed-in user.

    ninja's ``SessionAuth`` checks CSRF before it knows who is calling, so an anonymous write
    got 403 "CSRF check Failed" (English). Here an anonymous caller is simply not authenticated
    (401 ``not_authenticated``), and a signed-in caller without a valid CSRF token gets 403
    ``csrf_failed`` with a translated message.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed(_("安全校验失败（CSRF），请刷新页面后重试"))
        return request.user


api_auth = [BearerTokenAuth(), SessionCsrfAuth()]
