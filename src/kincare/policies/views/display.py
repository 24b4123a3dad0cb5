"""How the policies pages word things: an underwriting decision in plain Chinese, periods, windows.

Presentation only (no writes, no permission decisions beyond choosing what to print).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.families.conditions import condition_label
from kincare.policies.services import cooling_off_last_day
from kincare.underwriting.models import UnderwritingDecision

#: the questionnaire can be (re)answered while the application is in one of these states
ANSWERABLE = ("underwriting", "manual_review", "ready", "payment_expired")
#: the pay button shows in these states
PAYABLE = ("ready", "payment_expired")


def exclusion_text(exclusion: dict[str, Any]) -> str:
    description = str(exclusion.get("description") or "").strip()
    if not description:
        description = "、".join(exclusion.get("icd10") or ()) or _("部分疾病")
    return description if description.endswith("除外") else _("%(what)s除外") % {"what": description}


def decision_summary(decision: UnderwritingDecision | None, *, detailed: bool) -> dict[str, Any]:
    """``{"outcome", "headline", "terms", "reasons", "tone"}`` for one insured's decision.

    ``detailed`` adds what is health data (exclusions and each condition's reason); without
    it the page says only the kind of decision and the loading that prices the premium.
    """
    if decision is None:
        return {"outcome": "", "headline": _("待健康告知"), "terms": [], "reasons": [], "tone": "muted"}
    if decision.status == UnderwritingDecision.Status.WITHDRAWN:
        return {"outcome": "withdrawn", "headline": _("已撤回"), "terms": [], "reasons": [], "tone": "muted"}
    if decision.status == UnderwritingDecision.Status.PENDING or decision.outcome == "manual":
        return {
            "outcome": "manual",
            "headline": _("已转人工核保，结果将通知您"),
            "terms": [],
            "reasons": _condition_reasons(decision, ("manual",)) if detailed else [],
            "tone": "warn",
        }
    outcome = decision.outcome
    terms: list[str] = []
    if decision.loading_pct:
        terms.append(_("加费 %(pct)s%%") % {"pct": decision.loading_pct})
    if detailed:
        terms += [exclusion_text(e) for e in decision.exclusions or []]
    if outcome == "standard":
        headline, tone = _("标准体承保"), "ok"
    elif outcome == "conditional":
        headline, tone = _("有条件承保"), "ok"
    elif outcome == "postpone":
        headline, tone = _("延期 %(n)s 个月后再投保") % {"n": decision.postpone_months}, "bad"
    else:
        headline, tone = _("拒保"), "bad"
    reasons: list[str] = []
    if detailed:
        wanted = ("loading", "exclusion") if outcome == "conditional" else (outcome,)
        if outcome == "decline" and not _condition_reasons(decision, ("decline",)):
            wanted = ("loading",)  # a total loading above the limit declines
        reasons = _condition_reasons(decision, wanted)
        if outcome == "decline" and "loading_over_limit" in (decision.reasons or []):
            reasons.append(_("多项加费合计超过 150%，无法承保"))
        if decision.decided_by == UnderwritingDecision.DecidedBy.UNDERWRITER and decision.underwriter_note:
            reasons.append(_("核保意见：%(note)s") % {"note": decision.underwriter_note})
    return {"outcome": outcome, "headline": headline, "terms": terms, "reasons": reasons, "tone": tone}


def _condition_reasons(decision: UnderwritingDecision, outcomes: tuple[str, ...]) -> list[str]:
    rows = (decision.engine_result or {}).get("conditions") or []
    reasons = []
    for row in rows:
        if row.get("outcome") not in outcomes:
            continue
        message = str(row.get("message") or "").strip() or _("需要进一步审核")
        reasons.append(f"{condition_label(str(row.get('code', '')))}：{message}")
    return reasons


def within_cooling_off(policy: Any) -> bool:
    """Whether the cancel button shows (the service decides when it is pressed)."""
    last_day = cooling_off_last_day(policy)
    return policy.status == "active" and last_day is not None and timezone.localdate() <= last_day


def waiting_period_ends(policy: Any) -> dt.date | None:
    if policy.first_effective_on is None:
        return None
    return policy.first_effective_on + dt.timedelta(days=policy.product.waiting_days)


def status_label(model: Any, value: str) -> str:
    try:
        return str(model.Status(value).label)
    except ValueError:
        return value


def history(model: Any, changes: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": c.created_at,
            "from": status_label(model, c.from_status),
            "to": status_label(model, c.to_status),
            # services record codes ("answers", "premium paid"); people's own words are shown
            "reason": c.reason if not c.reason.isascii() else "",
        }
        for c in changes
    ]
