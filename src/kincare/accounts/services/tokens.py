"""API tokens for partners and apps: the raw token is shown once, only its SHA-256 is kept."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.auth import TOKEN_PREFIX, hash_token
from kincare.accounts.models import ApiToken, User
from kincare.accounts.policies import api_token_policy
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed

TOKEN_NAME_MAX_LENGTH = 100
MAX_ACTIVE_TOKENS = 20


def _name_check(name: object) -> str:
    value = " ".join(name.split()) if isinstance(name, str) else ""
    if not value or len(value) > TOKEN_NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("请填写 1–%(n)s 个字符的名称") % {"n": TOKEN_NAME_MAX_LENGTH},
            code="name_invalid",
            field="name",
        )
    return value


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw value, which is never stored nor shown again."""
    clean_name = _name_check(name)
    now = timezone.now()
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= now:
            raise ValidationFailed(_("过期时间必须晚于现在"), code="expires_at_invalid", field="expires_at")
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise per user
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            _("有效令牌最多 %(n)s 个，请先撤销不用的令牌") % {"n": MAX_ACTIVE_TOKENS},
            code="too_many_tokens",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=clean_name,
        prefix=raw[:10],
        token_hash=hash_token(raw),
        expires_at=expires_at,
    )
    audit_record(
        actor=user,
        action="accounts.api_token_created",
        subject=token,
        new={
            "name": clean_name,
            "prefix": token.prefix,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, raw


def _revoke(token: ApiToken, *, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="accounts.api_token_revoked",
            subject=token,
            new={"prefix": token.prefix, "owner_id": token.user_id},
        )
    return token


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent); anyone else's is ``not_found``."""
    token = api_token_policy.get(user, "revoke", pk=token_id)
    return _revoke(token, actor=user)


@transaction.atomic
def api_token_revoke_by_operator(*, actor: User, tokens: list[ApiToken]) -> int:
    """Operators holding ``accounts.change_apitoken`` revoke any tokens (the admin action)."""
    if not actor.has_perm("accounts.change_apitoken"):
        raise PermissionDenied(_("没有权限执行此操作"))
    revoked = 0
    for token in tokens:
        if token.revoked_at is None:
            _revoke(token, actor=actor)
            revoked += 1
    return revoked
