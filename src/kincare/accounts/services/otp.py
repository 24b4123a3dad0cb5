"""Login by SMS one-time code (短信验证码登录).

A code is 6 random digits, stored as a keyed hash, valid for ``settings.OTP_TTL_SECONDS``,
used once, and refused after ``OTP_MAX_ATTEMPTS`` wrong guesses. Only the newest code of a
phone is live; a new one can be requested after ``settings.OTP_RESEND_SECONDS``, and one
client address may request at most ``OTP_MAX_PER_CLIENT_PER_HOUR`` codes (SMS costs money
and SMS pumping is a known abuse). Wrong codes also count towards the login lockout of the
phone and the address (see ``login.py``), which bounds guessing across many codes.

Sign-up by SMS: a code proves the person holds the phone, so ``otp_login`` for a number
with no account creates the account (no password; one can be set later). This is how
most Chinese apps work (未注册的手机号验证后自动注册).
"""

from __future__ import annotations

import datetime
import hmac
import math
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.models import OtpCode, User, phone_index
from kincare.accounts.phones import normalise_phone
from kincare.accounts.services.login import (
    LoginLocked,
    client_key,
    login_failure_record,
    login_lock_check,
    login_success_record,
    phone_key,
)
from kincare.accounts.services.users import user_create
from kincare.accounts.sms import sms_backend
from kincare.core.audit import audit_record
from kincare.core.errors import DomainError, NotAuthenticated, Throttled, ValidationFailed
from kincare.core.pii import blind_index, mask_phone

OTP_LENGTH = 6
OTP_MAX_ATTEMPTS = 5
OTP_MAX_PER_CLIENT_PER_HOUR = 20


class SmsUnavailable(DomainError):
    status = 503
    default_code = "sms_unavailable"


@dataclass(frozen=True)
class OtpSent:
    phone_masked: str
    expires_in_seconds: int
    resend_after_seconds: int
    #: only in DEMO mode with a backend that sends nothing: the code, shown on the login page
    demo_code: str = ""


def _code_hash(phone_hash: str, code: str) -> str:
    return blind_index(f"{phone_hash}:{code}", purpose="otp")


def _resend_wait(phone_hash: str, now: datetime.datetime) -> int:
    last = OtpCode.objects.filter(phone_hash=phone_hash).order_by("-created_at").first()
    if last is None:
        return 0
    ready_at = last.created_at + datetime.timedelta(seconds=settings.OTP_RESEND_SECONDS)
    return max(0, math.ceil((ready_at - now).total_seconds()))


def otp_request(*, phone: str, ip: str = "") -> OtpSent:
    """Send a login code to ``phone`` (registered or not: the answer is the same)."""
    normalised = normalise_phone(phone)
    hashed_phone = phone_index(normalised)
    client = client_key(ip)
    now = timezone.now()
    code = f"{secrets.randbelow(10**OTP_LENGTH):0{OTP_LENGTH}d}"
    with transaction.atomic():
        if wait := _resend_wait(hashed_phone, now):
            raise Throttled(
                _("验证码发送太频繁，请 %(seconds)s 秒后再试") % {"seconds": wait},
                code="otp_resend_too_soon",
            )
        sent_recently = OtpCode.objects.filter(
            client_key=client, created_at__gt=now - datetime.timedelta(hours=1)
        ).count()
        if sent_recently >= OTP_MAX_PER_CLIENT_PER_HOUR:
            raise Throttled(_("验证码请求过多，请稍后再试"), code="otp_too_many")
        otp = OtpCode.objects.create(
            phone_hash=hashed_phone,
            code_hash=_code_hash(hashed_phone, code),
            client_key=client,
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
    backend = sms_backend()
    try:
        backend.send_code(phone=normalised, code=code, ttl_seconds=settings.OTP_TTL_SECONDS)
    except Exception as exc:
        # Nobody received this code: forget it so the person may ask again at once.
        OtpCode.objects.filter(pk=otp.pk).delete()
        raise SmsUnavailable(_("短信发送失败，请稍后再试")) from exc
    return OtpSent(
        phone_masked=mask_phone(normalised),
        expires_in_seconds=settings.OTP_TTL_SECONDS,
        resend_after_seconds=settings.OTP_RESEND_SECONDS,
        demo_code=code if settings.DEMO and backend.shows_code_on_page else "",
    )


def _normalise_code(code: object) -> str:
    if isinstance(code, str):
        value = unicodedata.normalize("NFKC", code).strip()
        if len(value) == OTP_LENGTH and value.isascii() and value.isdigit():
            return value
    raise ValidationFailed(_("请输入 6 位数字验证码"), code="otp_invalid", field="code")


def _otp_consume(*, hashed_phone: str, code: str, keys: list[str]) -> None:
    """Use the live code, or count a wrong guess (committed before the error is raised)."""
    now = timezone.now()
    with transaction.atomic():
        otp = (
            OtpCode.objects.select_for_update()
            .filter(phone_hash=hashed_phone, created_at__lte=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.used_at is not None or otp.expires_at <= now:
            raise ValidationFailed(_("验证码已失效，请重新获取"), code="otp_expired", field="code")
        if otp.attempts >= OTP_MAX_ATTEMPTS:
            raise ValidationFailed(_("验证码错误次数过多，请重新获取"), code="otp_attempts_exceeded", field="code")
        if hmac.compare_digest(otp.code_hash, _code_hash(hashed_phone, code)):
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            return
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
    if locked_for := login_failure_record(keys=keys):
        raise LoginLocked(retry_after=locked_for)
    raise ValidationFailed(_("验证码不正确"), code="otp_invalid", field="code")


def otp_login(*, phone: str, code: str, ip: str = "") -> tuple[User, bool]:
    """Check a code and return ``(user, created)``; creates the account for a new phone."""
    normalised = normalise_phone(phone)
    cleaned_code = _normalise_code(code)
    hashed_phone = phone_index(normalised)
    keys = [phone_key(normalised), client_key(ip)]
    login_lock_check(keys=keys)
    _otp_consume(hashed_phone=hashed_phone, code=cleaned_code, keys=keys)
    with transaction.atomic():
        user = User.objects.filter(phone_hash=hashed_phone).first()
        created = user is None
        if user is None:
            user = user_create(phone=normalised, password=None)
            audit_record(
                actor=user,
                action="accounts.signup",
                subject=user,
                new={"phone": mask_phone(normalised), "method": "otp"},
            )
        if not user.is_active:
            raise NotAuthenticated(_("该账户已停用"), code="login_failed")
        login_success_record(user=user, phone=normalised, method="otp", ip=ip)
    return user, created
