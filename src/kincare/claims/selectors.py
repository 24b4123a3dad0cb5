"""Claims reads, scoped by the permission policy (``kincare.claims.policies``).

* ``claim_list(user=)`` / ``claim_get(user=, claim_id=)`` — the claims a member may see (the
  insured, the submitter, the guardian acting for a minor or a member without an account, a
  health-data grantee); anyone else, another adult of the family included, gets 404. A read of
  a claim's details by anyone but the insured member is audited (never what was read).
* ``claim_queue()`` / ``claim_for_staff(actor=, claim_id=)`` — the adjusters' view (role checked
  by ``claim_for_staff`` and by the callers of ``claim_queue``); each staff read is audited.
* ``expected_payout(member, diagnosis, cost_fen)`` — what the member's policies would pay for
  an inpatient stay (for crowdfunding's insurance declaration); nothing is stored. It reads the
  member's claim history and underwriting exclusions: the caller decides whether it may
  (``health_data=False`` leaves both out);
* ``expected_payout_for(user=, member=, diagnosis=, cost_fen=)`` — the same for a family member
  asking: with the member's history and exclusions only when the user may read the member's claims
  (``policies.reads_claims_of``; audited when the user is not the member), else from the policy
  terms alone (what the family wallet already shows every member).
* ``automation_rate(since=)`` — claims decided by the engine / all adjudicated claims.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.catalog.models import Category
from kincare.claims.engine import adjudicate
from kincare.claims.facts import policy_terms
from kincare.claims.models import Claim
from kincare.claims.policies import claim_policy, reads_claims_of
from kincare.claims.reference import diagnosis_get, hospitals
from kincare.claims.services.accumulators import accumulators_read
from kincare.claims.services.common import ADJUSTER_ROLE
from kincare.core.audit import audit_record
from kincare.core.errors import NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import status_history
from kincare.core.models import StatusChange
from kincare.core.permissions import is_staff_with
from kincare.families.models import Member, SocialInsurance
from kincare.policies.models import Policy

__all__ = [
    "QUEUE_STATUSES",
    "automation_rate",
    "claim_for_staff",
    "claim_get",
    "claim_history",
    "claim_list",
    "claim_queue",
    "expected_payout",
    "expected_payout_for",
]

QUEUE_STATUSES = (Claim.Status.MANUAL_REVIEW, Claim.Status.AWAITING_SECOND_APPROVAL)
#: statuses that count for the automation rate (adjudicated, not withdrawn)
ADJUDICATED = (
    Claim.Status.MANUAL_REVIEW,
    Claim.Status.AWAITING_SECOND_APPROVAL,
    Claim.Status.APPROVED,
    Claim.Status.REJECTED,
    Claim.Status.PAID,
)
MAX_ESTIMATE_FEN = 10**10


def _related(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    return qs.select_related("member", "policy", "policy__product", "policy__product__insurer", "family")


def claim_list(*, user: Any) -> QuerySet[Claim]:
    """The claims the user may see, newest first (list pages show no diagnosis or item)."""
    return _related(claim_policy.scope(user, "view")).order_by("-id")


def _claim_id(claim_id: object) -> int:
    if isinstance(claim_id, bool):
        raise NotFound(_("找不到该理赔"))
    try:
        value = int(str(claim_id))
    except (TypeError, ValueError):
        raise NotFound(_("找不到该理赔")) from None
    if value <= 0 or value > 2**63 - 1:
        raise NotFound(_("找不到该理赔"))
    return value


def claim_get(*, user: Any, claim_id: object) -> Claim:
    """One claim with its details, or 404; a read by anyone but the insured is audited."""
    pk = _claim_id(claim_id)
    claim = _related(claim_policy.scope(user, "view")).filter(pk=pk).first()
    if claim is None:
        raise NotFound(_("找不到该理赔"))
    if claim.member.user_id != user.pk:
        audit_record(actor=user, action="claims.claim_read", subject=claim, new={"reader": "family"})
    return claim


def claim_queue() -> QuerySet[Claim]:
    """Claims waiting for an adjuster, oldest first (staff only: callers check the role)."""
    return _related(Claim.objects.filter(status__in=QUEUE_STATUSES)).order_by("created_at", "id")


def claim_for_staff(*, actor: Any, claim_id: object) -> Claim:
    """One claim with everything an adjuster needs; every read is audited (not what was read)."""
    if not is_staff_with(actor, ADJUSTER_ROLE):
        raise PermissionDenied(_("只有理赔员可以查看理赔资料"), code="adjuster_required")
    pk = _claim_id(claim_id)
    claim = _related(Claim.objects.filter(pk=pk)).select_related("submitted_by").first()
    if claim is None:
        raise NotFound(_("找不到该理赔"))
    audit_record(actor=actor, action="claims.claim_read_by_staff", subject=claim)
    return claim


def claim_history(claim: Claim) -> QuerySet[StatusChange]:
    """The claim's status moves, oldest first (the caller has read the claim through a selector)."""
    return status_history(claim).order_by("created_at", "id")


