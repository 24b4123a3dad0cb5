"""The engine's vocabulary and scalar checks: categories, claim types, item categories, severities,
and the validated scalar types the request models are built from (``Day``, ``Fen``, ``Ratio``, …).

Each scalar check raises a ``PydanticCustomError`` whose type is a stable code (``date_invalid``,
``ratio_out_of_range``, …; ``input_errors.CUSTOM_CODES``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, StrictInt, StrictStr
from pydantic_core import PydanticCustomError

#: 100 billion yuan (``core.money.MAX_AMOUNT_FEN``): far above any claim, far below a 64-bit integer
from kincare.core.money import MAX_FEN as MAX_FEN
from kincare.core.money import Fen as Fen

CATEGORIES = ("medical", "accident", "critical_illness")
CLAIM_TYPES = (
    "inpatient",
    "special_outpatient",
    "outpatient_surgery",
    "pre_post_outpatient",
    "critical_illness",
    "accident_medical",
)
MEDICAL_CATEGORIES = ("bed", "nursing", "exam", "lab", "treatment", "surgery", "drug", "material", "other_medical")
NOT_COVERED_CATEGORIES = ("non_medical", "cosmetic", "special_needs_surcharge")
ITEM_CATEGORIES = MEDICAL_CATEGORIES + NOT_COVERED_CATEGORIES
#: most severe first
SEVERITIES = ("severe", "moderate", "mild")
DEDUCTIBLE_SCOPES = ("annual", "annual_member", "annual_family", "per_claim")

#: claim types a policy covers when it does not say (the spec's list for medical products)
DEFAULT_COVERED_CLAIM_TYPES: dict[str, tuple[str, ...]] = {
    "medical": ("inpatient", "special_outpatient", "outpatient_surgery", "pre_post_outpatient"),
    "accident": (
        "accident_medical",
        "inpatient",
        "special_outpatient",
        "outpatient_surgery",
        "pre_post_outpatient",
    ),
    "critical_illness": ("critical_illness",),
}
#: the benefit a claim of this category pays from (medical: general unless serious_illness matches)
ACCIDENT_BENEFITS = ("accidental_medical", "general")

ClaimType = Literal[
    "inpatient",
    "special_outpatient",
    "outpatient_surgery",
    "pre_post_outpatient",
    "critical_illness",
    "accident_medical",
]
ItemCategory = Literal[
    "bed",
    "nursing",
    "exam",
    "lab",
    "treatment",
    "surgery",
    "drug",
    "material",
    "other_medical",
    "non_medical",
    "cosmetic",
    "special_needs_surcharge",
]

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ICD = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,10})?$")
_PREFIX = re.compile(r"^[A-Z]([0-9]{1,2}(\.[0-9A-Z]{0,10})?)?$")
_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$")


# -- scalar types -------------------------------------------------------------------------------


# The same policy values (dates, prefixes, ratios, group codes) come with every claim: the
# checks of a string are memoised (pure functions; a refused value raises again every time).
_MEMO = 8192


@lru_cache(maxsize=_MEMO)
def _date_of(text: str) -> dt.date:
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise PydanticCustomError("date_invalid", "a date written YYYY-MM-DD")


def _date(value: Any) -> dt.date:
    if type(value) is str:
        return _date_of(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise PydanticCustomError("date_invalid", "a date written YYYY-MM-DD")


@lru_cache(maxsize=_MEMO, typed=True)
def _ratio_of(value: str | int | float | Decimal, maximum: int) -> Decimal:
    try:
        ratio = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise PydanticCustomError("ratio_invalid", 'a ratio such as "0.60"') from None
    if not ratio.is_finite() or ratio < 0 or ratio > maximum:
        raise PydanticCustomError("ratio_out_of_range", "a ratio from 0 to {maximum}", {"maximum": maximum})
    exponent = ratio.normalize().as_tuple().exponent  # "0.60000" is 0.6
    if isinstance(exponent, int) and exponent < -4:
        raise PydanticCustomError("ratio_too_precise", "a ratio has at most 4 decimals")
    return ratio


def _ratio(value: Any, maximum: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise PydanticCustomError("ratio_invalid", 'a ratio such as "0.60"')
    if isinstance(value, Decimal) and value.is_nan():
        raise PydanticCustomError("ratio_invalid", 'a ratio such as "0.60"')  # NaN is not hashable
    return _ratio_of(value, maximum)


@lru_cache(maxsize=_MEMO)
def _icd_of(text: str) -> str:
    code = text.strip().upper()
    if _ICD.match(code):
        return code
    raise PydanticCustomError("diagnosis_invalid", 'an ICD-10 code such as "K35.8"')


def _icd(value: Any) -> str:
    if isinstance(value, str):
        return _icd_of(value)
    raise PydanticCustomError("diagnosis_invalid", 'an ICD-10 code such as "K35.8"')


@lru_cache(maxsize=_MEMO)
def _prefix_of(text: str) -> str:
    prefix = text.strip().upper()
    if _PREFIX.match(prefix):
        return prefix
    raise PydanticCustomError("icd_prefix_invalid", 'an ICD-10 prefix such as "C", "K7" or "I21"')


def _prefix(value: Any) -> str:
    if isinstance(value, str):
        return _prefix_of(value)
    raise PydanticCustomError("icd_prefix_invalid", 'an ICD-10 prefix such as "C", "K7" or "I21"')


@lru_cache(maxsize=_MEMO)
def _key_of(text: str) -> str:
    if _KEY.match(text):
        return text
    raise PydanticCustomError("code_invalid", "a code of at most 40 letters, digits, _ . or -")


def _key(value: Any) -> str:
    if isinstance(value, str):
        return _key_of(value)
    raise PydanticCustomError("code_invalid", "a code of at most 40 letters, digits, _ . or -")


def _exclusions(value: Any) -> tuple[str, ...]:
    """``["B18", "K7"]``, or the policy's ``[{"icd10": [...], "description"}]`` flattened."""
    if not isinstance(value, list | tuple):
        raise PydanticCustomError("exclusions_invalid", "a list of ICD-10 prefixes")
    prefixes: list[str] = []
    for entry in value:
        if isinstance(entry, dict):
            codes = entry.get("icd10")
            if not isinstance(codes, list | tuple):
                raise PydanticCustomError("exclusions_invalid", "an exclusion lists its ICD-10 prefixes under icd10")
            prefixes.extend(_prefix(code) for code in codes)
        else:
            prefixes.append(_prefix(entry))
    return tuple(dict.fromkeys(prefixes))


