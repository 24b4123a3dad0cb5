"""How claims speak: reason codes in a few words, shared by the pages, the admin, the API and FHIR.

The longer page sentences (``views.explain.reason_sentence``) fall back to these labels.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

#: reason codes (the engine's, the adjusters') in a few words: the last fallback of the pages' sentences
#: (``views.explain.reason_sentence``), which the API and FHIR use
REASON_LABELS: dict[str, Any] = {
    "not_in_period": gettext_lazy("就诊日期不在保险期间内"),
    "not_accident": gettext_lazy("非意外导致，不属于意外医疗保障"),
    "waiting_period": gettext_lazy("就诊日期在等待期内"),
    "excluded_condition": gettext_lazy("诊断属于责任免除范围"),
    "hospital_not_eligible": gettext_lazy("就诊医院不符合保单约定（等级、公立或特需病房）"),
    "claim_type_not_covered": gettext_lazy("保单不保障这一理赔类型"),
    "outside_pre_post_window": gettext_lazy("门急诊不在住院前后约定天数内"),
    "not_covered_disease": gettext_lazy("该疾病不在保单约定的疾病范围内"),
    "cover_ended": gettext_lazy("保障已终止"),
    "max_payouts_reached": gettext_lazy("该责任的赔付次数已用完"),
    "payout_gap": gettext_lazy("距上次赔付未满约定的间隔期"),
    "payout_group_used": gettext_lazy("同组重大疾病已赔付过"),
    "limit_reached": gettext_lazy("已达到年度保额上限，按剩余保额赔付"),
    "nothing_covered": gettext_lazy("没有属于保障范围的医疗费用"),
    "paid_by_others": gettext_lazy("费用已由社保和其他保险全部支付"),
    "below_deductible": gettext_lazy("可赔付费用未超过免赔额"),
    "severity_unconfirmed": gettext_lazy("疾病程度有待理赔员确认"),
    "documents_missing": gettext_lazy("尚未上传理赔材料，补充后由理赔员审核"),
    "risk_flagged": gettext_lazy("需要理赔员进一步核实"),
    "above_auto_approve_limit": gettext_lazy("金额较大，转人工审核"),
}


def reason_label(code: str) -> str:
    label = REASON_LABELS.get(code)
    return str(label) if label is not None else code
