"""What every policies page needs: the user's family and own member, 404 for what they may not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from kincare.core.errors import DomainError, NotFound
from kincare.families import selectors as family_selectors
from kincare.families.models import Family, Member
from kincare.policies import selectors
from kincare.policies.models import Application, Policy
from kincare.policies.policies import application_policy, may_insure, policy_policy


@dataclass(frozen=True)
class Household:
    user: Any
    family: Family
    me: Member | None
    is_guardian: bool
    members: list[Member]  # current members, living or not, in roster order

    @property
    def living(self) -> list[Member]:
        return [m for m in self.members if m.deceased_on is None]

    @property
    def insurable(self) -> list[Member]:
        """Who the user may name as insured: the guardian anyone living, another adult themselves."""
        return [m for m in self.living if may_insure(self.user, m)]


def household(request: HttpRequest) -> Household | None:
    family = family_selectors.family_get_for_user(request.user)
    if family is None:
        return None
    views = family_selectors.member_list(user=request.user, family=family)
    me = next((v.member for v in views if v.is_viewer), None)
    return Household(
        user=request.user,
        family=family,
        me=me,
        is_guardian=family.guardian_id == request.user.pk,
        members=[v.member for v in views],
    )


def application_or_404(request: HttpRequest, application_id: int) -> Application:
    try:
        return selectors.application_get(user=request.user, application_id=application_id)
    except NotFound:
        raise Http404 from None


def policy_or_404(request: HttpRequest, policy_id: int) -> Policy:
    try:
        return selectors.policy_get(user=request.user, policy_id=policy_id)
    except NotFound:
        raise Http404 from None


def raise_404_for(exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        raise Http404 from None


def is_policyholder(request: HttpRequest, application: Application | Policy) -> bool:
    return application.policyholder.user_id is not None and application.policyholder.user_id == request.user.pk


def may_act(request: HttpRequest, application: Application) -> bool:
    """Answer, set beneficiaries, pay: the policyholder's own account."""
    return application_policy.can(request.user, "act", application)


def may_cancel(request: HttpRequest, policy: Policy) -> bool:
    return policy_policy.can(request.user, "cancel", policy)
