"""The adjusters' decisions on claims the engine sent to a person.

Only staff holding the ``claims_adjuster`` role (or superusers) review. Every action writes a
``ClaimReview`` row and an audit event (the action, amount and reason code — never the note,
which may name the illness); status moves go through the state machine (history + audit).

* ``claim_review_approve`` — pays what the engine computes now: the engine runs again under the
  member's accumulator lock with the accumulators as they stand (other claims may have used the
  deductible or the limit since), and with the risk facts recomputed;
* ``claim_review_adjust`` — pays another amount, with a reason code (``ADJUST_REASONS``) and a
  note: 0 ≤ amount ≤ the bound, where the bound is the engine's base (the covered costs minus
  what social and other insurance paid: never more than the family paid itself) and no more
  than what is left of the benefit's annual limit (critical illness: the sum insured). The
  accumulators take the engine's deductible and the adjusted payout;
* approving (or adjusting to) more than ``settings.CLAIMS_SECOND_APPROVAL_ABOVE_FEN`` sends the
  claim to ``awaiting_second_approval``: ``claim_second_approve`` by another adjuster
  (``second_adjuster_required`` for the same one) runs the engine again and pays, or
  ``claim_second_return`` sends it back to ``manual_review`` with a note;
* ``claim_review_reject`` — with a reason code (``REJECT_REASONS``); the note is required for
  ``other``.

The console's forms parse the notes, reason codes and amounts (``claims.admin_forms``); these
services take them as they are.

A re-run that now rejects the claim (e.g. a critical illness already paid its maximum) or pays
another amount than the first adjuster approved is refused (``claim_not_payable``,
``proposal_changed``): reject it, or return it for a new review.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.claims.engine import Adjudication, adjudicate
from kincare.claims.facts import engine_request
from kincare.claims.models import Claim, ClaimReview
from kincare.claims.services.accumulators import LockedAccumulators, accumulators_lock
from kincare.claims.services.adjudication import claim_risk_facts, result_updates
from kincare.claims.services.common import ADJUSTER_ROLE, claim_notify
from kincare.claims.services.payout import claim_approve_and_pay
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition_path
from kincare.core.permissions import is_staff_with

__all__ = [
    "claim_review_adjust",
    "claim_review_approve",
    "claim_review_reject",
    "claim_second_approve",
    "claim_second_return",
    "payout_bound",
]

Status = Claim.Status
Action = ClaimReview.Action
FIRST_APPROVALS = (Action.APPROVE, Action.ADJUST)


def _require_adjuster(actor: Any) -> None:
    if not is_staff_with(actor, ADJUSTER_ROLE):
        raise PermissionDenied(_("只有理赔员可以审核理赔"), code="adjuster_required")


def _locked(claim: Claim, statuses: tuple[str, ...]) -> Claim:
    """The claim row, locked, in one of ``statuses`` (else ``claim_not_in_review``), with its policy,
    product and member read in the same query (only the claim's row is locked)."""
    try:
        locked = (
            Claim.objects.select_for_update(no_key=True, of=("self",))
            .select_related("policy__product__insurer", "policy__plan", "member__family")
            .get(pk=claim.pk)
        )
    except Claim.DoesNotExist:
        raise Conflict(_("找不到该理赔"), code="claim_not_in_review") from None
    if locked.status not in statuses:
        raise Conflict(_("该理赔当前不能执行此操作（可能已被他人处理）"), code="claim_not_in_review", field="claim")
    return locked


def _rerun(claim: Claim) -> tuple[LockedAccumulators, Adjudication]:
    """The engine again, under the accumulator lock, with today's accumulators and risk facts."""
    locked = accumulators_lock(claim.policy, claim.member)
    result = adjudicate(engine_request(claim, locked.before, claim_risk_facts(claim)))
    if result.rejected:
        raise Conflict(
            _("按当前的累计额度，该理赔已不能赔付，请拒赔或退回重新审核"), code="claim_not_payable", field="claim"
        )
    return locked, result


def payout_bound(result: Adjudication) -> int:
    """The most an adjuster may pay: the base (critical illness: the sum insured), within the limit left."""
    bound = result.base_fen
    for line in result.lines:
        if line.get("code") == "limit" and line.get("annual_limit_fen") is not None:
            bound = min(bound, int(line.get("limit_left_fen") or 0))
    return max(0, bound)


def _record(claim: Claim, *, actor: Any, action: str, amount_fen: int | None, reason_code: str, note: str) -> None:
    ClaimReview.objects.create(
        claim=claim, actor=actor, action=action, amount_fen=amount_fen, reason_code=reason_code, note=note
    )
    audit_record(
        actor=actor,
        action="claims.claim_reviewed",
        subject=claim,
        new={"action": action, "amount_fen": amount_fen, "reason_code": reason_code},
    )


def _engine_json(result: Adjudication, *, amount_fen: int, reason_code: str) -> dict[str, Any]:
    """The engine's answer; an adjusted payout adds an ``adjusted`` line for the explanation."""
    data = result.as_json()
    if amount_fen != result.payout_fen or reason_code:
        data["lines"].append(
            {
                "code": "adjusted",
                "reason_code": reason_code,
                "engine_amount_fen": result.payout_fen,
                "amount_fen": amount_fen,
            }
        )
        data["adjusted_payout_fen"] = amount_fen
    return data


def _decide(
    claim: Claim,
    *,
    actor: Any,
    locked: LockedAccumulators,
    result: Adjudication,
    amount_fen: int,
    action: str,
    reason_code: str = "",
) -> Claim:
    updates = result_updates(result, now=timezone.now())
    updates["engine_result"] = _engine_json(result, amount_fen=amount_fen, reason_code=reason_code)
    updates["proposed_payout_fen"] = amount_fen
    if action in FIRST_APPROVALS and amount_fen > settings.CLAIMS_SECOND_APPROVAL_ABOVE_FEN:
        transition_path(
            claim, path=[Status.AWAITING_SECOND_APPROVAL], actor=actor, reason=action, extra_updates=updates
        )
        return claim
    return claim_approve_and_pay(
        claim,
        locked=locked,
        accumulators_after=result.accumulators_after,
        benefit=result.benefit,
        amount_fen=amount_fen,
        actor=actor,
        decided_by=Claim.DecidedBy.ADJUSTER,
        reason=action,
        updates=updates,
    )


def claim_review_approve(*, actor: Any, claim: Claim, note: str = "") -> Claim:
    """Approve what the engine computes now (a second adjuster above the threshold)."""
    _require_adjuster(actor)
    with transaction.atomic():
        locked_claim = _locked(claim, (Status.MANUAL_REVIEW,))
        locked, result = _rerun(locked_claim)
        _record(
            locked_claim, actor=actor, action=Action.APPROVE, amount_fen=result.payout_fen, reason_code="", note=note
        )
        return _decide(
            locked_claim, actor=actor, locked=locked, result=result, amount_fen=result.payout_fen, action=Action.APPROVE
        )


def claim_review_adjust(*, actor: Any, claim: Claim, amount_fen: int, reason_code: str, note: str) -> Claim:
    """Approve another amount than the engine's, with a reason code and a note (the console's
    form parsed them: ``claims.admin_forms.adjust_terms``)."""
    _require_adjuster(actor)
    with transaction.atomic():
        locked_claim = _locked(claim, (Status.MANUAL_REVIEW,))
        locked, result = _rerun(locked_claim)
        bound = payout_bound(result)
        if amount_fen > bound:
            raise ValidationFailed(
                _("核定金额不能超过扣除社保和其他保险后的费用及剩余保额（%(bound)s 分）") % {"bound": bound},
                code="amount_above_bound",
                field="amount_fen",
            )
        _record(
            locked_claim, actor=actor, action=Action.ADJUST, amount_fen=amount_fen, reason_code=reason_code, note=note
        )
        return _decide(
            locked_claim,
            actor=actor,
            locked=locked,
            result=result,
            amount_fen=amount_fen,
            action=Action.ADJUST,
            reason_code=reason_code,
        )


def claim_review_reject(*, actor: Any, claim: Claim, reason_code: str, note: str = "") -> Claim:
    """Reject with a reason code from ``REJECT_REASONS`` (a note is required for ``other``; the
    console's form parsed them: ``claims.admin_forms.reject_terms``)."""
    _require_adjuster(actor)
    with transaction.atomic():
        locked_claim = _locked(claim, (Status.MANUAL_REVIEW, Status.AWAITING_SECOND_APPROVAL))
        _record(locked_claim, actor=actor, action=Action.REJECT, amount_fen=None, reason_code=reason_code, note=note)
        transition_path(
            locked_claim,
            path=[Status.REJECTED],
            actor=actor,
            reason=reason_code,
            extra_updates={
                "reasons": [reason_code],
                "decided_by": Claim.DecidedBy.ADJUSTER,
                "decided_at": timezone.now(),
                "proposed_payout_fen": 0,
            },
        )
        claim_notify(locked_claim, "rejected")
        return locked_claim


def claim_second_approve(*, actor: Any, claim: Claim, note: str = "") -> Claim:
    """The second adjuster's approval of a large payout: the engine runs again, then the claim is paid."""
    _require_adjuster(actor)
    with transaction.atomic():
        locked_claim = _locked(claim, (Status.AWAITING_SECOND_APPROVAL,))
        first = locked_claim.reviews.filter(action__in=FIRST_APPROVALS).order_by("-id").first()
        if first is None or first.amount_fen is None:
            raise Conflict(_("找不到首次核准记录"), code="claim_not_in_review", field="claim")
        if first.actor_id == actor.pk:
            raise PermissionDenied(_("您已做出首次核准，需由另一位理赔员复核"), code="second_adjuster_required")
        locked, result = _rerun(locked_claim)
        amount = int(first.amount_fen)
        changed = result.payout_fen != amount if first.action == Action.APPROVE else amount > payout_bound(result)
        if changed:
            raise Conflict(
                _("理算结果已变化（累计额度已被其他理赔使用），请退回重新审核"), code="proposal_changed", field="claim"
            )
        _record(locked_claim, actor=actor, action=Action.SECOND_APPROVE, amount_fen=amount, reason_code="", note=note)
        return _decide(
            locked_claim,
            actor=actor,
            locked=locked,
            result=result,
            amount_fen=amount,
            action=Action.SECOND_APPROVE,
            reason_code=first.reason_code if first.action == Action.ADJUST else "",
        )


def claim_second_return(*, actor: Any, claim: Claim, note: str) -> Claim:
    """Send a claim awaiting the second approval back to manual review (a note is required)."""
    _require_adjuster(actor)
    with transaction.atomic():
        locked_claim = _locked(claim, (Status.AWAITING_SECOND_APPROVAL,))
        _record(locked_claim, actor=actor, action=Action.SECOND_RETURN, amount_fen=None, reason_code="", note=note)
        transition_path(locked_claim, path=[Status.MANUAL_REVIEW], actor=actor, reason=Action.SECOND_RETURN)
        return locked_claim
