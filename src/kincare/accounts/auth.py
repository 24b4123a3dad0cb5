"""API authentication: partner/app bearer tokens, or the browser session (with CSRF)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

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


api_auth = [BearerTokenAuth(), SessionAuth()]
