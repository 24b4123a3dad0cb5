"""The engine's input: one claim request (policy terms, accumulators, the claim, risk facts).

Pydantic v2 models, frozen and strict about types (amounts are whole fen, flags are booleans,
dates are ``YYYY-MM-DD``), so a wrong line is refused with the field that is wrong instead of
being guessed at. ``parse_request`` turns a dict into a ``ClaimRequest`` or raises
``ClaimInputInvalid`` (a ``ValidationFailed``: ``code``, ``message``, ``field``).

Static data is validated once: a ``PolicyTerms`` instance placed in the dict (or in
``ClaimRequest(policy=...)``) is taken as it is, and its derived lookups (exclusion prefixes,
benefits by type, ratio fractions) are computed once per instance and cached.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kincare.core.errors import ValidationFailed

#: 100 billion yuan: far above any claim, far below a 64-bit integer
MAX_FEN = 10**13

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
Fen = Annotated[StrictInt, Field(ge=0, le=MAX_FEN)]
Ratio = Annotated[Decimal, PlainValidator(lambda v: _ratio(v, 1))]
#: a critical-illness severity may pay more than the sum insured (e.g. 120% before 60)
PayoutRatio = Annotated[Decimal, PlainValidator(lambda v: _ratio(v, 3))]
Icd = Annotated[str, PlainValidator(_icd)]
Prefixes = Annotated[tuple[str, ...], PlainValidator(_prefixes)]
Key = Annotated[str, PlainValidator(_key)]
Days = Annotated[StrictInt, Field(ge=0, le=3650)]
Identifier = StrictStr | StrictInt


def _severity_key(value: Any) -> str:
    if value in SEVERITIES:
        return str(value)
    raise PydanticCustomError("severity_invalid", "severe, moderate or mild")


#: a severity as a key of the policy's and the accumulators' tables
SeverityKey = Annotated[str, PlainValidator(_severity_key)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- policy terms --------------------------------------------------------------------------------


class HospitalRule(_Strict):
    min_level: Annotated[StrictInt, Field(ge=0, le=3)] = 0
    public_only: StrictBool = False
    #: may the claim be for a special-needs (特需) ward?
    special_needs_ward: StrictBool = True


class BenefitTerms(_Strict):
    type: Key
    #: null: no annual limit
    annual_limit_fen: Fen | None = None
    deductible_group: Key | None = None
    icd_prefixes: Prefixes = ()
    #: override the policy's ratios for this benefit (accident products set them per benefit)
    ratio_with_social_insurance: Ratio | None = None
    ratio_without_social_insurance: Ratio | None = None


class DeductibleTerms(_Strict):
    amount_fen: Fen
    #: annual (also annual_member / annual_family: the caller passes the used amount) or per_claim
    scope: Literal["annual", "annual_member", "annual_family", "per_claim"] = "annual"

    @property
    def per_claim(self) -> bool:
        return self.scope == "per_claim"


class SeverityTerms(_Strict):
    ratio: PayoutRatio
    max_payouts: Annotated[StrictInt, Field(ge=1, le=20)] = 1
    #: null: the shipped list (claims/data/critical_illness.yaml) for this severity
    icd_prefixes: Prefixes | None = None


class PolicyTerms(_Strict):
    policy_id: Identifier | None = None
    category: Literal["medical", "accident", "critical_illness"] = "medical"
    period_start: Day
    period_end: Day
    first_effective_date: Day
    waiting_period_days: Days = 0
    exclusions: Annotated[tuple[str, ...], PlainValidator(_exclusions)] = ()
    benefits: tuple[BenefitTerms, ...] = Field(default=(), max_length=20)
    deductibles: dict[Key, DeductibleTerms] = Field(default_factory=dict)
    ratio_with_social_insurance: Ratio | None = None
    ratio_without_social_insurance: Ratio | None = None
    #: null: the category's default (DEFAULT_COVERED_CLAIM_TYPES)
    covered_claim_types: tuple[ClaimType, ...] | None = None
    pre_post_days: tuple[Annotated[StrictInt, Field(ge=0, le=365)], Annotated[StrictInt, Field(ge=0, le=365)]] = (0, 0)
    #: null: any hospital
    hospital_rule: HospitalRule | None = None
    #: null: no limit (every payout is approved automatically unless flagged)
    auto_approve_limit_fen: Fen | None = None
    # critical illness
    sum_insured_fen: Fen | None = None
    severities: dict[SeverityKey, SeverityTerms] = Field(default_factory=dict)
    multiple_payout_groups: Annotated[StrictInt, Field(ge=0, le=10)] = 0
    payout_gap_days: Days = 0

    @model_validator(mode="after")
    def _consistent(self) -> PolicyTerms:
        if self.period_end < self.period_start:
            raise PydanticCustomError("period_invalid", "period_end is before period_start")
        types = [b.type for b in self.benefits]
        if len(set(types)) != len(types):
            raise PydanticCustomError("benefit_duplicate", "each benefit type appears once")
        for benefit in self.benefits:
            if benefit.deductible_group is not None and benefit.deductible_group not in self.deductibles:
                raise PydanticCustomError(
                    "deductible_group_unknown",
                    "benefit {benefit} names deductible group {group}, which is not in deductibles",
                    {"benefit": benefit.type, "group": benefit.deductible_group},
                )
        if self.category == "critical_illness":
            if self.sum_insured_fen is None or self.sum_insured_fen == 0:
                raise PydanticCustomError("sum_insured_required", "a critical-illness policy has a sum_insured_fen")
            if not self.severities:
                raise PydanticCustomError("severities_required", "a critical-illness policy lists its severities")
            return self
        wanted = ("general",) if self.category == "medical" else ACCIDENT_BENEFITS
        if not any(t in types for t in wanted):
            raise PydanticCustomError(
                "benefit_required",
                "a {category} policy has a benefit of type {wanted}",
                {"category": self.category, "wanted": " or ".join(wanted)},
            )
        for benefit in self.benefits:
            for name in ("ratio_with_social_insurance", "ratio_without_social_insurance"):
                if getattr(benefit, name) is None and getattr(self, name) is None:
                    raise PydanticCustomError(
                        "ratio_required",
                        "no {missing} for benefit {benefit}",
                        {"missing": name, "benefit": benefit.type},
                    )
        return self

    # -- derived, computed once per instance ----------------------------------------------------

    @cached_property
    def covered_types(self) -> frozenset[str]:
        types = self.covered_claim_types
        return frozenset(DEFAULT_COVERED_CLAIM_TYPES[self.category] if types is None else types)

    @cached_property
    def benefit_by_type(self) -> dict[str, BenefitTerms]:
        return {b.type: b for b in self.benefits}

    @cached_property
    def serious_prefixes(self) -> tuple[str, ...]:
        serious = self.benefit_by_type.get("serious_illness")
        return serious.icd_prefixes if serious is not None else ()

    def ratios_of(self, benefit: BenefitTerms) -> tuple[Decimal, Decimal]:
        """(with social insurance, without) for a benefit: its own, else the policy's."""
        with_si = benefit.ratio_with_social_insurance
        without = benefit.ratio_without_social_insurance
        if with_si is None:
            with_si = self.ratio_with_social_insurance
        if without is None:
            without = self.ratio_without_social_insurance
        # the validator made sure one of each pair is set
        return (with_si or Decimal(0), without or Decimal(0))


