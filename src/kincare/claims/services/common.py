"""Shared by the claims services: claim numbers, the family's notifications, reason tables."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims.models import Claim
from kincare.claims.policies import ADJUSTER_ROLE
from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.policies.services.common import user_of

__all__ = [
    "ADJUSTER_ROLE",
    "ADJUST_REASONS",
    "REJECT_REASONS",
    "claim_notify",
    "new_claim_number",
]

#: claim numbers: CL + yyyymmdd + 10 characters without look-alikes (0/O, 1/I)
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

#: why an adjuster pays another amount than the engine proposed
ADJUST_REASONS = {
    "unreasonable_charges": gettext_lazy("部分费用不合理或不必要"),
    "documents_partial": gettext_lazy("部分费用缺少有效凭证"),
    "calculation_correction": gettext_lazy("理算更正"),
    "other_insurance_found": gettext_lazy("发现其他保险已赔付"),
    "other": gettext_lazy("其他原因"),
}
#: why an adjuster rejects a claim
REJECT_REASONS = {
    "documents_insufficient": gettext_lazy("理赔材料不足或无法核实"),
    "not_covered": gettext_lazy("不属于保险责任"),
    "excluded_condition": gettext_lazy("属于责任免除范围"),
    "pre_existing_condition": gettext_lazy("投保前已患疾病且未如实告知"),
    "fraud_suspected": gettext_lazy("存在欺诈嫌疑"),
    "duplicate_claim": gettext_lazy("重复理赔"),
    "other": gettext_lazy("其他原因"),
}


def new_claim_number(on: dt.date) -> str:
    """CL + yyyymmdd + 10 random characters (32¹⁰ ≈ 10¹⁵ a day: the unique index is the only check)."""
    return f"CL{on:%Y%m%d}" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(10))


def _recipients(claim: Claim) -> list[Any]:
    people = [claim.submitted_by]
    member = claim.member
    if member.user_id is not None and member.user_id != claim.submitted_by_id:
        insured = user_of(member)
        if insured is not None:
            people.append(insured)
    return [p for p in people if p is not None and p.is_active]


def claim_notify(claim: Claim, kind: str) -> None:
    """Tell the submitter and the insured (if they have an account) what became of the claim.

    No health details: the claim number, the product, the outcome and the payout amount only.
    Called once per status move (the move itself is a conditional update: it happens once).
    """
    product = claim.policy.product.name
    number = claim.number
    if kind == "paid":
        title = _("理赔 %(number)s 已赔付 %(amount)s") % {"number": number, "amount": format_yuan_cn(claim.payout_fen)}
        body = _("「%(product)s」理赔已核准，赔付金额 %(amount)s，明细见理赔详情。") % {
            "product": product,
            "amount": format_yuan_cn(claim.payout_fen),
        }
    elif kind == "approved":
        title = _("理赔 %(number)s 已处理") % {"number": number}
        body = _("「%(product)s」理赔已理算完毕，本次无赔付金额，原因见理赔详情。") % {"product": product}
    elif kind == "rejected":
        title = _("理赔 %(number)s 未能赔付") % {"number": number}
        body = _("「%(product)s」理赔未能赔付，原因见理赔详情。") % {"product": product}
    elif kind == "manual_review":
        title = _("理赔 %(number)s 已转人工审核") % {"number": number}
        body = _("「%(product)s」理赔需要理赔员审核，审核完成后会通知您。") % {"product": product}
    else:  # pragma: no cover - programming error
        raise ValueError(kind)
    for user in _recipients(claim):
        notify(
            recipient=user,
            kind=f"claims.{kind}",
            title=title,
            body=body,
            link=f"/claims/{claim.pk}/",
            family_id=claim.family_id,
        )
