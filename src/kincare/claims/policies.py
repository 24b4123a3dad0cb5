"""Who may see and do what with claims (one permission policy; health data throughout).

A claim carries diagnoses and invoice items: it is the insured member's health data.

* ``view`` (the claim, its explanation and documents): the insured member's own account; whoever
  submitted it (they typed the details in); the guardian for a minor or for a member without an
  account of their own (the guardian acts for them); a member the insured gave an active
  ``HealthDataGrant``. Always within a family the user currently belongs to. Another adult of
  the family without a grant — the guardian included — does not learn the claim exists (404).
* ``add_documents``, ``withdraw``: ``view``, for the insured, the submitter or the guardian acting
  for them (a grantee reads, but does not act).
* Staff see claims only through ``selectors.claim_queue`` / ``claim_for_staff`` (adjuster role).

Submitting (``may_claim``): the insured member themselves (own account), the guardian for a minor
or for a member without an account, or the policyholder's own account.

A member's claim history as a whole (year-to-date amounts, as the expected payout uses them:
``reads_claims_of``): the ``view`` rule at member level — the member's own account, the guardian
acting for them, or a member holding their active grant (a submitter sees only what they submitted).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kincare.claims.models import Claim, ClaimAccumulator, ClaimDocument, ClaimReview
from kincare.core.permissions import Policy as PermissionPolicy
from kincare.core.permissions import ServiceOnlyPolicy, StaffOnlyPolicy, is_active_user
from kincare.families.engine import adult_cutoff, is_minor
from kincare.families.models import HealthDataGrant, Member
from kincare.families.policies import in_my_families
from kincare.policies.models import Policy

__all__ = [
    "ADJUSTER_ROLE",
    "ClaimAccumulatorPolicy",
    "ClaimDocumentPolicy",
    "ClaimPolicy",
    "ClaimReviewPolicy",
    "acts_for",
    "claim_accumulator_policy",
    "claim_document_policy",
    "claim_policy",
    "claim_review_policy",
    "may_claim",
    "reads_claims_of",
]


#: the staff role that adjudicates claims
ADJUSTER_ROLE = "claims_adjuster"


class ClaimPolicy(PermissionPolicy[Claim]):
    model = Claim

    def scope(self, user: Any, action: str) -> QuerySet[Claim]:
        if not is_active_user(user) or action not in ("view", "add_documents", "withdraw"):
            return Claim.objects.none()
        in_family = in_my_families(user)
        guardian_acts = Q(family__guardian=user) & (
            Q(member__birth_date__gt=adult_cutoff(timezone.localdate())) | Q(member__user__isnull=True)
        )
        mine = Q(member__user=user) | Q(submitted_by=user) | guardian_acts
        if action == "view":
            granted = Exists(
                HealthDataGrant.objects.filter(
                    grantor_id=OuterRef("member_id"),
                    family_id=OuterRef("family_id"),
                    grantee__user=user,
                    grantee__removed_at__isnull=True,
                    revoked_at__isnull=True,
                )
            )
            return Claim.objects.filter(in_family).filter(mine | granted)
        return Claim.objects.filter(in_family).filter(mine)


class ClaimDocumentPolicy(PermissionPolicy[ClaimDocument]):
    """A claim's documents go with the claim: seen (``view``) by whoever sees the claim, added by
    whoever may ``add_documents`` to it; adjusters read them through the staff selectors."""

    model = ClaimDocument

    def scope(self, user: Any, action: str) -> QuerySet[ClaimDocument]:
        claim_action = {"view": "view", "add": "add_documents"}.get(action)
        if claim_action is None:
            return ClaimDocument.objects.none()
        return ClaimDocument.objects.filter(claim__in=claim_policy.scope(user, claim_action))


class ClaimReviewPolicy(StaffOnlyPolicy[ClaimReview]):
    """Adjusters' decisions with their notes: the adjusters' (families read the outcome and the
    explanation on the claim itself)."""

    model = ClaimReview
    roles = (ADJUSTER_ROLE,)


class ClaimAccumulatorPolicy(ServiceOnlyPolicy[ClaimAccumulator]):
    """Year-to-date amounts kept by adjudication; a member's history as a whole is read only
    after ``reads_claims_of``."""

    model = ClaimAccumulator


claim_policy = ClaimPolicy()
claim_document_policy = ClaimDocumentPolicy()
claim_review_policy = ClaimReviewPolicy()
claim_accumulator_policy = ClaimAccumulatorPolicy()


def acts_for(user: Any, member: Member) -> bool:
    """The user is the member, or the guardian acting for a minor or a member without an account."""
    if not is_active_user(user) or member.removed_at is not None:
        return False
    if member.user_id == user.pk:
        return True
    if member.family.guardian_id != user.pk:
        return False
    return member.user_id is None or is_minor(member.birth_date, timezone.localdate())


def may_claim(user: Any, member: Member, policy: Policy) -> bool:
    """May ``user`` submit a claim for ``member`` on ``policy`` (the caller checked the policy is the member's)?"""
    if acts_for(user, member):
        return True
    holder = policy.policyholder
    return is_active_user(user) and holder.user_id == user.pk and holder.removed_at is None


def reads_claims_of(user: Any, member: Member) -> bool:
    """May ``user`` read ``member``'s claim history (own account, guardian acting for them, grantee)?"""
    if acts_for(user, member):
        return True
    return (
        is_active_user(user)
        and member.removed_at is None
        and HealthDataGrant.objects.filter(
            grantor=member,
            family_id=member.family_id,
            grantee__user=user,
            grantee__removed_at__isnull=True,
            revoked_at__isnull=True,
        ).exists()
    )
