"""The catalog as YAML files: pydantic schemas, the loader, and the checks no schema can express.

A catalog directory holds ``insurers.yaml`` (a list of insurers) and ``products/*.yaml``
(one product per file). ``load_catalog(directory)`` returns a ``Catalog`` or raises
``CatalogInvalid`` listing every problem, each naming the file, the product and the field.
Nothing here touches the database: the import service and ``kincare score`` share it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic import ValidationError as PydanticValidationError

from kincare.catalog.engine import (
    CoverageFacts,
    InsurerFacts,
    PlanFacts,
    PremiumBand,
    PremiumTable,
    ProductFacts,
)
from kincare.core.errors import ValidationFailed
from kincare.core.money import MAX_FEN

Category = Literal["medical", "critical_illness", "accident", "term_life", "long_term_care", "disability_income"]
Rating = Literal["AAA", "AA", "A", "BBB", "BB", "B", "C", "D"]
Sex = Literal["M", "F"]
ServiceCode = Literal[
    "green_channel",
    "advance_payment",
    "second_opinion",
    "drug_direct_pay",
    "hospital_escort",
    "online_consult",
    "health_checkup",
    "chronic_care",
]
BenefitKind = Literal[
    # medical (百万医疗)
    "general",
    "serious_illness",
    "special_outpatient",
    "outpatient_surgery",
    "pre_post_outpatient",
    "external_drug",
    "proton_heavy_ion",
    # critical illness
    "severe",
    "moderate",
    "mild",
    # accident
    "accidental_death_disability",
    "accidental_medical",
    # term life, long-term care, disability income
    "death",
    "long_term_care",
    "disability_income",
]
MEDICAL_BENEFITS = frozenset(
    {
        "general",
        "serious_illness",
        "special_outpatient",
        "outpatient_surgery",
        "pre_post_outpatient",
        "external_drug",
        "proton_heavy_ion",
    }
)
DATA_DIR = Path(__file__).resolve().parent / "data"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InsurerIn(_Strict):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)
    short_name: str = Field(min_length=1, max_length=40)
    credit_code: str = Field(pattern=r"^[0-9A-Z]{18}$")
    kind: Literal["property", "life", "mutual", "health"]
    core_solvency_pct: Decimal = Field(ge=0, le=10000)
    comprehensive_solvency_pct: Decimal = Field(ge=0, le=10000)
    risk_rating: Rating
    service_rating: Rating
    complaints_per_10k: Decimal = Field(ge=0, le=10000)
    settlement_days_median: Decimal = Field(ge=0, le=3650)


class RenewalIn(_Strict):
    kind: Literal["none", "yearly", "guaranteed"]
    guaranteed_years: int = Field(default=0, ge=0, le=100)
    premium_adjustable: StrictBool = True

    @model_validator(mode="after")
    def _years_match_kind(self) -> RenewalIn:
        if self.kind == "guaranteed" and self.guaranteed_years < 1:
            raise ValueError("guaranteed renewal needs guaranteed_years ≥ 1")
        if self.kind != "guaranteed" and self.guaranteed_years:
            raise ValueError("guaranteed_years only applies to guaranteed renewal")
        return self


class DeductibleGroupIn(_Strict):
    code: str = Field(min_length=1, max_length=40)
    amount_fen: int = Field(ge=0, le=MAX_FEN)
    scope: Literal["annual_member", "annual_family", "per_claim"] = "annual_member"


class BenefitIn(_Strict):
    kind: BenefitKind
    label: str = Field(min_length=1, max_length=120)
    annual_limit_fen: int | None = Field(default=None, ge=0, le=MAX_FEN)
    deductible_group: str | None = None
    ratio_with_social: Decimal | None = Field(default=None, ge=0, le=1)
    ratio_without_social: Decimal | None = Field(default=None, ge=0, le=1)
    disease_count: int | None = Field(default=None, ge=0, le=1000)
    payout_ratio: Decimal | None = Field(default=None, ge=0, le=2)
    max_payouts: int | None = Field(default=None, ge=0, le=20)
    note: str = Field(default="", max_length=500)


class PlanIn(_Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=80)
    cover_fen: int = Field(gt=0, le=MAX_FEN)
    deductible_fen: int | None = Field(default=None, ge=0, le=MAX_FEN)


class PremiumTableIn(_Strict):
    """One (plan, payment term, sex, social-insurance) column of the table as age bands."""

    plan: str
    payment_years: int = Field(default=1, ge=1, le=100)
    sex: Sex
    social_insurance: StrictBool
    #: [age_min, age_max, annual_premium_fen] per band, in whole years
    bands: list[tuple[int, int, int]] = Field(min_length=1)


class TermsIn(_Strict):
    """Product-level terms that are not benefits (the hospital rule, payout rules, …)."""

    pre_hospital_days: int = Field(default=0, ge=0, le=365)
    post_hospital_days: int = Field(default=0, ge=0, le=365)
    hospital_min_level: Literal["any", "level_2", "level_2a"] = "level_2"
    public_hospital_only: StrictBool = True
    special_needs_ward: StrictBool = False
    serious_illness_icd10: list[str] = Field(default_factory=list, max_length=200)
    accepts_chronic: StrictBool = False
    premium_waiver: StrictBool = False
    multiple_payout_groups: int = Field(default=0, ge=0, le=10)
    payout_gap_days: int = Field(default=0, ge=0, le=3650)
    coverage_end_age: int = Field(default=0, ge=0, le=120)
    minor_death_capped: StrictBool = False


class ProductIn(_Strict):
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")
    version: int = Field(default=1, ge=1, le=1000)
    name: str = Field(min_length=1, max_length=120)
    insurer: str
    category: Category
    on_sale: StrictBool = True
    summary: str = Field(default="", max_length=2000)
    issue_age_min_days: int = Field(ge=0, le=365 * 100)
    issue_age_max_years: int = Field(ge=0, le=100)
    max_renewal_age: int = Field(ge=0, le=120)
    renewal: RenewalIn
    waiting_days: int = Field(ge=0, le=730)
    cooling_off_days: int = Field(ge=0, le=60)
    social_insurance_required: StrictBool = False
    occupation_classes: list[int] = Field(min_length=1, max_length=6)
    services: list[ServiceCode] = Field(default_factory=list, max_length=8)
    terms: TermsIn = Field(default_factory=TermsIn)
    deductible_groups: list[DeductibleGroupIn] = Field(default_factory=list)
    benefits: list[BenefitIn] = Field(min_length=1)
    plans: list[PlanIn] = Field(min_length=1)
    premiums: list[PremiumTableIn] = Field(min_length=1)
    questionnaire: str | None = None
    clause_text: str = Field(default="", max_length=200_000)


class InsurersFile(_Strict):
    insurers: list[InsurerIn] = Field(min_length=1)


@dataclass(frozen=True)
class CatalogProblem:
    file: str
    product: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.product or '-'}: {self.field or '-'}: {self.message}"


class CatalogInvalid(ValidationFailed):
    default_code = "catalog_invalid"

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = problems
        first = problems[0] if problems else CatalogProblem("", "", "", "")
        super().__init__(
            _("产品目录有 %(n)d 处错误，第一处：%(first)s") % {"n": len(problems), "first": str(first)},
            field=first.field or None,
        )


@dataclass(frozen=True)
class Catalog:
    insurers: tuple[InsurerIn, ...]
    products: tuple[ProductIn, ...]
    #: product code/version → the file it came from (for messages)
    files: dict[tuple[str, int], str]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def product_problems(product: ProductIn) -> list[tuple[str, str]]:
    """Cross-field checks of one product: (field, message) pairs; empty when the product is sound."""
    problems: list[tuple[str, str]] = []
    if product.issue_age_min_days > product.issue_age_max_years * 365 + 364:
        problems.append(("issue_age_min_days", "minimum issue age is above the maximum"))
    if product.max_renewal_age < product.issue_age_max_years:
        problems.append(("max_renewal_age", "max renewal age is below the max issue age"))
    if any(c < 1 or c > 6 for c in product.occupation_classes):
        problems.append(("occupation_classes", "occupation classes are 1 to 6"))
    if len(set(product.services)) != len(product.services):
        problems.append(("services", "a service is listed twice"))
    groups = {g.code for g in product.deductible_groups}
    if len(groups) != len(product.deductible_groups):
        problems.append(("deductible_groups", "two deductible groups share a code"))
    kinds = [b.kind for b in product.benefits]
    if len(set(kinds)) != len(kinds):
        problems.append(("benefits", "one row per benefit kind: a kind is listed twice"))
    for i, benefit in enumerate(product.benefits):
        if benefit.deductible_group is not None and benefit.deductible_group not in groups:
            problems.append(
                (f"benefits[{i}].deductible_group", f"unknown deductible group {benefit.deductible_group!r}")
            )
        if product.category == "medical" and benefit.kind not in MEDICAL_BENEFITS:
            problems.append((f"benefits[{i}].kind", f"{benefit.kind!r} is not a medical benefit"))
    if product.category == "medical" and "general" not in kinds:
        problems.append(("benefits", "a medical product needs a 'general' benefit"))
    plans = [p.code for p in product.plans]
    if len(set(plans)) != len(plans):
        problems.append(("plans", "two plans share a code"))
    problems.extend(_premium_table_problems(product, set(plans)))
    return problems


def _premium_table_problems(product: ProductIn, plans: set[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    first_age = product.issue_age_min_days // 365
    seen: dict[tuple[str, int, str, bool], int] = {}
    terms_by_plan: dict[str, set[int]] = defaultdict(set)
    for i, table in enumerate(product.premiums):
        where = f"premiums[{i}]"
        if table.plan not in plans:
            problems.append((f"{where}.plan", f"unknown plan {table.plan!r}"))
        key = (table.plan, table.payment_years, table.sex, table.social_insurance)
        if key in seen:
            problems.append(
                (
                    where,
                    f"duplicate premium table (same key as premiums[{seen[key]}])",
                )
            )
            continue
        seen[key] = i
        terms_by_plan[table.plan].add(table.payment_years)
        expected = first_age
        for j, (age_min, age_max, premium_fen) in enumerate(sorted(table.bands)):
            band = f"{where}.bands[{j}]"
            if premium_fen <= 0:
                problems.append((band, f"premium must be positive, got {premium_fen}"))
            if age_max < age_min:
                problems.append((band, f"age band {age_min}-{age_max} is reversed"))
            elif age_max - age_min + 1 > 5:
                problems.append((band, f"age band {age_min}-{age_max} is wider than 5 years"))
            if age_min < expected:
                problems.append(
                    (band, f"age band {age_min}-{age_max} overlaps the previous band (ends at {expected - 1})")
                )
            elif age_min > expected:
                problems.append((band, f"gap in premium table: no band covers ages {expected}-{age_min - 1}"))
            expected = max(expected, age_max + 1)
        if expected <= product.issue_age_max_years:
            problems.append(
                (
                    f"{where}.bands",
                    f"gap in premium table: ages {expected}-{product.issue_age_max_years} have no premium",
                )
            )
    for plan in sorted(plans):
        for years in sorted(terms_by_plan.get(plan, {1}) or {1}):
            for sex in ("M", "F"):
                for social in (True, False):
                    if (plan, years, sex, social) not in seen:
                        problems.append(
                            (
                                "premiums",
                                f"gap in premium table: plan {plan!r}, {years}-year payment, sex {sex}, "
                                f"{'with' if social else 'without'} social insurance is missing",
                            )
                        )
    return problems


def _read_yaml(path: Path, problems: list[CatalogProblem], display: str) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(CatalogProblem(display, "", "", f"unreadable YAML: {exc}"))
        return None


def load_catalog(directory: Path | str) -> Catalog:
    """Read and validate a catalog directory; raise ``CatalogInvalid`` listing every problem."""
    root = Path(directory)
    problems: list[CatalogProblem] = []
    insurers: list[InsurerIn] = []
    insurers_path = root / "insurers.yaml"
    if not insurers_path.is_file():
        problems.append(CatalogProblem("insurers.yaml", "", "", "file not found"))
    else:
        raw = _read_yaml(insurers_path, problems, "insurers.yaml")
        if raw is not None:
            try:
                insurers = list(InsurersFile.model_validate(raw).insurers)
            except PydanticValidationError as exc:
                for err in exc.errors():
                    problems.append(CatalogProblem("insurers.yaml", "", _loc(err["loc"]), err["msg"]))
    codes = [i.code for i in insurers]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(CatalogProblem("insurers.yaml", "", "insurers.code", f"insurer {code!r} listed twice"))
    known_insurers = set(codes)

    products: list[ProductIn] = []
    files: dict[tuple[str, int], str] = {}
    paths = sorted((root / "products").glob("*.yaml")) if (root / "products").is_dir() else []
    if not paths:
        problems.append(CatalogProblem("products/", "", "", "no product files"))
    for path in paths:
        display = f"products/{path.name}"
        raw = _read_yaml(path, problems, display)
        if raw is None:
            continue
        name = str(raw.get("code", "")) if isinstance(raw, dict) else ""
        try:
            product = ProductIn.model_validate(raw)
        except PydanticValidationError as exc:
            for err in exc.errors():
                problems.append(CatalogProblem(display, name, _loc(err["loc"]), err["msg"]))
            continue
        if product.insurer not in known_insurers:
            problems.append(CatalogProblem(display, product.code, "insurer", f"unknown insurer {product.insurer!r}"))
        for field, message in product_problems(product):
            problems.append(CatalogProblem(display, product.code, field, message))
        key = (product.code, product.version)
        if key in files:
            problems.append(
                CatalogProblem(display, product.code, "version", f"version {product.version} also in {files[key]}")
            )
        files[key] = display
        products.append(product)
    if problems:
        raise CatalogInvalid(problems)
    return Catalog(insurers=tuple(insurers), products=tuple(products), files=files)


def current_products(catalog: Catalog) -> list[ProductIn]:
    """The latest version of each product code."""
    latest: dict[str, ProductIn] = {}
    for product in catalog.products:
        if product.code not in latest or product.version > latest[product.code].version:
            latest[product.code] = product
    return [latest[code] for code in sorted(latest)]


def coverage_facts(
    *,
    category: str,
    benefits: list[dict[str, Any]],
    deductible_groups: dict[str, tuple[int, str]],
    terms: TermsIn,
) -> CoverageFacts:
    """Engine coverage inputs from benefit rows (dicts of BenefitIn fields) and the product terms.

    Shared by the YAML path and the database path so both score the same product the same way.
    """
    by_kind = {b["kind"]: b for b in benefits}
    general = by_kind.get("general") or by_kind.get("accidental_medical") or {}
    group = deductible_groups.get(general.get("deductible_group") or "", (0, "annual_member"))
    extra = sum(
        1
        for kind, b in by_kind.items()
        if kind in MEDICAL_BENEFITS and kind != "general" and (b.get("annual_limit_fen") or 0) > 0
    )

    def ratio(b: dict[str, Any], key: str) -> float:
        value = b.get(key)
        return float(value) if value is not None else 0.0

    def count(kind: str, key: str) -> int:
        value = by_kind.get(kind, {}).get(key)
        return int(value) if value is not None else 0

    return CoverageFacts(
        deductible_fen=group[0],
        family_shared_deductible=group[1] == "annual_family",
        ratio_with_social=ratio(general, "ratio_with_social"),
        ratio_without_social=ratio(general, "ratio_without_social"),
        extra_items=extra if category == "medical" else 0,
        pre_post_days=terms.pre_hospital_days + terms.post_hospital_days,
        special_needs_ward=terms.special_needs_ward,
        accepts_chronic=terms.accepts_chronic,
        severe_count=count("severe", "disease_count"),
        moderate_count=count("moderate", "disease_count"),
        moderate_ratio=ratio(by_kind.get("moderate", {}), "payout_ratio"),
        mild_count=count("mild", "disease_count"),
        mild_ratio=ratio(by_kind.get("mild", {}), "payout_ratio"),
        max_severe_payouts=count("severe", "max_payouts"),
        premium_waiver=terms.premium_waiver,
        coverage_end_age=terms.coverage_end_age,
        accident_medical_limit_fen=int(by_kind.get("accidental_medical", {}).get("annual_limit_fen") or 0),
    )


def insurer_facts(insurer: InsurerIn) -> InsurerFacts:
    return InsurerFacts(
        code=insurer.code,
        risk_rating=insurer.risk_rating,
        service_rating=insurer.service_rating,
        core_solvency_pct=float(insurer.core_solvency_pct),
        comprehensive_solvency_pct=float(insurer.comprehensive_solvency_pct),
        complaints_per_10k=float(insurer.complaints_per_10k),
        settlement_days_median=float(insurer.settlement_days_median),
    )


def premium_table(product: ProductIn) -> PremiumTable:
    return PremiumTable(
        issue_age_min_days=product.issue_age_min_days,
        issue_age_max_years=product.issue_age_max_years,
        plans=tuple(PlanFacts(p.code, p.cover_fen, p.deductible_fen) for p in product.plans),
        bands=tuple(
            PremiumBand(t.plan, t.payment_years, t.sex, t.social_insurance, lo, hi, fen)
            for t in product.premiums
            for lo, hi, fen in t.bands
        ),
    )


def product_facts(product: ProductIn, insurer: InsurerIn) -> ProductFacts:
    """The engine's view of a YAML product (typed ``ProductFacts``)."""
    return ProductFacts(
        code=product.code,
        category=product.category,
        insurer=insurer_facts(insurer),
        table=premium_table(product),
        max_renewal_age=product.max_renewal_age,
        renewal_kind=product.renewal.kind,
        guaranteed_years=product.renewal.guaranteed_years,
        premium_adjustable=product.renewal.premium_adjustable,
        waiting_days=product.waiting_days,
        occupation_max_class=max(product.occupation_classes),
        services=frozenset(product.services),
        coverage=coverage_facts(
            category=product.category,
            benefits=[b.model_dump() for b in product.benefits],
            deductible_groups={g.code: (g.amount_fen, g.scope) for g in product.deductible_groups},
            terms=product.terms,
        ),
    )
