"""Password login with lockout after repeated failures, per phone and per client address.

Failures live in ``LoginThrottle`` rows (the database), so every worker process sees the
same counts. ``settings.LOGIN_MAX_FAILURES`` failures for one key within
``settings.LOGIN_LOCKOUT_SECONDS`` lock that key for ``LOGIN_LOCKOUT_SECONDS``; while locked,
passwords are not even checked. A success clears the phone's count, not the address's (an
attacker must not reset the address counter by logging into an account of their own).

The client address is ``REMOTE_ADDR`` as given by the server: a deployment behind a proxy
must have the proxy's address rewritten (IPv6 addresses count per /64 network).
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.models import LoginThrottle, User, phone_index
from kincare.accounts.phones import normalise_phone
from kincare.core.audit import audit_record
from kincare.core.errors import NotAuthenticated, Throttled
from kincare.core.pii import mask_phone

LOGIN_PASSWORD_MAX_LENGTH = 4096


class LoginLocked(Throttled):
    """Too many failures: ``retry_after`` seconds until the next attempt is accepted."""

    default_code = "login_locked"

    def __init__(self, *, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            _("登录失败次数过多，请 %(minutes)s 分钟后再试") % {"minutes": minutes},
            code="login_locked",
        )


def login_failed_error() -> NotAuthenticated:
    # The same words whether or not the phone is registered.
    return NotAuthenticated(_("手机号或密码不正确"), code="login_failed")


def client_key(ip: str | None) -> str:
    """A throttle key for a client address; IPv6 counts per /64 network."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "ip:unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.IPv6Network((address, 64), strict=False)}"
    return f"ip:{address}"


def request_ip(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def phone_key(phone: str) -> str:
    return f"phone:{phone_index(phone)}"


def login_lock_check(*, keys: list[str]) -> None:
    """Raise ``LoginLocked`` if any key is locked now."""
    now = timezone.now()
    locked_until = (
        LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    if locked_until is not None:
        raise LoginLocked(retry_after=max(1, math.ceil((locked_until - now).total_seconds())))


def login_failure_record(*, keys: list[str], user: User | None = None, phone: str = "") -> int:
    """Count one failure for each key (own transaction: it must survive the error raised next).

    Returns the seconds until the lock this failure caused ends, or 0 if nothing got locked.
    """
    now = timezone.now()
    locked_for = 0
    window = datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    with transaction.atomic():
        for key in keys:
            row, _created = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now}
            )
            if row.window_started_at + window <= now:
                row.failures, row.window_started_at, row.locked_until = 0, now, None
            row.failures += 1
            if row.failures >= settings.LOGIN_MAX_FAILURES and row.locked_until is None:
                row.locked_until = now + window
                locked_for = settings.LOGIN_LOCKOUT_SECONDS
                audit_record(
                    actor=None,
                    actor_label="system:login-throttle",
                    action="accounts.login_locked",
                    subject=user if key.startswith("phone:") and user is not None else None,
                    subject_type="accounts.loginthrottle",
                    subject_id=row.pk,
                    new={
                        "scope": key.split(":", 1)[0],
                        "phone": mask_phone(phone) if key.startswith("phone:") else "",
                        "ip": key.split(":", 1)[1] if key.startswith("ip:") else "",
                        "failures": row.failures,
                        "locked_until": row.locked_until.isoformat(),
                    },
                )
            row.save(update_fields=["failures", "window_started_at", "locked_until"])
    return locked_for


def login_success_record(*, user: User, phone: str, method: str, ip: str) -> None:
    LoginThrottle.objects.filter(key=phone_key(phone)).delete()
    audit_record(actor=user, action="accounts.login", subject=user, new={"method": method, "ip": ip})


def user_login_password(*, phone: str, password: str, ip: str = "") -> User:
    """Check a phone and password; the caller starts the session (``django.contrib.auth.login``).

    Raises ``login_locked`` (429) while the phone or the address is locked, ``login_failed``
    (401) for wrong credentials without saying whether the phone is registered.
    """
    normalised = normalise_phone(phone)
    keys = [phone_key(normalised), client_key(ip)]
    login_lock_check(keys=keys)
    user = None
    if isinstance(password, str) and 0 < len(password) <= LOGIN_PASSWORD_MAX_LENGTH:
        user = authenticate(None, username=normalised, password=password)
    if not isinstance(user, User):
        known = User.objects.filter(phone_hash=phone_index(normalised)).first()
        if locked_for := login_failure_record(keys=keys, user=known, phone=normalised):
            raise LoginLocked(retry_after=locked_for)
        raise login_failed_error()
    login_success_record(user=user, phone=normalised, method="password", ip=ip)
    return user
