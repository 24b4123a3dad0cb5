"""What the adjusters' case page shows of a claim, in Chinese: facts, documents, flags, proposal, history.

Pure presentation over rows already read through ``claim_for_staff`` (which audits the read);
the explanation lines are written by the members' pages' ``line_text`` (one wording for both),
risk flags — which members never see — here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims.models import Claim, ClaimDocument, ClaimReview
from kincare.claims.presentation import reason_label
from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.claims.schemas import NOT_COVERED_CATEGORIES, item_category_label, line_text
from kincare.claims.services import ADJUST_REASONS, REJECT_REASONS
from kincare.core.dates import age_on
from kincare.core.fsm import status_history
from kincare.core.money import format_yuan_cn
from kincare.core.pii import mask_name

#: risk flags (claims.engine.risk) in Chinese
FLAG_LABELS: dict[str, Any] = {
    "early_claim": gettext_lazy("等待期刚结束即出险"),
    "amount_unusual": gettext_lazy("金额明显高于该诊断的通常费用"),
    "duplicate_document": gettext_lazy("材料与其他案件重复"),
    "duplicate_invoice": gettext_lazy("发票号码与其他案件重复"),
    "hospital_watchlist": gettext_lazy("就诊医院在监控名单上"),
    "frequent_claims": gettext_lazy("近 90 天理赔频繁"),
}
DECISION_LABELS: dict[str, Any] = {
    "approved": gettext_lazy("自动核准"),
    "manual_review": gettext_lazy("转人工审核"),
    "rejected": gettext_lazy("拒赔"),
}
SEVERITY_LABELS: dict[str, Any] = {
    "severe": gettext_lazy("重度"),
    "moderate": gettext_lazy("中度"),
    "mild": gettext_lazy("轻度"),
}
HOSPITAL_LEVELS: dict[int, Any] = {1: gettext_lazy("一级"), 2: gettext_lazy("二级"), 3: gettext_lazy("三级")}
BENEFIT_LABELS: dict[str, Any] = {
    "general": gettext_lazy("一般医疗保险金"),
    "serious_illness": gettext_lazy("重大疾病医疗保险金"),
    "special_outpatient": gettext_lazy("特殊门诊医疗保险金"),
    "outpatient_surgery": gettext_lazy("门诊手术医疗保险金"),
    "critical_illness": gettext_lazy("重大疾病保险金"),
    "accident_medical": gettext_lazy("意外医疗保险金"),
}


def flag_label(code: str) -> str:
    label = FLAG_LABELS.get(code)
    return str(label) if label is not None else code


def review_reason_label(code: str) -> str:
    """An adjuster's reason code (the services' lists) or an engine reason, in Chinese."""
    for table in (ADJUST_REASONS, REJECT_REASONS):
        if code in table:
            return str(table[code])
    return reason_label(code)


def _days(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def _fen(value: Any) -> str:
    return format_yuan_cn(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def flag_reason(code: str, line: dict[str, Any] | None, claim: Claim, extra: dict[str, Any]) -> str:
    """Why the flag was raised, with the engine's numbers (or the rows behind it)."""
    line = line or {}
    if code == "early_claim":
        return _("等待期结束后第 %(days)s 天出险（%(threshold)s 天内需人工审核）") % {
            "days": _days(line.get("days_since_waiting_end")),
            "threshold": _days(line.get("threshold_days")) if line else "30",
        }
    if code == "amount_unusual":
        return _("可报销费用 %(amount)s，超过该诊断通常费用 %(usual)s 的 %(factor)s 倍") % {
            "amount": _fen(line.get("amount_fen")),
            "usual": _fen(line.get("usual_cost_fen")),
            "factor": _days(line.get("factor")) if line else "3",
        }
    if code == "duplicate_document":
        others = "、".join(extra.get("document_claims") or []) or "—"
        return _("相同文件（SHA-256 一致）已用于理赔案件：%(claims)s") % {"claims": others}
    if code == "duplicate_invoice":
        others = "、".join(extra.get("invoice_claims") or []) or "—"
        return _("相同发票号码已用于理赔案件：%(claims)s") % {"claims": others}
    if code == "hospital_watchlist":
        name = (claim.hospital or {}).get("name") or claim.hospital_code
        return _("%(hospital)s 在理赔监控名单上") % {"hospital": name}
    if code == "frequent_claims":
        return _("近 90 天内已有 %(count)s 次理赔（超过 %(threshold)s 次需人工审核）") % {
            "count": _days(line.get("claims_last_90_days")),
            "threshold": _days(line.get("threshold")) if line else "3",
        }
    return ""


