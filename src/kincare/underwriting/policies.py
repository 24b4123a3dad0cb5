"""Who may see and do what with underwriting (one policy per model).

* Rule sets (the underwriting tables) are the underwriters' (staff in the ``underwriter``
  role); they are activated through the admin.
* A decision is the insured member's health data: the underwriters see and decide every one
  (``review``, each read audited by the selectors); in a family, a decision is seen (``view``)
  by whoever may read the insured member's health data (``families.policies``: the member, the
  guardian for a minor, a grantee — with active consent). Families see the terms through
  their application and policy, which ``policies.policies`` shows to the policyholder too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kincare.core.permissions import Policy, StaffOnlyPolicy, is_staff_with
from kincare.families.policies import member_policy
from kincare.underwriting.models import RuleSet, UnderwritingDecision

UNDERWRITER_ROLE = "underwriter"


class RuleSetPolicy(StaffOnlyPolicy[RuleSet]):
    model = RuleSet
    roles = (UNDERWRITER_ROLE,)


class UnderwritingDecisionPolicy(Policy[UnderwritingDecision]):
    model = UnderwritingDecision

    def scope(self, user: Any, action: str) -> QuerySet[UnderwritingDecision]:
        if action == "review" and is_staff_with(user, UNDERWRITER_ROLE):
            return UnderwritingDecision.objects.all()
        if action == "view":
            return UnderwritingDecision.objects.filter(member__in=member_policy.scope(user, "read_health"))
        return UnderwritingDecision.objects.none()


rule_set_policy = RuleSetPolicy()
decision_policy = UnderwritingDecisionPolicy()
