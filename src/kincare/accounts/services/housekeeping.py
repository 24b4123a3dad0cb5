"""Deleting login bookkeeping nobody needs any more (schedule daily, e.g. with Celery beat)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from kincare.accounts.models import LoginThrottle, OtpCode

OTP_KEEP_HOURS = 24


def login_records_purge() -> tuple[int, int]:
    """Delete finished throttle windows and day-old codes; returns (throttles, codes) deleted.

    Codes are kept for a day because the per-address hourly limit counts them.
    """
    now = timezone.now()
    window = datetime.timedelta(seconds=max(settings.LOGIN_LOCKOUT_SECONDS, settings.LOGIN_ACCOUNT_WINDOW_SECONDS))
    throttles, _ = (
        LoginThrottle.objects.filter(window_started_at__lte=now - window)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .delete()
    )
    old = now - datetime.timedelta(hours=OTP_KEEP_HOURS)
    codes, _ = OtpCode.objects.filter(created_at__lte=old).delete()
    return throttles, codes
