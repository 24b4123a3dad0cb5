"""Sending text messages: one small backend interface, chosen by ``settings.SMS_BACKEND``.

* ``LogSmsBackend`` (the embedded default) writes the message to the ``kincare.sms`` logger
  with the phone masked and the code blanked out (a log is no place for a credential); in
  DEMO mode the login page shows the code instead (``shows_code_on_page``).
* ``MemorySmsBackend`` keeps messages in a list; tests read the last code with
  ``MemorySmsBackend.last_code(phone)``.

A production backend (a carrier or cloud SMS gateway) subclasses ``SmsBackend`` and
implements ``send``; it should raise ``SmsSendError`` when the gateway refuses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kincare.core.pii import mask_phone

logger = logging.getLogger("kincare.sms")


class SmsSendError(Exception):
    """The gateway did not accept the message."""


class SmsBackend:
    """Base class: ``send`` one text to one mainland mobile number (11 digits)."""

    #: nobody receives the text, so in DEMO mode the page shows the code (never in production)
    shows_code_on_page: ClassVar[bool] = False

    def send(self, *, phone: str, text: str, code: str | None = None) -> None:  # pragma: no cover
        raise NotImplementedError

    def send_code(self, *, phone: str, code: str, ttl_seconds: int) -> None:
        minutes = max(1, ttl_seconds // 60)
        text = _("【kincare】您的验证码是 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。") % {
            "code": code,
            "minutes": minutes,
        }
        self.send(phone=phone, text=text, code=code)


class LogSmsBackend(SmsBackend):
    """Writes messages to the log instead of sending them (development, embedded mode).

    The phone is masked and the code never written: logs are kept, copied and read by many.
    """

    shows_code_on_page: ClassVar[bool] = True

    def send(self, *, phone: str, text: str, code: str | None = None) -> None:
        if code:
            text = text.replace(code, "*" * len(code))
        logger.info("SMS to %s: %s", mask_phone(phone), text)


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    code: str | None


class MemorySmsBackend(SmsBackend):
    """Keeps messages in memory (tests). ``outbox`` is shared by all instances."""

    outbox: ClassVar[list[SentSms]] = []

    def send(self, *, phone: str, text: str, code: str | None = None) -> None:
        self.outbox.append(SentSms(phone=phone, text=text, code=code))

    @classmethod
    def clear(cls) -> None:
        cls.outbox.clear()

    @classmethod
    def last_code(cls, phone: str | None = None) -> str | None:
        """The code of the newest message (to ``phone`` if given), or None."""
        for sms in reversed(cls.outbox):
            if sms.code is not None and (phone is None or sms.phone == phone):
                return sms.code
        return None


def sms_backend() -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    backend = backend_class()
    if not isinstance(backend, SmsBackend):  # pragma: no cover - configuration error
        raise TypeError(f"{settings.SMS_BACKEND} is not an SmsBackend")
    return backend