def explanation_text(line: dict[str, Any], claim: Claim, extra: dict[str, Any]) -> str:
    code = str(line.get("code", ""))
    if code == "risk_flag":
        flag = str(line.get("flag", ""))
        return _("风险提示：%(label)s。%(reason)s") % {
            "label": flag_label(flag),
            "reason": flag_reason(flag, line, claim, extra),
        }
    if code == "adjusted":
        text = _("理赔员核定赔付金额 %(amount)s（理算金额 %(engine)s）") % {
            "amount": _fen(line.get("amount_fen")),
            "engine": _fen(line.get("engine_amount_fen")),
        }
        reason = str(line.get("reason_code") or "")
        return text + (_("，原因：%(reason)s") % {"reason": review_reason_label(reason)} if reason else "")
    return line_text(line) or code


def _duplicates(claim: Claim, documents: list[ClaimDocument]) -> dict[str, Any]:
    """Other claims sharing a document hash (per document and overall) or an invoice number hash."""
    hashes = {d.sha256 for d in documents}
    by_hash: dict[str, list[str]] = defaultdict(list)
    for sha, number in (
        ClaimDocument.objects.filter(sha256__in=hashes)
        .exclude(claim=claim)
        .order_by("claim_id")
        .values_list("sha256", "claim__number")
    ):
        if number not in by_hash[sha]:
            by_hash[sha].append(number)
    invoice_claims: list[str] = []
    for invoice_hash in claim.invoice_hashes or []:
        found = (
            Claim.objects.annotate(hashes_text=Cast("invoice_hashes", TextField()))
            .filter(hashes_text__contains=f'"{invoice_hash}"')
            .exclude(pk=claim.pk)
            .values_list("number", flat=True)
        )
        invoice_claims.extend(n for n in found if n not in invoice_claims)
    document_claims = sorted({n for numbers in by_hash.values() for n in numbers})
    return {"by_hash": by_hash, "document_claims": document_claims, "invoice_claims": invoice_claims}