# -- accumulators -------------------------------------------------------------------------------


class Accumulators(_Strict):
    """Year-to-date amounts of the member on the policy (critical illness: lifetime counts)."""

    deductible_used_fen: dict[Key, Fen] = Field(default_factory=dict)
    paid_fen: dict[Key, Fen] = Field(default_factory=dict)
    #: critical illness: payouts so far per severity over the life of the policy
    payouts: dict[SeverityKey, Annotated[StrictInt, Field(ge=0, le=100)]] = Field(default_factory=dict)
    #: critical illness: the diagnosis date of the last payout per severity
    last_payout_on: dict[SeverityKey, Day] = Field(default_factory=dict)


# -- the claim ---------------------------------------------------------------------------------------


class Hospital(_Strict):
    level: Annotated[StrictInt, Field(ge=0, le=3)]
    public: StrictBool
    special_needs_ward: StrictBool = False
    # the directory snapshot may come along; the engine does not read these
    code: StrictStr | None = None
    name: StrictStr | None = None
    city: StrictStr | None = None


class Item(_Strict):
    category: ItemCategory
    amount_fen: Fen
    description: Annotated[StrictStr, Field(max_length=500)] = ""


class Stay(_Strict):
    admission: Day
    discharge: Day

    @model_validator(mode="after")
    def _ordered(self) -> Stay:
        if self.discharge < self.admission:
            raise PydanticCustomError("stay_invalid", "discharge is before admission")
        return self


