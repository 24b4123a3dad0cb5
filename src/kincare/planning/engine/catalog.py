"""The catalog as the planner reads it: products of the four categories, indexed for speed.

Built once per catalog version (from the YAML files for the CLI and the bench, from the
database for the web and the batch) and shipped to Dask workers as one pickled object. The
underwriting decisions it makes are memoised per (questionnaire, declared conditions, age,
sex, date): families with the same declarations share them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from kincare.planning.engine.model import CATEGORIES, CatalogProduct
from kincare.underwriting.engine import Applicant, Decision, DeclaredCondition, RuleBook, underwrite

#: (product code, plan, sex, social insurance, age) → (annual premium fen, payment years)
PremiumKey = tuple[str, str, str, bool, int]
UNDERWRITING_MEMO = 50_000


class PlanningCatalog:
    def __init__(
        self, products: Iterable[CatalogProduct], rulebooks: Mapping[str, RuleBook], *, version: str = ""
    ) -> None:
        self.products = tuple(sorted((p for p in products if p.category in CATEGORIES), key=lambda p: p.code))
        self.rulebooks = dict(rulebooks)
        self.version = version
        self.by_category: dict[str, tuple[CatalogProduct, ...]] = {
            c: tuple(p for p in self.products if p.category == c) for c in CATEGORIES
        }
        self.premiums = _premium_index(self.products)
        self._memo: OrderedDict[tuple[Any, ...], Decision] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        # the memo is a cache: each process builds its own
        state = dict(self.__dict__)
        state["_memo"] = OrderedDict()
        return state

    def premium(
        self, product: CatalogProduct, plan: str, *, sex: str, social: bool, age: int
    ) -> tuple[int, int] | None:
        """The annual premium at this age and the payment term it assumes (the longest offered)."""
        return self.premiums.get((product.code, plan, sex, social, age))

    def decide(
        self, questionnaire: str | None, conditions: tuple[DeclaredCondition, ...], *, age: int, sex: str, on: dt.date
    ) -> Decision:
        """The underwriting decision for these declarations (memoised); none declared → standard."""
        if not conditions or not questionnaire:
            return Decision(outcome="standard")
        book = self.rulebooks.get(questionnaire)
        if book is None:
            # a product whose questionnaire has no rules cannot be decided automatically
            return Decision(outcome="manual", reasons=("no_rules",))
        key = (questionnaire, _conditions_key(conditions), age, sex, on)
        decision = self._memo.get(key)
        if decision is None:
            decision = underwrite(book, Applicant(conditions=conditions, age=age, sex=sex), on_date=on, trace=False)
            self._memo[key] = decision
            if len(self._memo) > UNDERWRITING_MEMO:
                self._memo.popitem(last=False)
        return decision


def _conditions_key(conditions: tuple[DeclaredCondition, ...]) -> str:
    return json.dumps([c.as_json() for c in conditions], sort_keys=True, ensure_ascii=False)


def _premium_index(products: tuple[CatalogProduct, ...]) -> dict[PremiumKey, tuple[int, int]]:
    """Every (product, plan, sex, social insurance, age) priced at its longest payment term.

    The budget is an annual one, so the plan prices cover at the lowest annual outlay the
    table offers at that age (the longest payment term; ties: the lower premium).
    """
    index: dict[PremiumKey, tuple[int, int]] = {}
    for product in products:
        for band in product.table.bands:
            for age in range(band.age_min, min(band.age_max, 130) + 1):
                key = (product.code, band.plan, band.sex, band.social_insurance, age)
                current = index.get(key)
                candidate = (band.annual_premium_fen, band.payment_years)
                if current is None or (candidate[1], -candidate[0]) > (current[1], -current[0]):
                    index[key] = candidate
    return index
