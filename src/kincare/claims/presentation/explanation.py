"""The explanation of benefits of one claim: its headline, lines and reasons, in words.

Every number comes from the engine's stored result (``Claim.engine_result``) or from the claim
itself. Risk flags are never spelled out to the family (an adjuster reads them): a flagged claim
says only that it needs a manual review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims.models import Claim
from kincare.claims.presentation.lines import Line, explained_line
from kincare.claims.presentation.reasons import MANUAL_REVIEW_SENTENCE, reason_sentence

STATUS_HEADLINES: dict[str, Any] = {
    "submitted": gettext_lazy("已提交，正在理算"),
    "manual_review": gettext_lazy("需人工审核"),
    "awaiting_second_approval": gettext_lazy("需人工审核"),
    "approved": gettext_lazy("已核准，等待赔款到账"),
    "rejected": gettext_lazy("未予赔付"),
    "paid": gettext_lazy("已赔付"),
    "withdrawn": gettext_lazy("已撤回"),
}
STATUS_TONES = {"paid": "ok", "approved": "ok", "rejected": "bad", "withdrawn": "muted"}


@dataclass
class Explanation:
    headline: str
    tone: str
    lines: list[Line]
    reasons: list[str]
    payout_fen: int
    proposed_payout_fen: int
    review: bool


def claim_reasons(claim: Claim) -> list[str]:
    """The claim's reason codes in sentences (with the numbers of their rejection lines), once each."""
    raw_lines = [raw for raw in (claim.engine_result or {}).get("lines") or [] if isinstance(raw, dict)]
    details = {str(raw.get("reason")): raw for raw in raw_lines if raw.get("code") == "rejected"}
    reasons: list[str] = []
    for code in claim.reasons or []:
        sentence = reason_sentence(str(code), details.get(str(code)))
        if sentence not in reasons:
            reasons.append(sentence)
    return reasons


def explain(claim: Claim) -> Explanation:
    """The claim's explanation of benefits, its decision and reasons, in words."""
    result: dict[str, Any] = claim.engine_result or {}
    raw_lines = [raw for raw in result.get("lines") or [] if isinstance(raw, dict)]
    lines = [line for line in (explained_line(raw) for raw in raw_lines) if line is not None]
    reasons = claim_reasons(claim)
    review = claim.status in (Claim.Status.MANUAL_REVIEW, Claim.Status.AWAITING_SECOND_APPROVAL)
    if review:
        for line in lines:
            if line.code == "payout":
                line.text = _("理算金额（以审核结果为准）")
    manual = str(MANUAL_REVIEW_SENTENCE)
    if review and (claim.flags or not reasons) and manual not in reasons:
        reasons.append(manual)
    headline = str(STATUS_HEADLINES.get(claim.status, claim.get_status_display()))
    return Explanation(
        headline=headline,
        tone=STATUS_TONES.get(claim.status, "warn"),
        lines=lines,
        reasons=reasons,
        payout_fen=claim.payout_fen,
        proposed_payout_fen=claim.proposed_payout_fen,
        review=review,
    )
