"""Families for the engine tests, built as the CLI reads them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kincare.catalog.engine import PlanFacts, PremiumBand, PremiumTable
from kincare.planning.engine import (
    CatalogPlan,
    CatalogProduct,
    ExistingCover,
    FamilyIn,
    Finances,
    MemberIn,
    PlanningCatalog,
    parse_family,
)
from kincare.underwriting.engine import DeclaredCondition

AS_OF = dt.date(2026, 12, 1)
YUAN = 100


def born(age: int, *, month: int = 6, day: int = 1) -> dt.date:
    """Someone who is ``age`` on AS_OF (birthday in June)."""
    return dt.date(AS_OF.year - age, month, day)


def member(member_id: str, age: int, *, income_yuan: int = 0, sex: str = "M", **kwargs: Any) -> MemberIn:
    conditions = tuple(DeclaredCondition.parse(c) for c in kwargs.pop("conditions", ()))
    return MemberIn(
        member_id=member_id,
        birth_date=born(age),
        sex=sex,
        annual_income_fen=income_yuan * YUAN,
        conditions=conditions,
        **kwargs,
    )


def family(
    *members: MemberIn,
    budget_yuan: int | None = None,
    finances: Finances | None = None,
    existing: tuple[ExistingCover, ...] = (),
) -> FamilyIn:
    return FamilyIn(
        family_id="F",
        as_of=AS_OF,
        members=members,
        finances=finances or Finances(),
        existing=existing,
        budget_fen=None if budget_yuan is None else budget_yuan * YUAN,
    )


def the_four() -> FamilyIn:
    """The hand-worked family: a primary earner (38, 300,000 yuan), a non-earning spouse (36),
    a child of 9 and a senior of 66; expenses 120,000, debts 800,000, savings 200,000 a year."""
    return family(
        member("earner", 38, income_yuan=300_000),
        member("spouse", 36, sex="F"),
        member("child", 9),
        member("senior", 66, sex="F"),
        finances=Finances(annual_expenses_fen=120_000 * YUAN, debts_fen=800_000 * YUAN, savings_fen=200_000 * YUAN),
    )


def line(**overrides: Any) -> FamilyIn:
    """The CLI's JSON shape for one family, parsed."""
    data: dict[str, Any] = {
        "family_id": "F1",
        "as_of": AS_OF.isoformat(),
        "members": [{"member_id": "a", "birth_date": "1988-05-01", "sex": "M", "annual_income_fen": 20_000_000}],
    }
    data.update(overrides)
    return parse_family(data)


def flat_table(
    plans: tuple[CatalogPlan, ...], premium_fen: dict[str, int], *, ages: tuple[int, int] = (0, 100)
) -> PremiumTable:
    return PremiumTable(
        issue_age_min_days=0,
        issue_age_max_years=ages[1],
        plans=tuple(PlanFacts(p.code, p.cover_fen) for p in plans),
        bands=tuple(
            PremiumBand(p.code, 1, sex, social, ages[0], ages[1], premium_fen[p.code])
            for p in plans
            for sex in "MF"
            for social in (True, False)
        ),
    )


def toy_product(
    code: str, category: str, plans: dict[str, tuple[int, int]], *, score: str = "70", **kwargs: Any
) -> CatalogProduct:
    """A product with flat premiums: plans maps plan code → (cover yuan, premium yuan)."""
    catalog_plans = tuple(CatalogPlan(p, p, cover * YUAN) for p, (cover, _premium) in plans.items())
    ages = kwargs.pop("ages", (0, 100))
    return CatalogProduct(
        code=code,
        name=code,
        category=category,
        score=Decimal(score),
        selected=kwargs.pop("selected", True),
        on_sale=kwargs.pop("on_sale", True),
        issue_age_min_days=0,
        issue_age_max_years=ages[1],
        social_insurance_required=kwargs.pop("social_insurance_required", False),
        occupation_classes=frozenset(kwargs.pop("occupation_classes", (1, 2, 3, 4, 5, 6))),
        questionnaire=kwargs.pop("questionnaire", None),
        plans=catalog_plans,
        table=flat_table(catalog_plans, {p: premium * YUAN for p, (_cover, premium) in plans.items()}, ages=ages),
        **kwargs,
    )


def toy_catalog(*products: CatalogProduct, rulebooks: dict[str, Any] | None = None) -> PlanningCatalog:
    return PlanningCatalog(products, rulebooks or {}, version="toy")
