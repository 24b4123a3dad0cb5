"""The planning engine's inputs and outputs (frozen dataclasses), and the spec's constants.

Amounts are integer fen. An option's value is kept as an integer number of micro-units
(1 = 0.000001 of the objective), computed exactly from rationals and rounded half-up once per
option, so the solver, the brute-force oracle and the output agree to the unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kincare.catalog.engine import PremiumTable
from kincare.underwriting.engine import DeclaredCondition

CATEGORIES = ("medical", "critical_illness", "term_life", "accident")
YUAN = 100
MICRO = 1_000_000

#: role weights, in hundredths (spec: primary earner 1.0, other earner 0.8, child 0.6,
#: non-earning adult 0.6, senior ≥ 60 0.5)
ROLE_WEIGHTS = {"primary_earner": 100, "earner": 80, "child": 60, "adult": 60, "senior": 50}
#: category weights, in hundredths
CATEGORY_WEIGHTS = {"medical": 100, "critical_illness": 90, "term_life": 80, "accident": 60}
#: the share of the score term in an option's value (0.05 × score / 100)
SCORE_WEIGHT = Decimal("0.05")
#: an exclusion (or a case a human underwriter must decide) keeps 80% of the option's value
RESTRICTED_VALUE = (4, 5)
#: the default budget: 8% of the household's annual income
DEFAULT_BUDGET_PCT = 8


@dataclass(frozen=True)
class NeedRules:
    """The need formulas' amounts (yuan in the spec, fen here); all configurable."""

    medical_fen: int = 2_000_000 * YUAN
    ci_max_age: int = 55
    ci_floor_fen: int = 300_000 * YUAN
    ci_income_multiple: int = 3
    ci_cap_fen: int = 1_000_000 * YUAN
    ci_other_fen: int = 300_000 * YUAN
    life_min_age: int = 18
    life_max_age: int = 60
    life_expense_years: int = 10
    life_round_fen: int = 10_000 * YUAN
    accident_max_age: int = 69
    accident_floor_fen: int = 500_000 * YUAN
    accident_income_multiple: int = 5
    accident_cap_fen: int = 3_000_000 * YUAN
    accident_adult_fen: int = 300_000 * YUAN
    accident_child_under_10_fen: int = 200_000 * YUAN
    accident_child_fen: int = 500_000 * YUAN
    earner_min_age: int = 18
    earner_max_age: int = 65
    senior_age: int = 60
    adult_age: int = 18


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberIn:
    member_id: str
    birth_date: dt.date
    sex: str
    annual_income_fen: int = 0
    social_insurance: bool = True
    occupation_class: int = 1
    smoker: bool = False
    conditions: tuple[DeclaredCondition, ...] = ()
    #: how explanations name the member (the web passes the name; the CLI the id)
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.member_id


@dataclass(frozen=True)
class Finances:
    annual_expenses_fen: int = 0
    debts_fen: int = 0
    savings_fen: int = 0
    #: False when the family has not told us (term-life needs then read as 0, and say so)
    known: bool = True


@dataclass(frozen=True)
class ExistingCover:
    member_id: str
    category: str
    sum_insured_fen: int
    #: the platform product the member already holds (it is not offered again)
    product_code: str = ""
    source: str = "external"


@dataclass(frozen=True)
class FamilyIn:
    family_id: str
    as_of: dt.date
    members: tuple[MemberIn, ...]
    finances: Finances = field(default_factory=Finances)
    existing: tuple[ExistingCover, ...] = ()
    #: None: the default (8% of household income)
    budget_fen: int | None = None


# --- the catalog as the planner sees it -----------------------------------------------------


@dataclass(frozen=True)
class CatalogPlan:
    code: str
    name: str
    cover_fen: int


@dataclass(frozen=True)
class CatalogProduct:
    code: str
    name: str
    category: str
    score: Decimal
    selected: bool
    on_sale: bool
    issue_age_min_days: int
    issue_age_max_years: int
    social_insurance_required: bool
    occupation_classes: frozenset[int]
    questionnaire: str | None
    plans: tuple[CatalogPlan, ...]
    table: PremiumTable
    insurer_name: str = ""
    #: pays a death benefit (term life; accident with an accidental death benefit)
    pays_death: bool = False
    #: pays a minor at most the regulatory cap
    minor_death_capped: bool = False


