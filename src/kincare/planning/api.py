"""/api/v1/families/{id}/plan: the family's protection plan (404 to outsiders)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from kincare.families.selectors import family_get
from kincare.planning import selectors, services
from kincare.planning.schemas import PlanOut, PlanRequest

router = Router(tags=["planning"])


@router.get("/{int:family_id}/plan", response=PlanOut)
def plan_get(request: HttpRequest, family_id: int) -> PlanOut:
    """The family's current plan (computed the first time it is asked for)."""
    family = family_get(user=request.user, family_id=family_id)
    plan = services.family_plan_ensure(actor=request.user, family=family)
    return PlanOut.build(selectors.plan_view(user=request.user, family=family, plan=plan))


@router.post("/{int:family_id}/plan", response=PlanOut)
def plan_recompute(request: HttpRequest, family_id: int, payload: PlanRequest) -> PlanOut:
    """Re-plan now. ``budget_fen`` sets the family's budget (null: the default); ``preview``
    computes with that budget without storing anything."""
    family = family_get(user=request.user, family_id=family_id)
    given = "budget_fen" in payload.model_fields_set
    if payload.preview:
        _inputs, result = services.family_plan_preview(
            actor=request.user, family=family, budget_fen=payload.budget_fen if given else None
        )
        return PlanOut.build(selectors.plan_view(user=request.user, family=family, preview=result.as_json()))
    if given:
        plan = services.family_budget_set(actor=request.user, family=family, budget_fen=payload.budget_fen)
    else:
        plan = services.family_replan_by(actor=request.user, family=family)
    return PlanOut.build(selectors.plan_view(user=request.user, family=family, plan=plan))
