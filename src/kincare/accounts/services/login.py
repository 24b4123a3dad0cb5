"""Password login, throttled so that a stranger can slow an account down but not lock it.

Three counts, each failure adds one to all three (``login_failure_record``):

* per (account, client address) — progressive delays, kept in the cache (Redis in production,
  the database cache in the embedded default: every worker process sees the same counts).
  After ``settings.LOGIN_MAX_FAILURES`` failures each further attempt from that address for
  that account waits ``LOGIN_DELAY_SECONDS``, doubling up to ``LOGIN_LOCKOUT_SECONDS``. The
  count is forgotten ``LOGIN_LOCKOUT_SECONDS`` after the last failure (or the end of the last
  wait). Someone failing from address A never delays the owner at address B.
* per client address, across accounts — ``LOGIN_ADDRESS_MAX_FAILURES`` failures within
  ``LOGIN_LOCKOUT_SECONDS`` lock the address for ``LOGIN_LOCKOUT_SECONDS`` (one address trying
  many phones).
* per account, across addresses — a ceiling far higher: ``LOGIN_ACCOUNT_MAX_FAILURES`` within
  ``LOGIN_ACCOUNT_WINDOW_SECONDS`` lock the account for ``LOGIN_LOCKOUT_SECONDS`` (a botnet).

The two ceilings live in ``LoginThrottle`` rows (the database, counted under a row lock). While
anything applies, passwords are not even checked. A success clears the account's counts, not
the address's (an attacker must not reset the address counter by logging into an account of
their own).

The client address is ``REMOTE_ADDR``; ``X-Forwarded-For`` is believed only when the request
comes from one of ``settings.TRUSTED_PROXIES`` (IPv6 addresses count per /64 network).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import math
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
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


@lru_cache(maxsize=4)
def _proxy_networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"KINCARE_TRUSTED_PROXIES: not an address or network: {exc}") from exc


def _is_trusted_proxy(ip: str) -> bool:
    networks = _proxy_networks(tuple(settings.TRUSTED_PROXIES))
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    return any(address in network for network in networks)


def request_ip(request: Any) -> str:
    """``REMOTE_ADDR``; behind a trusted proxy, the nearest untrusted hop of X-Forwarded-For.

    Hops are read from the right (the proxies append what they saw); anything to the left of
    the first untrusted hop was written by the client and is ignored.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if not settings.TRUSTED_PROXIES or not _is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote


def phone_key(phone: str) -> str:
    return f"phone:{phone_index(phone)}"


def _pair_key(keys: list[str]) -> str:
    """The cache key of one (account, address) pair: a hash, so neither shows in the cache."""
    return "login-pair:" + hashlib.sha256("|".join(sorted(keys)).encode()).hexdigest()


def _pair_state(keys: list[str], now: datetime.datetime) -> dict[str, float] | None:
    """``{"failures", "last", "until"}`` (Unix seconds) of the pair, or None once forgotten."""
    state = cache.get(_pair_key(keys))
    if not isinstance(state, dict):
        return None
    quiet_since = max(state.get("last", 0.0), state.get("until", 0.0))
    if now.timestamp() >= quiet_since + settings.LOGIN_LOCKOUT_SECONDS:
        return None
    return state


def _pair_delay(failures: int) -> int:
    """Seconds to wait after the ``failures``-th failure: 0, then doubling to the cap."""
    over = failures - settings.LOGIN_MAX_FAILURES
    if over < 0:
        return 0
    return int(min(settings.LOGIN_DELAY_SECONDS * 2 ** min(over, 30), settings.LOGIN_LOCKOUT_SECONDS))