# --- outputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One explanation line, structured: rendered into Chinese (or English) at the edge.

    ``health`` marks lines derived from a member's health data (an underwriting outcome),
    shown only to those who may read that member's health data.
    """

    code: str
    member_id: str = ""
    category: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    health: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "member_id": self.member_id,
            "category": self.category,
            "params": self.params,
            "health": self.health,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(
            code=str(data["code"]),
            member_id=str(data.get("member_id", "")),
            category=str(data.get("category", "")),
            params=dict(data.get("params") or {}),
            health=bool(data.get("health", False)),
        )


@dataclass(frozen=True)
class Option:
    """One product plan for one member and category, priced and valued."""

    member_id: str
    category: str
    product_code: str
    plan: str
    sum_insured_fen: int
    premium_fen: int
    value_micro: int
    payment_years: int = 1
    #: how much of the member's gap in the category the option closes
    covers_fen: int = 0
    loading_pct: int = 0
    restricted: str = ""  # "", "exclusion" or "manual": the value was reduced to 80%
    product_name: str = ""
    plan_name: str = ""

    @property
    def tie_key(self) -> tuple[int, str, str]:
        return (self.premium_fen, self.product_code, self.plan)


@dataclass(frozen=True)
class CategoryResult:
    need_fen: int
    existing_fen: int
    gap_fen: int
    cover_after_fen: int
    gap_after_fen: int

    def as_json(self) -> dict[str, int]:
        return {
            "need_fen": self.need_fen,
            "existing_fen": self.existing_fen,
            "gap_fen": self.gap_fen,
            "cover_after_fen": self.cover_after_fen,
            "gap_after_fen": self.gap_after_fen,
        }


@dataclass(frozen=True)
class MemberResult:
    member_id: str
    role: str
    age: int
    categories: dict[str, CategoryResult]

    def as_json(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "role": self.role,
            "age": self.age,
            "categories": {c: r.as_json() for c, r in self.categories.items()},
        }


@dataclass(frozen=True)
class PlanResult:
    family_id: str
    as_of: dt.date
    budget_fen: int
    budget_is_default: bool
    items: tuple[Option, ...]
    total_premium_fen: int
    objective_micro: int
    premium_to_close_all_gaps_fen: int
    members: tuple[MemberResult, ...]
    notes: tuple[Note, ...]
    #: options considered after eligibility and underwriting, before pruning (for the bench)
    options_considered: int = 0
    solver: str = ""

    @property
    def objective(self) -> Decimal:
        return Decimal(self.objective_micro) / MICRO

    def as_json(self) -> dict[str, Any]:
        """The CLI contract (planning spec), plus ``notes`` and the budget's origin."""
        return {
            "family_id": self.family_id,
            "as_of": self.as_of.isoformat(),
            "budget_fen": self.budget_fen,
            "budget_is_default": self.budget_is_default,
            "total_premium_fen": self.total_premium_fen,
            "objective": float(self.objective),
            "objective_micro": self.objective_micro,
            "premium_to_close_all_gaps_fen": self.premium_to_close_all_gaps_fen,
            "errors": [],
            "items": [item_json(o) for o in self.items],
            "members": [m.as_json() for m in self.members],
            "notes": [n.as_json() for n in self.notes],
        }


def item_json(option: Option) -> dict[str, Any]:
    return {
        "member_id": option.member_id,
        "category": option.category,
        "product_code": option.product_code,
        "plan": option.plan,
        "sum_insured_fen": option.sum_insured_fen,
        "premium_fen": option.premium_fen,
        "value": float(Decimal(option.value_micro) / MICRO),
        "payment_years": option.payment_years,
        "loading_pct": option.loading_pct,
        "restricted": option.restricted,
        "product_name": option.product_name,
        "plan_name": option.plan_name,
    }
