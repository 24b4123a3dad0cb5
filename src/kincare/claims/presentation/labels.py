"""Claims' codes in a few words (one wording for the pages, the admin, the API and FHIR).

Benefits, severities, hospital levels, invoice categories, claim types, risk flags, decisions and
payout groups. The reason codes' sentences are in ``reasons``, the engine lines' in ``lines``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims import reference
from kincare.claims.engine import NOT_COVERED_CATEGORIES as ENGINE_NOT_COVERED
from kincare.claims.engine.shipped import shipped_groups
from kincare.claims.forms import item_label
from kincare.claims.models import ClaimType

#: invoice categories that are not covered (spec step 6)
NOT_COVERED_CATEGORIES = frozenset(ENGINE_NOT_COVERED)
#: items of these categories are listed as not covered, with why
NOT_COVERED_WHY: dict[str, Any] = {
    "non_medical": gettext_lazy("不属于医疗费用"),
    "cosmetic": gettext_lazy("美容整形费用属于责任免除"),
    "special_needs_surcharge": gettext_lazy("特需病房、国际部等附加费用不在保障范围内"),
}
BENEFIT_LABELS: dict[str, Any] = {
    "general": gettext_lazy("一般医疗保险金"),
    "serious_illness": gettext_lazy("重大疾病医疗保险金"),
    "special_outpatient": gettext_lazy("特殊门诊医疗保险金"),
    "outpatient_surgery": gettext_lazy("门诊手术医疗保险金"),
    "pre_post_outpatient": gettext_lazy("住院前后门急诊医疗保险金"),
    "accidental_medical": gettext_lazy("意外医疗保险金"),
    "accident_medical": gettext_lazy("意外医疗保险金"),
    "critical_illness": gettext_lazy("重大疾病保险金"),
    "severe": gettext_lazy("重大疾病保险金"),
    "moderate": gettext_lazy("中症疾病保险金"),
    "mild": gettext_lazy("轻症疾病保险金"),
}
SEVERITY_LABELS: dict[str, Any] = {
    "severe": gettext_lazy("重度（重疾）"),
    "moderate": gettext_lazy("中度（中症）"),
    "mild": gettext_lazy("轻度（轻症）"),
}
LEVEL_LABELS: dict[int, Any] = {1: gettext_lazy("一级"), 2: gettext_lazy("二级"), 3: gettext_lazy("三级")}
#: risk flags (claims.engine.risk): adjusters only, never shown to the family
FLAG_LABELS: dict[str, Any] = {
    "early_claim": gettext_lazy("等待期刚结束即出险"),
    "amount_unusual": gettext_lazy("金额明显高于该诊断的通常费用"),
    "duplicate_document": gettext_lazy("材料与其他案件重复"),
    "duplicate_invoice": gettext_lazy("发票号码与其他案件重复"),
    "hospital_watchlist": gettext_lazy("就诊医院在监控名单上"),
    "frequent_claims": gettext_lazy("近 90 天理赔频繁"),
}
#: the engine's decision (adjusters' console)
DECISION_LABELS: dict[str, Any] = {
    "approved": gettext_lazy("自动核准"),
    "manual_review": gettext_lazy("转人工审核"),
    "rejected": gettext_lazy("拒赔"),
}


def _label(table: dict[Any, Any], code: Any) -> str:
    label = table.get(code)
    return str(label) if label is not None else str(code)


def diagnosis_label(code: str) -> str:
    """``K35.8 急性阑尾炎`` (the code alone when it is not in the shipped list)."""
    found = reference.diagnosis_get(str(code))
    return f"{code} {found.name}" if found is not None else str(code)


def claim_type_label(code: str) -> str:
    try:
        return str(ClaimType(code).label)
    except ValueError:
        return code


def benefit_label(code: str) -> str:
    return _label(BENEFIT_LABELS, code)


def severity_label(code: str) -> str:
    return _label(SEVERITY_LABELS, code)


def flag_label(code: str) -> str:
    return _label(FLAG_LABELS, code)


def decision_label(code: str) -> str:
    return _label(DECISION_LABELS, code) if code else "—"


def item_category_label(code: str) -> str:
    """The invoice category in Chinese (the submission form's wording)."""
    return item_label(code)


def payout_group_label(code: Any) -> str:
    """A severe payout group's name (shipped data, in Chinese like the disease names)."""
    return shipped_groups().get(str(code), str(code))


def hospital_level_label(level: Any) -> str:
    label = LEVEL_LABELS.get(level) if isinstance(level, int) and not isinstance(level, bool) else None
    return str(label) if label is not None else _("未定级")
