"""Idempotency keys that carry no personal data.

A key a client chooses (an ``Idempotency-Key`` header or field) may hold anything — a phone
number, a name. It is never stored as given: ``client_key`` stores a keyed hash
(HMAC-SHA256 under ``settings.PII_HASH_KEY``) of it, scoped to the use case and the user, so
the same raw key from the same user still finds the same row (a replay returns the first
result) while the stored value reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    return hashlib.sha256(f"{settings.PII_HASH_KEY}:idempotency".encode()).digest()


def client_key(scope: str, user_id: int | str, raw: str) -> str:
    """``<scope>:<user id>:<hex HMAC of the raw key>`` (85 characters for a donation)."""
    digest = hmac.new(_key(), f"{scope}:{user_id}:{raw}".encode(), hashlib.sha256).hexdigest()
    return f"{scope}:{user_id}:{digest}"
