"""Money is integer fen (1 yuan = 100 fen), CNY only, formatted at the edge.

``parse_yuan`` is strict: digits, an optional point and at most two decimals. It refuses
``1e3``, ``-5``, ``NaN``, ``Infinity``, full-width digits (``１２``), thousands separators,
leading zeros, inner spaces and empty input, each with its own stable error code, unless the
caller asks to normalise full-width characters (NFKC) where a spec says so.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field, StrictInt

from kincare.core.errors import ValidationFailed

FEN_PER_YUAN = 100
#: The one documented maximum of any money amount at any edge (API schemas, forms, payment
#: notifications, engine CLIs, ledger postings): 10^13 fen = 100 billion yuan, far above any real
#: amount and far below BIGINT (2^63 − 1), so that sums of many amounts cannot overflow either.
MAX_AMOUNT_FEN = 10**13
MAX_FEN = MAX_AMOUNT_FEN

#: a money amount at an edge: a JSON integer in fen, 0 ≤ amount ≤ MAX_AMOUNT_FEN
Fen = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_FEN)]
#: the same, strictly positive
PositiveFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN)]


def fen_in_range(value: object, *, allow_zero: bool = True) -> bool:
    """True when ``value`` is an integer (not a bool) amount within 0 (or 1) .. MAX_AMOUNT_FEN."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (0 if allow_zero else 1) <= value <= MAX_AMOUNT_FEN


_STRICT_YUAN = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$")


class AmountError(ValidationFailed):
    default_code = "invalid_amount"


def parse_yuan(
    text: object,
    *,
    field: str | None = None,
    allow_zero: bool = False,
    max_fen: int = MAX_FEN,
    normalise_fullwidth: bool = False,
) -> int:
    """Parse a yuan amount typed by a person into fen, or raise ``AmountError``."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise AmountError(_("金额必须是文本形式的数字，例如 128.50"), code="amount_type", field=field)
    raw = str(text).strip()
    if raw == "":
        raise AmountError(_("请输入金额"), code="amount_empty", field=field)
    if normalise_fullwidth:
        raw = unicodedata.normalize("NFKC", raw)
    if any(not ch.isascii() for ch in raw):
        raise AmountError(_("金额只能使用半角数字（0-9）和小数点"), code="amount_fullwidth", field=field)
    if raw.startswith("-"):
        raise AmountError(_("金额不能为负数"), code="amount_negative", field=field)
    match = _STRICT_YUAN.match(raw)
    if not match:
        if re.match(r"^[0-9]+\.[0-9]{3,}$", raw):
            raise AmountError(_("金额最多保留两位小数（精确到分）"), code="amount_too_precise", field=field)
        raise AmountError(_("金额格式不正确，例如 128 或 128.50"), code="amount_format", field=field)
    whole, frac = match.group(1), (match.group(2) or ".")[1:]
    if len(whole) > 15:
        raise AmountError(_("金额过大"), code="amount_too_large", field=field)
    fen = int(whole) * FEN_PER_YUAN + int(frac.ljust(2, "0") or "0")
    if fen > max_fen:
        raise AmountError(
            _("金额不能超过 %(max)s") % {"max": format_yuan(max_fen)}, code="amount_too_large", field=field
        )
    if fen == 0 and not allow_zero:
        raise AmountError(_("金额必须大于 0"), code="amount_zero", field=field)
    return fen


def yuan(amount: int | str | Decimal) -> int:
    """Fen from a yuan figure written in code or data (``yuan(5000)`` → 500000); exact or error."""
    value = Decimal(str(amount))
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount!r} yuan is not a whole number of fen")
    return int(fen)


def apply_ratio(amount_fen: int, ratio: Decimal | str) -> int:
    """amount × ratio, rounded half-up to the fen (the one rounding step a spec names)."""
    try:
        product = Decimal(amount_fen) * Decimal(str(ratio))
    except InvalidOperation as exc:
        raise ValueError(f"invalid ratio {ratio!r}") from exc
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan_str(amount_fen: int) -> str:
    """1234 → "12.34" (no grouping, no symbol): the form of an input field."""
    sign = "-" if amount_fen < 0 else ""
    whole, frac = divmod(abs(int(amount_fen)), FEN_PER_YUAN)
    return f"{sign}{whole}.{frac:02d}"


def format_yuan(amount_fen: int) -> str:
    """123456 → "¥1,234.56"; -5 → "-¥0.05"."""
    sign = "-" if amount_fen < 0 else ""
    whole, frac = divmod(abs(int(amount_fen)), FEN_PER_YUAN)
    return f"{sign}¥{whole:,}.{frac:02d}"


def format_yuan_cn(amount_fen: int) -> str:
    """123456 → "1,234.56 元"."""
    sign = "-" if amount_fen < 0 else ""
    whole, frac = divmod(abs(int(amount_fen)), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{frac:02d} 元"