def _prefixes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or len(value) > 500:
        raise PydanticCustomError("icd_prefixes_invalid", "a list of at most 500 ICD-10 prefixes")
    return tuple(dict.fromkeys(_prefix(v) for v in value))


Day = Annotated[dt.date, PlainValidator(_date)]
Ratio = Annotated[Decimal, PlainValidator(lambda v: _ratio(v, 1))]
#: a critical-illness severity may pay more than the sum insured (e.g. 120% before 60)
PayoutRatio = Annotated[Decimal, PlainValidator(lambda v: _ratio(v, 3))]
Icd = Annotated[str, PlainValidator(_icd)]
Prefixes = Annotated[tuple[str, ...], PlainValidator(_prefixes)]
Prefix = Annotated[str, PlainValidator(_prefix)]
#: a policy's exclusions: ICD-10 prefixes, or ``[{"icd10": [...], "description"}]`` flattened
Exclusions = Annotated[tuple[str, ...], PlainValidator(_exclusions)]
Key = Annotated[str, PlainValidator(_key)]
Days = Annotated[StrictInt, Field(ge=0, le=3650)]
Identifier = StrictStr | StrictInt


def _severity_key(value: Any) -> str:
    if value in SEVERITIES:
        return str(value)
    raise PydanticCustomError("severity_invalid", "severe, moderate or mild")


#: a severity as a key of the policy's and the accumulators' tables
SeverityKey = Annotated[str, PlainValidator(_severity_key)]
