from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from kincare.core.errors import ValidationFailed


class PhonePasswordBackend(ModelBackend):
    """Password login by mobile number (Argon2 hashes). Throttling lives in the login service."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        phone = username or kwargs.get("phone")
        if phone is None or password is None:
            return None
        try:
            return super().authenticate(request, username=phone, password=password)
        except ValidationFailed:
            return None
