"""Reason codes (the engine's and the adjusters') in one plain sentence each, with their numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims.presentation.labels import (
    claim_type_label,
    diagnosis_label,
    hospital_level_label,
    payout_group_label,
    severity_label,
)
from kincare.claims.services.common import ADJUST_REASONS, REJECT_REASONS

#: the engine's reason codes in one sentence each (details are added from the engine's line when known)
REASON_SENTENCES: dict[str, Any] = {
    "not_in_period": gettext_lazy("就诊日期不在保险期间内"),
    "waiting_period": gettext_lazy("在等待期内"),
    "not_accident": gettext_lazy("不是意外伤害导致，不属于意外医疗保障"),
    "excluded_condition": gettext_lazy("诊断属于责任免除范围"),
    "hospital_not_eligible": gettext_lazy("就诊医院不符合保单对医院的约定"),
    "claim_type_not_covered": gettext_lazy("保单不保障这一理赔类型"),
    "outside_pre_post_window": gettext_lazy("门急诊日期不在住院前后约定的天数内"),
    "limit_reached": gettext_lazy("已达到本年度保额上限，按剩余保额赔付"),
    "below_deductible": gettext_lazy("未超过免赔额"),
    "nothing_covered": gettext_lazy("没有属于保障范围的医疗费用"),
    "paid_by_others": gettext_lazy("费用已由社保和其他保险全部支付"),
    "above_auto_approve_limit": gettext_lazy("赔付金额较大，需人工审核"),
    "severity_not_covered": gettext_lazy("该疾病程度不在保障范围内"),
    "condition_not_covered": gettext_lazy("该疾病不在保单约定的疾病范围内"),
    "max_payouts_reached": gettext_lazy("该项责任的赔付次数已用完"),
    "cover_ended": gettext_lazy("保障已终止"),
    "payout_gap": gettext_lazy("距上次赔付未满约定的间隔期"),
    "payout_group_used": gettext_lazy("同一组的重大疾病已经赔付过，不能再次赔付"),
    "not_covered_disease": gettext_lazy("该疾病或疾病程度不在保单约定的保障范围内"),
    "severity_unconfirmed": gettext_lazy("申报的疾病程度需要理赔员根据诊断材料核实"),
    "documents_missing": gettext_lazy("尚未上传理赔材料（发票、结算单等），补充上传后由理赔员审核"),
    "risk_flagged": gettext_lazy("需人工审核：理赔员将核对材料后作出决定，结果会通知您"),
}
MANUAL_REVIEW_SENTENCE = REASON_SENTENCES["risk_flagged"]


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "—")


def _detailed(code: str, d: dict[str, Any]) -> str | None:
    if code == "not_in_period" and d.get("period_start"):
        return _("就诊日期不在保险期间内（保险期间 %(start)s 至 %(end)s，就诊日期 %(day)s）") % {
            "start": _date(d.get("period_start")),
            "end": _date(d.get("period_end")),
            "day": _date(d.get("service_start")),
        }
    if code == "waiting_period" and d.get("first_covered_day"):
        return _("在等待期内（首个可赔日为 %(day)s）") % {"day": _date(d.get("first_covered_day"))}
    if code == "excluded_condition" and d.get("diagnosis"):
        diagnosis = diagnosis_label(str(d["diagnosis"]))
        if d.get("source") == "policy":
            return _("诊断“%(d)s”属于核保时约定的除外责任") % {"d": diagnosis}
        return _("诊断“%(d)s”属于合同的责任免除（妊娠分娩、先天性疾病、美容、药物滥用或故意自伤等）") % {"d": diagnosis}
    if code == "hospital_not_eligible" and d.get("rule"):
        if d["rule"] == "min_level":
            return _("就诊医院为%(level)s医院，保单要求%(min)s及以上医院") % {
                "level": hospital_level_label(d.get("level")),
                "min": hospital_level_label(d.get("min_level")),
            }
        if d["rule"] == "public_only":
            return _("保单只保障公立医院的费用，就诊医院为民营医院")
        if d["rule"] == "special_needs_ward":
            return _("保单不保障特需病房、国际部等的费用")
    if code == "claim_type_not_covered" and d.get("claim_type"):
        return _("保单不保障“%(type)s”") % {"type": claim_type_label(str(d["claim_type"]))}
    if code == "outside_pre_post_window" and d.get("admission"):
        return _(
            "门急诊日期 %(day)s 不在住院前 %(pre)s 天或出院后 %(post)s 天内（关联住院 %(admission)s 至 %(discharge)s）"
        ) % {
            "day": _date(d.get("service_start")),
            "pre": d.get("pre_days", "—"),
            "post": d.get("post_days", "—"),
            "admission": _date(d.get("admission")),
            "discharge": _date(d.get("discharge")),
        }
    if code == "max_payouts_reached" and d.get("max_payouts"):
        return _("%(severity)s的赔付次数已用完（最多 %(max)s 次）") % {
            "severity": severity_label(str(d.get("severity", ""))),
            "max": d["max_payouts"],
        }
    if code == "payout_gap" and d.get("next_possible_on"):
        return _("距上次重疾赔付未满 %(days)s 天，%(day)s 起可再次申请") % {
            "days": d.get("payout_gap_days", "—"),
            "day": _date(d.get("next_possible_on")),
        }
    if code == "payout_group_used":
        if d.get("group"):
            return _("该疾病属于“%(group)s”组，这一组已经赔付过重大疾病保险金，不能再次赔付") % {
                "group": payout_group_label(d["group"])
            }
        if "group" in d:
            return _("无法确认该疾病属于尚未赔付过的重大疾病分组，不能再次赔付")
    return None


def reason_sentence(code: str, detail: dict[str, Any] | None = None) -> str:
    """A reason code in one plain sentence, with the numbers of its engine line when given.

    The engine's codes first, then the adjusters' (the services' tables), else the code itself.
    """
    detailed = _detailed(code, detail or {})
    if detailed is not None:
        return detailed
    sentence = REASON_SENTENCES.get(code)
    if sentence is not None:
        return str(sentence)
    return _adjuster_reason(code) or code


def _adjuster_reason(code: str) -> str:
    for table in (ADJUST_REASONS, REJECT_REASONS):
        if code in table:
            return str(table[code])
    return ""


def review_reason_label(code: str) -> str:
    """An adjuster's review reason (the services' tables first), else the engine's sentence."""
    return _adjuster_reason(code) or reason_sentence(code)
