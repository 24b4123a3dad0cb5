"""The engine's inputs and outputs (frozen dataclasses) and the scoring constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

DIMENSIONS = ("coverage", "price", "renewal", "insurer", "services")
CENT = Decimal("0.01")
RATING_ORDER = ("D", "C", "B", "BB", "BBB", "A", "AA", "AAA")
RISK_RATING_POINTS = {"AAA": 30, "AA": 27, "A": 24, "BBB": 18, "BB": 12, "B": 6, "C": 0, "D": 0}
SERVICE_RATING_POINTS = {"AAA": 15, "AA": 13, "A": 11, "BBB": 8, "BB": 6, "B": 4, "C": 2, "D": 0}
SERVICE_POINTS = {
    "green_channel": 20,
    "advance_payment": 20,
    "drug_direct_pay": 15,
    "second_opinion": 10,
    "hospital_escort": 10,
    "online_consult": 10,
    "chronic_care": 10,
    "health_checkup": 5,
}
UNSELECTABLE_RATINGS = frozenset({"C", "D"})
YUAN = 100


@dataclass(frozen=True)
class Weights:
    coverage: int = 35
    price: int = 20
    renewal: int = 20
    insurer: int = 15
    services: int = 10
    threshold: int = 60

    def of(self, dimension: str) -> int:
        return int(getattr(self, dimension))

    @property
    def total_weight(self) -> int:
        return sum(self.of(d) for d in DIMENSIONS)


@dataclass(frozen=True)
class InsurerFacts:
    code: str
    risk_rating: str
    service_rating: str
    core_solvency_pct: float
    comprehensive_solvency_pct: float
    complaints_per_10k: float
    settlement_days_median: float


@dataclass(frozen=True)
class PremiumBand:
    plan: str
    payment_years: int
    sex: str
    social_insurance: bool
    age_min: int
    age_max: int
    annual_premium_fen: int


@dataclass(frozen=True)
class PlanFacts:
    code: str
    cover_fen: int
    deductible_fen: int | None = None


@dataclass(frozen=True)
class PremiumTable:
    issue_age_min_days: int
    issue_age_max_years: int
    plans: tuple[PlanFacts, ...]
    bands: tuple[PremiumBand, ...]


@dataclass(frozen=True)
class CoverageFacts:
    """Category-specific coverage inputs; a field a category does not use stays at its default."""

    deductible_fen: int = 0
    family_shared_deductible: bool = False
    ratio_with_social: float = 0.0
    ratio_without_social: float = 0.0
    extra_items: int = 0
    pre_post_days: int = 0
    special_needs_ward: bool = False
    accepts_chronic: bool = False
    severe_count: int = 0
    moderate_count: int = 0
    moderate_ratio: float = 0.0
    mild_count: int = 0
    mild_ratio: float = 0.0
    max_severe_payouts: int = 0
    premium_waiver: bool = False
    coverage_end_age: int = 0
    accident_medical_limit_fen: int = 0


@dataclass(frozen=True)
class ProductFacts:
    code: str
    category: str
    insurer: InsurerFacts
    table: PremiumTable
    max_renewal_age: int
    renewal_kind: str
    guaranteed_years: int
    premium_adjustable: bool
    waiting_days: int
    occupation_max_class: int
    services: frozenset[str]
    coverage: CoverageFacts = field(default_factory=CoverageFacts)

    @property
    def main_cover_fen(self) -> int:
        return max(plan.cover_fen for plan in self.table.plans)


@dataclass(frozen=True)
class Line:
    label: str
    input: str
    points: Decimal


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    score: Decimal
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ProductScore:
    code: str
    category: str
    dimensions: dict[str, DimensionScore]
    total: Decimal
    selected: bool
    hidden_reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "category": self.category,
            "total": float(self.total),
            **{d: float(self.dimensions[d].score) for d in DIMENSIONS},
            "selected": self.selected,
        }


@dataclass(frozen=True)
class Profile:
    age: int
    sex: str
    social_insurance: bool
    #: premium per unit of cover used when the category has fewer than two other products
    market_unit_price: float


#: reference buyers per category (premium per unit of cover = premium × payment years / cover)
PROFILES: dict[str, tuple[Profile, ...]] = {
    "medical": (
        Profile(0, "M", True, 400 / 3_000_000),
        Profile(30, "M", True, 700 / 3_000_000),
        Profile(45, "F", True, 1500 / 3_000_000),
        Profile(60, "M", True, 3000 / 3_000_000),
    ),
    "critical_illness": (
        Profile(0, "M", True, 3500 * 30 / 500_000),
        Profile(30, "M", True, 10000 * 30 / 500_000),
        Profile(30, "F", True, 9000 * 30 / 500_000),
        Profile(45, "M", True, 17000 * 20 / 500_000),
    ),
    "accident": (
        Profile(5, "M", True, 100 / 200_000),
        Profile(30, "M", True, 300 / 1_000_000),
        Profile(60, "F", True, 600 / 300_000),
    ),
    "term_life": (
        Profile(30, "M", True, 1100 * 30 / 1_000_000),
        Profile(30, "F", True, 700 * 30 / 1_000_000),
        Profile(40, "M", True, 2000 * 20 / 1_000_000),
    ),
    "long_term_care": (
        Profile(30, "F", True, 3000 * 20 / 1_000_000),
        Profile(45, "M", True, 5000 * 20 / 1_000_000),
    ),
    "disability_income": (
        Profile(30, "M", True, 1500 * 20 / 1_000_000),
        Profile(45, "M", True, 2500 * 20 / 1_000_000),
    ),
}