def login_lock_check(*, keys: list[str]) -> None:
    """Raise ``LoginLocked`` while the (account, address) pair waits or a ceiling is locked.

    ``keys`` are the account's and the address's throttle keys (``phone_key``, ``client_key``).
    """
    now = timezone.now()
    waits = []
    pair = _pair_state(keys, now)
    if pair is not None and pair.get("until", 0.0) > now.timestamp():
        waits.append(pair["until"] - now.timestamp())
    locked_until = (
        LoginThrottle.objects.filter(key__in=keys, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    if locked_until is not None:
        waits.append((locked_until - now).total_seconds())
    if waits:
        raise LoginLocked(retry_after=max(1, math.ceil(max(waits))))


def _ceiling(key: str) -> tuple[int, int]:
    """(failures, window seconds) that lock a ceiling key."""
    if key.startswith("phone:"):
        return settings.LOGIN_ACCOUNT_MAX_FAILURES, settings.LOGIN_ACCOUNT_WINDOW_SECONDS
    return settings.LOGIN_ADDRESS_MAX_FAILURES, settings.LOGIN_LOCKOUT_SECONDS


def _locked_audit(
    *,
    scope: str,
    user: User | None,
    phone: str,
    ip: str,
    failures: int,
    until: datetime.datetime,
    subject_id: Any = None,
) -> None:
    audit_record(
        actor=None,
        actor_label="system:login-throttle",
        action="accounts.login_locked",
        subject=user if scope in ("phone", "pair") and user is not None else None,
        subject_type="accounts.loginthrottle",
        subject_id=subject_id,
        new={
            "scope": scope,
            "phone": mask_phone(phone) if scope in ("phone", "pair") and phone else "",
            "ip": ip,
            "failures": failures,
            "locked_until": until.isoformat(),
        },
    )


def _pair_failure_record(*, keys: list[str], user: User | None, phone: str, now: datetime.datetime) -> int:
    state = _pair_state(keys, now) or {"failures": 0, "last": 0.0, "until": 0.0}
    state["failures"] = int(state["failures"]) + 1
    state["last"] = now.timestamp()
    delay = _pair_delay(int(state["failures"]))
    if delay:
        state["until"] = now.timestamp() + delay
    cache.set(_pair_key(keys), state, timeout=delay + settings.LOGIN_LOCKOUT_SECONDS + 60)
    if delay and state["failures"] == settings.LOGIN_MAX_FAILURES:
        address = next((key.split(":", 1)[1] for key in keys if key.startswith("ip:")), "")
        _locked_audit(
            scope="pair",
            user=user,
            phone=phone,
            ip=address,
            failures=int(state["failures"]),
            until=now + datetime.timedelta(seconds=delay),
        )
    return delay


def login_failure_record(*, keys: list[str], user: User | None = None, phone: str = "") -> int:
    """Count one failure for the pair and each ceiling (own transaction: it must survive the
    error raised next).

    Returns the seconds until the wait or lock this failure caused ends, or 0 if none.
    """
    now = timezone.now()
    waits = [_pair_failure_record(keys=keys, user=user, phone=phone, now=now)]
    with transaction.atomic():
        for key in keys:
            limit, window_seconds = _ceiling(key)
            window = datetime.timedelta(seconds=window_seconds)
            row, _created = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now}
            )
            if row.window_started_at + window <= now and (row.locked_until is None or row.locked_until <= now):
                row.failures, row.window_started_at, row.locked_until = 0, now, None
            row.failures += 1
            if row.failures >= limit and (row.locked_until is None or row.locked_until <= now):
                row.locked_until = now + datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
                waits.append(settings.LOGIN_LOCKOUT_SECONDS)
                scope = key.split(":", 1)[0]
                _locked_audit(
                    scope=scope,
                    user=user,
                    phone=phone,
                    ip=key.split(":", 1)[1] if scope == "ip" else "",
                    failures=row.failures,
                    until=row.locked_until,
                    subject_id=row.pk,
                )
            row.save(update_fields=["failures", "window_started_at", "locked_until"])
    return max(waits)


def login_success_record(*, user: User, phone: str, method: str, ip: str) -> None:
    LoginThrottle.objects.filter(key=phone_key(phone)).delete()
    cache.delete(_pair_key([phone_key(phone), client_key(ip)]))
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
