"""Who may see and do what with family plans (one policy per model).

* A family's plan and its plan settings (the budget) are the family's: every current member
  and the guardian see them (``view``); any of them may ask for a new plan (``replan``); the
  budget is changed (``change``) by an adult member — the services check the age, the scope
  the family.
* Batch runs are the operators' (active staff); their partitions are the batch's own
  bookkeeping.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kincare.core.permissions import Policy as PermissionPolicy
from kincare.core.permissions import ServiceOnlyPolicy, StaffOnlyPolicy, is_active_user
from kincare.families.policies import in_my_families
from kincare.planning.models import FamilyPlan, PlanSettings, ReplanPartition, ReplanRun


class FamilyPlanPolicy(PermissionPolicy[FamilyPlan]):
    model = FamilyPlan

    def scope(self, user: Any, action: str) -> QuerySet[FamilyPlan]:
        if not is_active_user(user) or action not in ("view", "replan"):
            return FamilyPlan.objects.none()
        return FamilyPlan.objects.filter(in_my_families(user))


class PlanSettingsPolicy(PermissionPolicy[PlanSettings]):
    model = PlanSettings

    def scope(self, user: Any, action: str) -> QuerySet[PlanSettings]:
        if not is_active_user(user) or action not in ("view", "change"):
            return PlanSettings.objects.none()
        return PlanSettings.objects.filter(in_my_families(user))


class ReplanRunPolicy(StaffOnlyPolicy[ReplanRun]):
    model = ReplanRun


class ReplanPartitionPolicy(ServiceOnlyPolicy[ReplanPartition]):
    model = ReplanPartition


family_plan_policy = FamilyPlanPolicy()
plan_settings_policy = PlanSettingsPolicy()
replan_run_policy = ReplanRunPolicy()
replan_partition_policy = ReplanPartitionPolicy()
