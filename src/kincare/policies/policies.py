"""Who may see and do what with applications, policies and external policies.

* The family's wallet is the family's: every current member of a family sees its
  applications, policies and external policies (outsiders get 404 from ``require``).
* Only the policyholder (the member whose account applies) answers, pays for and changes an
  application.
* A cooling-off cancellation is the policyholder's (投保人) alone, as the insurance law has it:
  their own account cancels; the guardian acts for a policyholder only when that member has no
  account of their own (and is still in the family). The guardian never cancels another
  adult's own policy.
* An external policy (保单托管) is removed by the guardian, or by an adult for their own one.
* Underwriting terms are health data: the decision (outcome, conditions, reasons), the loading
  and the standard premium it multiplies, and the exclusions written on a policy are shown to
  the policyholder, the insured, or someone who may ``read_health`` the insured
  (``underwriting_visible``); other members see the premium only. Reading them for anyone but
  the insured is audited by the selectors.

Actions — applications: ``view``, ``act``; policies: ``view``, ``cancel``; external
policies: ``view``, ``remove``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kincare.core.permissions import Policy as PermissionPolicy
from kincare.core.permissions import is_active_user
from kincare.families.models import Member
from kincare.families.policies import in_my_families, member_policy
from kincare.policies.models import Application, ApplicationInsured, ExternalPolicy, Policy


class ApplicationPolicy(PermissionPolicy[Application]):
    model = Application

    def scope(self, user: Any, action: str) -> QuerySet[Application]:
        if not is_active_user(user):
            return Application.objects.none()
        family = Application.objects.filter(in_my_families(user))
        if action == "view":
            return family
        if action == "act":
            return family.filter(policyholder__user=user, policyholder__removed_at__isnull=True)
        return Application.objects.none()


class PolicyPolicy(PermissionPolicy[Policy]):
    model = Policy

    def scope(self, user: Any, action: str) -> QuerySet[Policy]:
        if not is_active_user(user):
            return Policy.objects.none()
        family = Policy.objects.filter(in_my_families(user))
        if action == "view":
            return family
        if action == "cancel":
            acts_for = Q(family__guardian=user, policyholder__user__isnull=True, policyholder__removed_at__isnull=True)
            return family.filter(Q(policyholder__user=user) | acts_for)
        return Policy.objects.none()


class ExternalPolicyPolicy(PermissionPolicy[ExternalPolicy]):
    model = ExternalPolicy

    def scope(self, user: Any, action: str) -> QuerySet[ExternalPolicy]:
        if not is_active_user(user):
            return ExternalPolicy.objects.none()
        family = ExternalPolicy.objects.filter(in_my_families(user), removed_at__isnull=True)
        if action == "view":
            return family
        if action == "remove":
            return family.filter(Q(family__guardian=user) | Q(insured__user=user))
        return ExternalPolicy.objects.none()


class ApplicationInsuredPolicy(PermissionPolicy[ApplicationInsured]):
    """An insured line goes with its application (``view``, ``act``); its underwriting terms are
    shown only where ``underwriting_visible`` allows."""

    model = ApplicationInsured

    def scope(self, user: Any, action: str) -> QuerySet[ApplicationInsured]:
        if action not in ("view", "act"):
            return ApplicationInsured.objects.none()
        return ApplicationInsured.objects.filter(application__in=application_policy.scope(user, action))


application_policy = ApplicationPolicy()
application_insured_policy = ApplicationInsuredPolicy()
policy_policy = PolicyPolicy()
external_policy_policy = ExternalPolicyPolicy()


def may_insure(user: Any, member: Member) -> bool:
    """The guardian may insure (or record cover for) any member of the family; an adult only themselves."""
    return is_active_user(user) and (member.family.guardian_id == user.pk or member.user_id == user.pk)


def underwriting_visible(user: Any, *, policyholder: Member, insured: Member) -> bool:
    """Who sees an insured member's underwriting terms: the policyholder's own account, the insured
    themselves, or whoever may read the insured's health data. (The caller checks the user may
    see the application or policy at all.)"""
    if not is_active_user(user):
        return False
    if user.pk in (policyholder.user_id, insured.user_id):
        return True
    return member_policy.can(user, "read_health", insured)


def policy_exclusions_visible(user: Any, policy: Policy) -> bool:
    """The insured, the policyholder, or whoever may read the insured's health data."""
    if not is_active_user(user) or not policy_policy.can(user, "view", policy):
        return False
    return underwriting_visible(user, policyholder=policy.policyholder, insured=policy.insured)