def automation_rate(*, since: dt.datetime | None = None) -> dict[str, Any]:
    """Claims the engine decided (approved or rejected without a person) / all adjudicated claims.

    Claims still waiting for an adjuster count as not automated; withdrawn claims and claims
    not yet adjudicated do not count.
    """
    qs = Claim.objects.filter(status__in=ADJUDICATED)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    counts = qs.aggregate(total=Count("id"), engine=Count("id", filter=Q(decided_by=Claim.DecidedBy.ENGINE)))
    total, engine = counts["total"] or 0, counts["engine"] or 0
    return {"engine": engine, "total": total, "rate": (engine / total) if total else None}


def _reference_hospital() -> dict[str, Any]:
    """A level-3 public hospital not on the watch list (the estimate's assumption)."""
    for hospital in hospitals().values():
        if hospital.level == 3 and hospital.public and not hospital.watchlist:
            return {"level": 3, "public": True, "special_needs_ward": False, "code": hospital.code}
    return {"level": 3, "public": True, "special_needs_ward": False}


def expected_payout(member: Member, diagnosis: str, cost_fen: int, *, health_data: bool = True) -> int:
    """What the member's platform policies in force today would pay for an inpatient stay.

    For each active policy (medical: an inpatient claim of ``cost_fen`` of treatment at a
    level-3 public hospital, settled through social insurance when the member has it; critical
    illness: the diagnosis's severity; accident policies pay accidents only and are left out),
    the engine's payout with the member's current accumulators (read without locks), summed.
    ``cost_fen`` is taken as what is left to the family after social insurance. A policy in its
    waiting period, an excluded diagnosis or one a critical-illness policy does not cover adds 0.
    Nothing is stored. ``health_data=False``: as if nothing had been claimed yet and without the
    policies' underwriting exclusions (the member's health data), i.e. from the policy terms alone.
    No permission check: a family member's request goes through ``expected_payout_for``.
    """
    found = diagnosis_get(diagnosis) if isinstance(diagnosis, str) else None
    if found is None:
        raise ValidationFailed(_("请从诊断列表中选择诊断"), code="diagnosis_unknown", field="diagnosis")
    if isinstance(cost_fen, bool) or not isinstance(cost_fen, int) or not 0 < cost_fen <= MAX_ESTIMATE_FEN:
        raise ValidationFailed(_("费用必须是大于 0 的整数（分）"), code="amount_invalid", field="cost_fen")
    now = timezone.now()
    today = timezone.localdate()
    policies = (
        Policy.objects.filter(
            insured=member,
            family_id=member.family_id,
            status=Policy.Status.ACTIVE,
            number__isnull=False,
            effective_at__lte=now,
            ends_at__gt=now,
            product__category__in=(Category.MEDICAL, Category.CRITICAL_ILLNESS),
        )
        .select_related("product", "plan")
        .order_by("pk")
    )
    with_social = (member.social_insurance or SocialInsurance.NONE) != SocialInsurance.NONE
    hospital = _reference_hospital()
    total = 0
    for policy in policies:
        critical = policy.product.category == Category.CRITICAL_ILLNESS
        claim: dict[str, Any] = {
            "member_id": member.pk,
            "claim_type": "critical_illness" if critical else "inpatient",
            "service_start": today,
            "service_end": today,
            "diagnoses": [found.code],
            "hospital": hospital,
            "social_insurance_used": with_social,
            "items": [] if critical else [{"category": "treatment", "amount_fen": cost_fen}],
        }
        terms = policy_terms(policy)
        if not health_data and terms.exclusions:
            terms = terms.model_copy(update={"exclusions": ()})
        result = adjudicate(
            {
                "claim_id": f"estimate:{policy.pk}",
                "policy": terms,
                "accumulators": accumulators_read(policy, member) if health_data else {},
                "claim": claim,
            }
        )
        if not result.rejected:
            total += result.payout_fen
    return total


def expected_payout_for(*, user: Any, member: Member, diagnosis: str, cost_fen: int) -> tuple[int, bool]:
    """``(expected payout, whether the member's claim history was used)`` for a family member asking.

    The caller has checked the user may see the member (``families.selectors.member_get``). The
    member's year-to-date amounts and exclusions are health data: they count only for whoever may
    read the member's claims (themselves, the guardian acting for them, a grantee) — a read by
    anyone but the member is audited (the member, never the diagnosis). For another adult without a
    grant the estimate comes from the policy terms alone, so it cannot reveal a claim.
    """
    reads = reads_claims_of(user, member)
    payout = expected_payout(member, diagnosis, cost_fen, health_data=reads)
    if reads and member.user_id != user.pk:
        audit_record(actor=user, action="claims.expected_payout_read", subject=member, new={"reader": "family"})
    return payout, reads
