"""The pure core of family protection planning (no ORM, no I/O beyond what callers hand in).

``plan_family(family, catalog)`` turns one family (``FamilyIn``) into a ``PlanResult``: each
member's needs, existing cover and gaps, the options the catalog and underwriting allow, the
optimal choice within the budget (OR-Tools CP-SAT), and explanation notes. The same function
runs in a web request, in ``kincare plan`` on JSON lines and on Dask workers in
``kincare replan-all``. See ``../shared/spec/planning.md`` and ``docs/decisions.md``.
"""

from kincare.planning.engine.catalog import PlanningCatalog
from kincare.planning.engine.explain import CATEGORY_LABELS, ROLE_LABELS, render_note
from kincare.planning.engine.model import (
    CATEGORIES,
    CatalogPlan,
    CatalogProduct,
    CategoryResult,
    ExistingCover,
    FamilyIn,
    Finances,
    MemberIn,
    MemberResult,
    NeedRules,
    Note,
    Option,
    PlanResult,
)
from kincare.planning.engine.parse import family_json, parse_family
from kincare.planning.engine.plan import default_budget_fen, plan_family
from kincare.planning.engine.solve import SolverFailed

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "ROLE_LABELS",
    "CatalogPlan",
    "CatalogProduct",
    "CategoryResult",
    "ExistingCover",
    "FamilyIn",
    "Finances",
    "MemberIn",
    "MemberResult",
    "NeedRules",
    "Note",
    "Option",
    "PlanResult",
    "PlanningCatalog",
    "SolverFailed",
    "default_budget_fen",
    "family_json",
    "parse_family",
    "plan_family",
    "render_note",
]
