"""Mainland China mobile numbers, validated with phonenumbers and normalised to 11 digits."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django.utils.translation import gettext as _

from kincare.core.errors import ValidationFailed


def normalise_phone(raw: object, *, field: str = "phone") -> str:
    """'138 1234 5678', '+86 138-1234-5678', '１３８１２３４５６７８' → '13812345678'."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(_("请输入手机号"), code="phone_empty", field=field)
    text = unicodedata.normalize("NFKC", raw).strip()
    if len(text) > 32:
        raise ValidationFailed(_("手机号格式不正确"), code="phone_invalid", field=field)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationFailed(_("手机号格式不正确"), code="phone_invalid", field=field) from None
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationFailed(_("请输入有效的中国大陆手机号"), code="phone_invalid", field=field)
    return str(number.national_number)
