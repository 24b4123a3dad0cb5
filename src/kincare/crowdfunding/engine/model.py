"""The verification engine's inputs and outputs (frozen dataclasses) and the spec's thresholds.

Amounts are integer fen. Resident IDs are kept exactly as submitted: an invalid ID is not a
malformed line but a finding about the campaign (``invalid_patient_id``), so the assessment,
not the parser, checks them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["reject", "review", "approve"]
ReasonKind = Literal["hard", "flag"]

RELATIONSHIPS = ("self", "spouse", "parent", "child", "sibling", "other_relative", "other")
#: the social medical insurance types of the families app (无社保, 城镇职工医保, 城乡居民医保, 其他)
SOCIAL_INSURANCE = ("none", "urban_employee", "urban_rural_resident", "other")

#: hard reasons, in the spec's order: any one of them rejects the campaign
HARD_CODES = (
    "invalid_patient_id",
    "invalid_fundraiser_id",
    "patient_deceased",
    "treatment_finished",
    "fundraiser_blacklisted",
    "goal_above_cap",
    "liquid_assets_cover_goal",
)

#: flags, in the spec's order, with the points each adds to the risk score (0 = no risk).
#: The weights rank what a reviewer should look at first: signs that the same patient or the
#: same papers raise money twice weigh most (40), then hidden wealth that could pay the bill
#: itself (a second flat 30) and an audience already complaining (30), then an illness off the
#: list (25), then wealth that pays only part of it (car, income 20), then weak signals about
#: the fundraiser (a new account, an unrelated fundraiser 15). The sum is capped at 100.
FLAG_POINTS: dict[str, int] = {
    "extra_houses_high_value": 30,
    "car_value_high": 20,
    "income_high": 20,
    "duplicate_patient_campaign": 40,
    "document_reused": 40,
    "new_fundraiser_account": 15,
    "relationship_other": 15,
    "not_serious_illness": 25,
    "open_reports": 30,
}
FLAG_CODES = tuple(FLAG_POINTS)
#: a hard reason alone puts the score at the top
HARD_POINTS = 100
MAX_SCORE = 100

#: houses other than the only home flag the campaign when worth this many times the goal
EXTRA_HOUSES_GOAL_MULTIPLE = 2
#: an account created on or after ``as_of`` minus this many days is new
NEW_ACCOUNT_DAYS = 7


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patient:
    resident_id: str
    deceased: bool = False


@dataclass(frozen=True)
class Fundraiser:
    resident_id: str
    account_created: dt.date
    blacklisted: bool = False


@dataclass(frozen=True)
class Diagnosis:
    #: normalised: upper case, no spaces ("C92.0")
    icd10: str
    date: dt.date
    treatment_finished: bool = False


@dataclass(frozen=True)
class House:
    value_fen: int
    only_home: bool = False


@dataclass(frozen=True)
class Car:
    value_fen: int


@dataclass(frozen=True)
class Finances:
    houses: tuple[House, ...] = ()
    cars: tuple[Car, ...] = ()
    financial_assets_fen: int = 0
    annual_income_fen: int = 0
    debts_fen: int = 0

    @property
    def extra_houses(self) -> tuple[House, ...]:
        """Houses the family could sell without losing its home."""
        return tuple(house for house in self.houses if not house.only_home)

    @property
    def extra_houses_value_fen(self) -> int:
        return sum(house.value_fen for house in self.extra_houses)

    @property
    def cars_value_fen(self) -> int:
        return sum(car.value_fen for car in self.cars)


@dataclass(frozen=True)
class Insurance:
    social_insurance: str = "none"
    #: what the family's policies are expected to pay for this illness: platform policies from
    #: the claims engine, others as declared
    expected_payouts_fen: int = 0


@dataclass(frozen=True)
class Context:
    """What the platform knows that the fundraiser did not declare."""

    active_campaigns_same_patient: int = 0
    document_reused: bool = False
    open_reports: int = 0


@dataclass(frozen=True)
class CampaignFacts:
    campaign_id: str
    as_of: dt.date
    patient: Patient
    fundraiser: Fundraiser
    relationship: str
    diagnosis: Diagnosis
    estimated_cost_fen: int
    finances: Finances
    insurance: Insurance
    other_aid_fen: int
    goal_fen: int
    context: Context = field(default_factory=Context)


# --- outputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One finding, structured (stored with the campaign); ``render_reason`` words it.

    ``params`` holds only JSON values (ints, strings) so services can store it as is.
    """

    code: str
    kind: ReasonKind
    points: int
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "points": self.points, "params": dict(self.params)}


@dataclass(frozen=True)
class Assessment:
    campaign_id: str
    decision: Decision
    goal_cap_fen: int
    score: int
    reasons: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @property
    def hard_reasons(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "hard")

    @property
    def flags(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.kind == "flag")

    def as_json(self) -> dict[str, Any]:
        """The CLI contract's line: reasons as their codes."""
        return {
            "campaign_id": self.campaign_id,
            "decision": self.decision,
            "goal_cap_fen": self.goal_cap_fen,
            "score": self.score,
            "reasons": list(self.codes),
        }