def _item_groups(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for item in items or []:
        category = str(item.get("category", ""))
        group = groups.setdefault(
            category,
            {
                "category": category,
                "label": item_category_label(category),
                "covered": category not in NOT_COVERED_CATEGORIES,
                "items": [],
                "subtotal_fen": 0,
            },
        )
        amount = item.get("amount_fen") if isinstance(item.get("amount_fen"), int) else 0
        group["items"].append({"description": str(item.get("description") or ""), "amount_fen": amount})
        group["subtotal_fen"] += amount
    return list(groups.values())


def _reviews(claim: Claim) -> list[dict[str, Any]]:
    rows = ClaimReview.objects.filter(claim=claim).select_related("actor").order_by("id")
    return [
        {
            "created_at": review.created_at,
            "actor": review.actor.display_name,
            "action": review.get_action_display(),
            "amount_fen": review.amount_fen,
            "reason": review_reason_label(review.reason_code) if review.reason_code else "",
            "note": review.note,
        }
        for review in rows
    ]


def _status_label(code: str) -> str:
    return str(Claim.Status(code).label) if code in Claim.Status.values else code


def _history(claim: Claim) -> list[dict[str, Any]]:
    return [
        {
            "created_at": change.created_at,
            "from": _status_label(change.from_status),
            "to": _status_label(change.to_status),
            "actor": change.actor.display_name if change.actor else _("系统"),
            "reason": change.reason,
        }
        for change in status_history(claim).select_related("actor")
    ]


def _benefit_label(claim: Claim) -> str:
    if not claim.benefit:
        return "—"
    benefit = claim.policy.product.benefits.filter(kind=claim.benefit).first()
    if benefit is not None:
        return benefit.label
    label = BENEFIT_LABELS.get(claim.benefit)
    return str(label) if label is not None else claim.benefit


def _related_stay(stay: Any) -> str:
    if not isinstance(stay, dict) or not stay:
        return ""
    return _("%(admission)s 入院，%(discharge)s 出院") % {
        "admission": stay.get("admission") or "—",
        "discharge": stay.get("discharge") or "—",
    }


def case_context(claim: Claim) -> dict[str, Any]:
    """Everything the case page shows (the caller has checked the role and audited the read)."""
    member = claim.member
    documents = list(ClaimDocument.objects.filter(claim=claim).order_by("id"))
    duplicates = _duplicates(claim, documents)
    result: dict[str, Any] = claim.engine_result or {}
    lines = [line for line in result.get("lines") or [] if isinstance(line, dict)]
    flag_lines = {str(line.get("flag")): line for line in lines if line.get("code") == "risk_flag"}
    snapshot = claim.hospital or {}
    directory = hospital_get(claim.hospital_code)
    service_on: dt.date = claim.service_start
    return {
        "claim": claim,
        "member_name": mask_name(member.name),
        "member_sex": member.get_sex_display(),
        "member_age": age_on(member.birth_date, service_on),
        "policy": claim.policy,
        "product_name": claim.policy.product.name,
        "plan_name": claim.policy.plan.name if claim.policy.plan_id else "",
        "hospital": {
            "name": snapshot.get("name") or claim.hospital_code,
            "code": claim.hospital_code,
            "city": snapshot.get("city") or "",
            "level": str(HOSPITAL_LEVELS.get(int(snapshot.get("level") or 0), "—")),
            "public": _("公立") if snapshot.get("public") else _("民营"),
            "watchlist": bool(directory and directory.watchlist),
        },
        "severity_label": str(SEVERITY_LABELS.get(claim.severity, "")) if claim.severity else "",
        "related_stay": _related_stay(claim.related_stay),
        "diagnoses": [
            {"code": str(code), "name": getattr(diagnosis_get(str(code)), "name", "") or _("（不在诊断目录中）")}
            for code in claim.diagnoses or []
        ],
        "item_groups": _item_groups(claim.items),
        "documents": [
            {
                "id": document.pk,
                "kind": document.get_kind_display(),
                "name": document.original_name or "—",
                "content_type": document.content_type,
                "size_kb": max(1, round(document.size / 1024)),
                "sha256": document.sha256,
                "duplicate_of": duplicates["by_hash"].get(document.sha256, []),
            }
            for document in documents
        ],
        "flags": [
            {
                "code": code,
                "label": flag_label(code),
                "reason": flag_reason(code, flag_lines.get(code), claim, duplicates),
            }
            for code in claim.flags or []
        ],
        "engine": {
            "present": bool(result),
            "decision": str(DECISION_LABELS.get(result.get("decision", ""), result.get("decision") or "—")),
            "benefit": _benefit_label(claim),
            "reasons": [review_reason_label(str(code)) for code in claim.reasons or []],
            "lines": [explanation_text(line, claim, duplicates) for line in lines],
            "covered_fen": result.get("covered_fen"),
            "not_covered_fen": result.get("not_covered_fen"),
            "base_fen": result.get("base_fen"),
            "deductible_applied_fen": result.get("deductible_applied_fen"),
            "ratio": result.get("ratio"),
            "payout_fen": result.get("payout_fen"),
        },
        "reviews": _reviews(claim),
        "history": _history(claim),
    }
