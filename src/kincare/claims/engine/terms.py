"""The engine's input: one claim request (policy terms, accumulators, the claim, risk facts).

Pydantic v2 models, frozen and strict about types (amounts are whole fen, flags are booleans,
dates are ``YYYY-MM-DD``), so a wrong line is refused with the field that is wrong instead of
being guessed at. ``parse_request`` turns a dict into a ``ClaimRequest`` or raises
``ClaimInputInvalid`` (a ``ValidationFailed``: ``code``, ``message``, ``field``;
``input_errors``). The vocabulary and scalar types are in ``scalars``.

Static data is validated once: a ``PolicyTerms`` instance placed in the dict (or in
``ClaimRequest(policy=...)``) is taken as it is, and its derived lookups (exclusion prefixes,
benefits by type, ratio fractions) are computed once per instance and cached.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
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

from kincare.claims.engine.input_errors import CUSTOM_CODES, ClaimInputInvalid, input_error
from kincare.claims.engine.scalars import (
    ACCIDENT_BENEFITS,
    CATEGORIES,
    CLAIM_TYPES,
    DEDUCTIBLE_SCOPES,
    DEFAULT_COVERED_CLAIM_TYPES,
    ITEM_CATEGORIES,
    MAX_FEN,
    MEDICAL_CATEGORIES,
    NOT_COVERED_CATEGORIES,
    SEVERITIES,
    ClaimType,
    Day,
    Days,
    Exclusions,
    Fen,
    Icd,
    Identifier,
    ItemCategory,
    Key,
    PayoutRatio,
    Prefix,
    Prefixes,
    Ratio,
    SeverityKey,
)
from kincare.claims.engine.shipped import shipped_severe_groups

__all__ = [
    "ACCIDENT_BENEFITS",
    "CATEGORIES",
    "CLAIM_TYPES",
    "CUSTOM_CODES",
    "DEDUCTIBLE_SCOPES",
    "DEFAULT_COVERED_CLAIM_TYPES",
    "ITEM_CATEGORIES",
    "MAX_FEN",
    "MEDICAL_CATEGORIES",
    "NOT_COVERED_CATEGORIES",
    "SEVERITIES",
    "Accumulators",
    "BenefitTerms",
    "ClaimFacts",
    "ClaimInputInvalid",
    "ClaimRequest",
    "DeductibleTerms",
    "Hospital",
    "HospitalRule",
    "Item",
    "PolicyTerms",
    "RiskFacts",
    "SeverityTerms",
    "Stay",
    "input_error",
    "parse_request",
]


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
    exclusions: Exclusions = ()
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
    #: 0: severe illness pays once and ends the cover; N > 0: the severe diseases are in N payout
    #: groups, and severe illness pays again (up to its max_payouts) for a disease of a group no
    #: earlier severe payout used, payout_gap_days after the last one
    multiple_payout_groups: Annotated[StrictInt, Field(ge=0, le=10)] = 0
    payout_gap_days: Days = 0
    #: severe ICD-10 prefix → payout group; null: the shipped groups (claims/data/critical_illness.yaml)
    severe_groups: Annotated[dict[Prefix, Key], Field(max_length=500)] | None = None

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
            groups = len(set(self.group_of_prefix.values()))
            if self.multiple_payout_groups and groups != self.multiple_payout_groups:
                raise PydanticCustomError(
                    "payout_groups_mismatch",
                    "the product pays severe illness in {wanted} groups, but its severe diseases are in {groups}: "
                    "give severe_groups",
                    {"wanted": self.multiple_payout_groups, "groups": groups},
                )
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

    @cached_property
    def group_of_prefix(self) -> dict[str, str]:
        """Critical illness: severe ICD-10 prefix → payout group (the policy's, else the shipped ones)."""
        return dict(self.severe_groups) if self.severe_groups is not None else shipped_severe_groups()

    @cached_property
    def group_table(self) -> tuple[tuple[str, str], ...]:
        """(prefix, group) rows, longest prefix first (a diagnosis is in the group of its longest match)."""
        return tuple(sorted(self.group_of_prefix.items(), key=lambda row: (-len(row[0]), row[0])))

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
    #: critical illness, multiple-payout products: the payout groups of the severe payouts so far
    groups_paid: Annotated[tuple[Key, ...], Field(max_length=20)] = ()


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
    #: documents attached to the claim: a payout with none goes to an adjuster (``documents_missing``);
    #: null: not known (a CLI line), not checked
    documents: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None
    #: more than this many claims in 90 days raise ``frequent_claims``; null: the engine's default (3)
    frequent_claims_threshold: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None


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
