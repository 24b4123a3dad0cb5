"""API schemas for the family protection plan (amounts in integer fen)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, StrictBool

from kincare.core.errors import ValidationFailed
from kincare.core.money import MAX_FEN
from kincare.planning.selectors import PlanView


def budget_checked(value: object) -> int:
    """A family budget in fen (0 … 10^13), or ValidationFailed with the budget's own codes.

    The one check of a budget: the API schema and the page's yuan field both end here, so the
    services take a plain ``int``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("预算应为整数（分）"), code="budget_invalid", field="budget_fen")
    if value < 0 or value > MAX_FEN:
        raise ValidationFailed(_("预算应在 0 到 1000 亿元之间"), code="budget_out_of_range", field="budget_fen")
    return value


#: a domain error (not a ValueError) leaves pydantic as it is: the API answers the budget's code
BudgetFen = Annotated[int, BeforeValidator(budget_checked)]


class PlanRequest(Schema):
    #: absent: keep the family's budget; null: back to the default (8% of household income)
    budget_fen: BudgetFen | None = None
    #: true: compute and return the plan without storing it or changing the family's budget
    preview: StrictBool = False


class CategoryOut(Schema):
    need_fen: int
    existing_fen: int
    gap_fen: int
    cover_after_fen: int
    gap_after_fen: int


class MemberPlanOut(Schema):
    member_id: int
    name: str
    role: str
    age: int
    categories: dict[str, CategoryOut]


class ItemOut(Schema):
    member_id: int
    category: str
    product_code: str
    product_name: str
    plan: str
    plan_name: str
    sum_insured_fen: int
    premium_fen: int
    payment_years: int


class PlanOut(Schema):
    family_id: int
    plan_id: int | None
    computed_at: dt.datetime | None
    trigger: list[str]
    stored: bool
    budget_fen: int
    budget_is_default: bool
    total_premium_fen: int
    objective: float
    premium_to_close_all_gaps_fen: int
    items: list[ItemOut]
    members: list[MemberPlanOut]
    explanation: list[str]
    changes: list[str]

    @classmethod
    def build(cls, view: PlanView) -> PlanOut:
        return cls(
            family_id=view.family.pk,
            plan_id=view.plan.pk if view.plan else None,
            computed_at=view.plan.created_at if view.plan else None,
            trigger=view.trigger_labels,
            stored=view.plan is not None,
            budget_fen=view.budget_fen,
            budget_is_default=view.budget_is_default,
            total_premium_fen=view.total_premium_fen,
            objective=view.objective,
            premium_to_close_all_gaps_fen=view.premium_to_close_all_gaps_fen,
            items=[ItemOut(**{k: getattr(i, k) for k in ItemOut.model_fields}) for i in view.items],
            members=[
                MemberPlanOut(
                    member_id=m.member_id,
                    name=m.name,
                    role=m.role,
                    age=m.age,
                    categories={
                        c.category: CategoryOut(
                            need_fen=c.need_fen,
                            existing_fen=c.existing_fen,
                            gap_fen=c.gap_fen,
                            cover_after_fen=c.cover_after_fen,
                            gap_after_fen=c.gap_after_fen,
                        )
                        for c in m.categories
                    },
                )
                for m in view.members
            ],
            explanation=view.explanation,
            changes=view.changes,
        )
