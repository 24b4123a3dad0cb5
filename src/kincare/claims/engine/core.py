"""``adjudicate(request)``: the shared checks, the category's calculation, the flags, the decision."""

from __future__ import annotations

from typing import Any

from kincare.claims.engine.checks import Rejection, first_covered_day, first_rejection
from kincare.claims.engine.critical import compute_critical
from kincare.claims.engine.medical import COVERED_CATEGORIES, compute_medical
from kincare.claims.engine.result import Adjudication, Computed
from kincare.claims.engine.risk import EARLY_CLAIM_DAYS, flag_line, risk_flags
from kincare.claims.engine.terms import Accumulators, ClaimRequest, RiskFacts, parse_request


def accumulators_json(acc: Accumulators, *, critical: bool = False) -> dict[str, Any]:
    """The accumulators as JSON; the critical-illness counts only where they matter or were given."""
    out: dict[str, Any] = {
        "deductible_used_fen": dict(acc.deductible_used_fen),
        "paid_fen": dict(acc.paid_fen),
    }
    if critical or acc.payouts or acc.last_payout_on:
        out["payouts"] = dict(acc.payouts)
        out["last_payout_on"] = {severity: day.isoformat() for severity, day in acc.last_payout_on.items()}
    if acc.groups_paid:
        out["groups_paid"] = list(acc.groups_paid)
    return out


#: the facts of a request without ``risk`` served long after the waiting period: none raises a flag
NOTHING_KNOWN = RiskFacts()


def risk_facts(request: ClaimRequest) -> RiskFacts:
    """The request's risk facts, with ``days_since_waiting_end`` computed from the policy when missing.

    A request without ``risk`` (a CLI line) still gets that one fact: how soon after the waiting
    period the claim came is known from the policy alone, so ``early_claim`` never depends on the
    caller; the other facts (duplicates, watch list, history) stay unknown (no flag).
    """
    facts = request.risk
    if facts is not None and facts.days_since_waiting_end is not None:
        return facts
    days = (request.claim.service_start - first_covered_day(request.policy)).days
    if facts is None:
        if days > EARLY_CLAIM_DAYS:
            return NOTHING_KNOWN  # the usual case: nothing to flag, nothing to build
        return RiskFacts.model_construct(days_since_waiting_end=days)  # every other field its default
    return facts.model_copy(update={"days_since_waiting_end": days})


def adjudicate(request: ClaimRequest | dict[str, Any]) -> Adjudication:
    """Decide one claim (spec steps 1–12); ``ClaimInputInvalid`` for input that does not validate."""
    req = parse_request(request)
    policy = req.policy
    critical = policy.category == "critical_illness"
    facts = risk_facts(req)

    outcome: Computed | Rejection | None = first_rejection(req)
    if outcome is None:
        outcome = compute_critical(req) if critical else compute_medical(req)

    if isinstance(outcome, Rejection):
        covered = sum(i.amount_fen for i in req.claim.items if i.category in COVERED_CATEGORIES)
        flags = risk_flags(facts, covered)
        lines = [outcome.line()]
        lines.extend(flag_line(flag, facts, covered) for flag in flags)
        return Adjudication(
            claim_id=req.claim_id,
            decision="rejected",
            reasons=(outcome.reason,),
            benefit=None,
            covered_fen=0,
            not_covered_fen=0,
            base_fen=0,
            deductible_applied_fen=0,
            ratio=None,
            payout_fen=0,
            accumulators_after=accumulators_json(req.accumulators, critical=critical),
            flags=tuple(flags),
            lines=tuple(lines),
            category=policy.category,
            severity=req.claim.severity,
        )

    # 12. the decision
    computed = outcome
    lines = computed.lines
    reasons = computed.reasons + computed.review_reasons
    review = bool(computed.review_reasons)
    if facts.documents == 0 and computed.payout_fen > 0:
        # nothing is paid on the submitter's word alone: an adjuster waits for the invoice
        review = True
        reasons.append("documents_missing")
    flags = risk_flags(facts, computed.covered_fen)
    if flags:
        review = True
        reasons.append("risk_flagged")
        lines.extend(flag_line(flag, facts, computed.covered_fen) for flag in flags)
    limit = policy.auto_approve_limit_fen
    if limit is not None and computed.payout_fen > limit:
        review = True
        reasons.append("above_auto_approve_limit")
        lines.append({"code": "auto_approve_limit", "limit_fen": limit, "amount_fen": computed.payout_fen})
    accumulators = computed.accumulators_after
    if not critical and (req.accumulators.payouts or req.accumulators.last_payout_on):
        unchanged = accumulators_json(req.accumulators)
        accumulators["payouts"] = unchanged["payouts"]
        accumulators["last_payout_on"] = unchanged["last_payout_on"]
    return Adjudication(
        claim_id=req.claim_id,
        decision="manual_review" if review else "approved",
        reasons=tuple(reasons),
        benefit=computed.benefit,
        covered_fen=computed.covered_fen,
        not_covered_fen=computed.not_covered_fen,
        base_fen=computed.base_fen,
        deductible_applied_fen=computed.deductible_applied_fen,
        ratio=computed.ratio,
        payout_fen=computed.payout_fen,
        accumulators_after=accumulators,
        flags=tuple(flags),
        lines=tuple(lines),
        category=policy.category,
        severity=computed.severity,
    )