def _severity(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value in SEVERITIES:
        return str(value)
    raise PydanticCustomError("severity_invalid", "severe, moderate or mild")


class ClaimFacts(_Strict):
    member_id: Identifier | None = None
    claim_type: ClaimType
    service_start: Day
    service_end: Day
    diagnoses: Annotated[tuple[Icd, ...], Field(min_length=1, max_length=20)]
    is_accident: StrictBool = False
    hospital: Hospital | None = None
    social_insurance_used: StrictBool = False
    items: Annotated[tuple[Item, ...], Field(max_length=1000)] = ()
    social_insurance_paid_fen: Fen = 0
    other_insurance_paid_fen: Fen = 0
    related_stay: Stay | None = None
    #: critical illness: the severity claimed ("" or null: derived from the diagnoses)
    severity: Annotated[str | None, PlainValidator(_severity)] = None

    @model_validator(mode="after")
    def _consistent(self) -> ClaimFacts:
        if self.service_end < self.service_start:
            raise PydanticCustomError("service_dates_invalid", "service_end is before service_start")
        if self.claim_type == "pre_post_outpatient" and self.related_stay is None:
            raise PydanticCustomError("related_stay_required", "a pre_post_outpatient claim names its related_stay")
        return self


class RiskFacts(_Strict):
    """What the caller knows about the claim's surroundings (the engine cannot look it up)."""

    #: service_start − (first_effective_date + waiting_period_days) in days; null: computed by the engine
    days_since_waiting_end: StrictInt | None = None
    #: the usual cost of treating the (main) diagnosis, if known
    usual_cost_fen: Fen | None = None
    duplicate_document: StrictBool = False
    duplicate_invoice: StrictBool = False
    hospital_watchlist: StrictBool = False
    #: the member's other claims in the 90 days before this one
    claims_last_90_days: Annotated[StrictInt, Field(ge=0)] = 0


class ClaimRequest(_Strict):
    claim_id: Identifier
    policy: PolicyTerms
    accumulators: Accumulators = Field(default_factory=Accumulators)
    claim: ClaimFacts
    risk: RiskFacts | None = None

    @model_validator(mode="after")
    def _hospital_given(self) -> ClaimRequest:
        if self.policy.hospital_rule is not None and self.claim.hospital is None:
            raise PydanticCustomError("hospital_required", "the policy has a hospital rule: give claim.hospital")
        return self


# -- errors ------------------------------------------------------------------------------------------


class ClaimInputInvalid(ValidationFailed):
    default_code = "claim_invalid"


#: the codes of the engine's own checks (PydanticCustomError types)
CUSTOM_CODES = frozenset(
    {
        "date_invalid",
        "ratio_invalid",
        "ratio_out_of_range",
        "ratio_too_precise",
        "diagnosis_invalid",
        "icd_prefix_invalid",
        "icd_prefixes_invalid",
        "code_invalid",
        "exclusions_invalid",
        "period_invalid",
        "benefit_duplicate",
        "deductible_group_unknown",
        "sum_insured_required",
        "severities_required",
        "benefit_required",
        "ratio_required",
        "stay_invalid",
        "severity_invalid",
        "service_dates_invalid",
        "related_stay_required",
        "hospital_required",
    }
)
_CODES = {
    "missing": "field_required",
    "extra_forbidden": "field_unknown",
    "literal_error": "choice_invalid",
    "int_type": "integer_required",
    "int_parsing": "integer_required",
    "bool_type": "boolean_required",
    "string_type": "string_required",
    "dict_type": "object_required",
    "model_type": "object_required",
    "model_attributes_type": "object_required",
    "tuple_type": "list_required",
    "list_type": "list_required",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "too_short": "too_few",
    "too_long": "too_many",
    "string_too_long": "too_long",
}


#: where a check of a whole object points: the field to correct, below the object's own path
_FIELD_OF = {
    "service_dates_invalid": "service_end",
    "related_stay_required": "related_stay",
    "hospital_required": "claim.hospital",
    "period_invalid": "period_end",
    "stay_invalid": "discharge",
    "sum_insured_required": "sum_insured_fen",
    "severities_required": "severities",
    "benefit_required": "benefits",
    "benefit_duplicate": "benefits",
    "deductible_group_unknown": "benefits",
}


def input_error(exc: ValidationError) -> ClaimInputInvalid:
    """The first problem of a pydantic error as ``ClaimInputInvalid(code, message, field)``."""
    first = exc.errors(include_url=False, include_input=False)[0]
    loc = [str(part) for part in first["loc"]]
    kind = str(first["type"])
    code = _CODES.get(kind) or (kind if kind in CUSTOM_CODES else "value_invalid")
    if kind == "ratio_required":
        loc.append(str((first.get("ctx") or {}).get("missing", "")))
    elif kind in _FIELD_OF:
        loc.append(_FIELD_OF[kind])
    field = ".".join(part for part in loc if part)
    message = first["msg"]
    return ClaimInputInvalid(f"{field}: {message}" if field else message, code=code, field=field or None)


def parse_request(data: ClaimRequest | dict[str, Any]) -> ClaimRequest:
    """A validated request, or ``ClaimInputInvalid`` naming the first wrong field."""
    if isinstance(data, ClaimRequest):
        return data
    if not isinstance(data, dict):
        raise ClaimInputInvalid("a claim request is a JSON object", code="object_required")
    try:
        return ClaimRequest.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc) from None
