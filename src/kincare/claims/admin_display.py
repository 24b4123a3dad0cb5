"""What the adjusters' case page shows of a claim, in Chinese: facts, documents, flags, proposal, history.

Pure presentation over rows already read through ``claim_for_staff`` (which audits the read);
every label, reason and explanation line is worded by ``claims.presentation`` (the members'
pages' wording; risk flags, which members never see, in ``adjuster_line_text``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from kincare.claims.models import Claim, ClaimDocument, ClaimReview
from kincare.claims.presentation import (
    FLAG_LABELS,
    NOT_COVERED_CATEGORIES,
    adjuster_line_text,
    benefit_label,
    claim_reasons,
    decision_label,
    flag_label,
    flag_reason,
    hospital_level_label,
    item_category_label,
    review_reason_label,
    severity_label,
)
from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.core.dates import age_on
from kincare.core.fsm import status_history
from kincare.core.pii import mask_name

__all__ = ["FLAG_LABELS", "case_context", "flag_label", "review_reason_label"]


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
    return benefit_label(claim.benefit)


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
            "level": hospital_level_label(snapshot.get("level")),
            "public": _("公立") if snapshot.get("public") else _("民营"),
            "watchlist": bool(directory and directory.watchlist),
        },
        "severity_label": severity_label(claim.severity) if claim.severity else "",
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
            "decision": decision_label(str(result.get("decision") or "")),
            "benefit": _benefit_label(claim),
            "reasons": claim_reasons(claim),
            "lines": [adjuster_line_text(line, claim, duplicates) for line in lines],
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
