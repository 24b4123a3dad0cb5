"""The explanation of benefits in plain Chinese: the engine's ``lines`` and reason codes, worded.

Presentation only: every number comes from the engine's stored result (``Claim.engine_result``)
or from the claim itself; nothing is recomputed here. Risk flags are never spelled out to the
family (an adjuster reads them): a flagged claim says only that it needs a manual review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.claims import reference
from kincare.claims.engine.shipped import shipped_groups
from kincare.claims.forms import item_label
from kincare.claims.models import Claim, ClaimType
from kincare.claims.presentation import reason_label
from kincare.core.money import format_yuan

#: items of these categories are listed as not covered (spec step 6), with why
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
#: the reason codes in one sentence each (details are added from the engine's line when known)
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
class Line:
    """One line of the explanation: the sentence, the amount (signed: − deducts) and its kind."""

    code: str
    text: str
    amount_fen: int | None = None
    kind: str = ""  # covered | not_covered | minus | subtotal | total | note
    notes: list[str] = field(default_factory=list)

    @property
    def amount_text(self) -> str:
        if self.amount_fen is None:
            return ""
        if self.kind == "minus" and self.amount_fen:
            return "−" + format_yuan(self.amount_fen)
        return format_yuan(self.amount_fen)


@dataclass
class Explanation:
    headline: str
    tone: str
    lines: list[Line]
    reasons: list[str]
    payout_fen: int
    proposed_payout_fen: int
    review: bool


def _fen(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _yuan(value: Any) -> str:
    amount = _fen(value)
    return format_yuan(amount) if amount is not None else "—"


def _percent(ratio: Any) -> str:
    try:
        return f"{(Decimal(str(ratio)) * 100).quantize(Decimal('0.01')).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(ratio)


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "—")


def diagnosis_label(code: str) -> str:
    found = reference.diagnosis_get(str(code))
    return f"{code} {found.name}" if found is not None else str(code)


def claim_type_label(code: str) -> str:
    try:
        return str(ClaimType(code).label)
    except ValueError:
        return code


def benefit_label(code: str) -> str:
    label = BENEFIT_LABELS.get(code)
    return str(label) if label is not None else code


def severity_label(code: str) -> str:
    label = SEVERITY_LABELS.get(code)
    return str(label) if label is not None else code


def payout_group_label(code: Any) -> str:
    """A severe payout group's name (shipped data, in Chinese like the disease names)."""
    return shipped_groups().get(str(code), str(code))


def hospital_level_label(level: Any) -> str:
    label = LEVEL_LABELS.get(level) if isinstance(level, int) else None
    return str(label) if label is not None else _("未定级")


# -- reasons ------------------------------------------------------------------------------------


def reason_sentence(code: str, detail: dict[str, Any] | None = None) -> str:
    """A reason code in one plain sentence, with the numbers of its engine line when given."""
    d = detail or {}
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
    sentence = REASON_SENTENCES.get(code)
    if sentence is not None:
        return str(sentence)
    return _review_reason(code)


def _review_reason(code: str) -> str:
    """An adjuster's reason code (the services' tables), else the API's label, else the code."""
    from kincare.claims import services

    for table in (getattr(services, "ADJUST_REASONS", None), getattr(services, "REJECT_REASONS", None)):
        if isinstance(table, dict) and code in table:
            return str(table[code])
    return reason_label(code)


# -- lines --------------------------------------------------------------------------------------


def _line(raw: dict[str, Any]) -> Line | None:
    code = str(raw.get("code", ""))
    amount = _fen(raw.get("amount_fen"))
    if code == "risk_flag":
        return None  # adjusters only
    if code == "item_covered":
        return Line(
            code,
            _("%(category)s：属于医疗费用，纳入保障") % {"category": item_label(str(raw.get("category", "")))},
            amount,
            "covered",
        )
    if code == "item_not_covered":
        category = str(raw.get("category", ""))
        why = NOT_COVERED_WHY.get(category)
        return Line(
            code,
            _("%(category)s：不予赔付（%(why)s）")
            % {"category": item_label(category), "why": str(why) if why else _("不在保障范围内")},
            amount,
            "not_covered",
        )
    if code == "covered":
        return Line(
            code,
            _("纳入保障的医疗费用合计（不予赔付 %(nc)s）") % {"nc": _yuan(raw.get("not_covered_fen") or 0)},
            amount,
            "subtotal",
        )
    if code == "benefit":
        text = _("按“%(benefit)s”赔付") % {"benefit": benefit_label(str(raw.get("benefit", "")))}
        if raw.get("diagnosis"):
            text += _("（诊断 %(d)s 属于约定的重大疾病）") % {"d": diagnosis_label(str(raw["diagnosis"]))}
        return Line(code, text, None, "note")
    if code == "social_insurance":
        if not raw.get("used"):
            return Line(code, _("未经社保结算，社保未支付"), 0, "minus")
        return Line(code, _("社保统筹已支付，先行扣除"), amount, "minus")
    if code == "other_insurance":
        if not amount:
            return Line(code, _("没有从其他商业保险获得赔付"), 0, "minus")
        return Line(code, _("其他商业保险已赔付，先行扣除"), amount, "minus")
    if code == "base":
        return Line(code, _("扣除社保和其他保险后的费用"), amount, "subtotal")
    if code == "no_deductible":
        return Line(code, _("该项责任不设免赔额"), 0, "minus")
    if code == "deductible":
        return _deductible_line(raw, amount)
    if code == "ratio":
        percent = _percent(raw.get("ratio"))
        if "social_insurance_used" not in raw:  # critical illness: a share of the sum insured
            text = _("按保额的 %(percent)s%% 赔付：%(payable)s × %(percent)s%%")
            return Line(code, text % {"percent": percent, "payable": _yuan(raw.get("payable_fen"))}, amount, "subtotal")
        basis = _("经社保结算") if raw.get("social_insurance_used") else _("未经社保结算")
        return Line(
            code,
            _("赔付比例 %(percent)s%%（%(basis)s）：%(payable)s × %(percent)s%%")
            % {"percent": percent, "basis": basis, "payable": _yuan(raw.get("payable_fen"))},
            amount,
            "subtotal",
        )
    if code == "limit":
        if raw.get("annual_limit_fen") is None:
            return Line(code, _("该项责任不设年度限额"), None, "note")
        text = _("年度保额 %(limit)s，本年度此前已赔 %(paid)s，剩余 %(left)s") % {
            "limit": _yuan(raw.get("annual_limit_fen")),
            "paid": _yuan(raw.get("paid_before_fen") or 0),
            "left": _yuan(raw.get("limit_left_fen")),
        }
        if raw.get("cut"):
            text += _("；本次按剩余保额赔付")
        return Line(code, text, None, "note")
    if code == "payout":
        return Line(code, _("赔付金额"), amount, "total")
    if code == "rejected":
        detail = {k: v for k, v in raw.items() if k not in ("code", "reason")}
        return Line(
            code, _("不予赔付：%(why)s") % {"why": reason_sentence(str(raw.get("reason", "")), detail)}, None, "note"
        )
    if code == "severity":
        text = _("确诊疾病程度：%(s)s") % {"s": severity_label(str(raw.get("severity", "")))}
        if raw.get("diagnosis"):
            text += _("（诊断 %(d)s）") % {"d": diagnosis_label(str(raw["diagnosis"]))}
        if raw.get("group"):
            text += _("，属于“%(group)s”组") % {"group": payout_group_label(raw["group"])}
        if raw.get("declared") and not raw.get("confirmed"):
            text += _("，申报的程度待理赔员核实")
        return Line(code, text, None, "note")
    if code == "sum_insured":
        return Line(code, _("基本保额"), amount, "subtotal")
    if code == "payout_count":
        text = _("%(s)s第 %(n)s 次赔付（最多 %(max)s 次）") % {
            "s": severity_label(str(raw.get("severity", ""))),
            "n": raw.get("after", "—"),
            "max": raw.get("max_payouts", "—"),
        }
        return Line(code, text, None, "note")
    if code == "cover_ends":
        return Line(code, _("重疾赔付后，本保单的保障终止"), None, "note")
    if code == "next_payout_from":
        return Line(code, _("下一次重疾赔付最早在 %(day)s 之后") % {"day": _date(raw.get("date"))}, None, "note")
    if code == "auto_approve_limit":
        text = _("赔付金额超过自动核赔额度 %(limit)s，需人工审核") % {"limit": _yuan(raw.get("limit_fen"))}
        return Line(code, text, None, "note")
    if code in REASON_SENTENCES:
        return Line(code, reason_sentence(code, raw), amount, "note")
    # a line this page does not know yet: its amount, without guessing at words
    return Line(code, _("理算步骤 %(code)s") % {"code": code}, amount, "note")


def _deductible_line(raw: dict[str, Any], amount: int | None) -> Line:
    per_claim = raw.get("scope") == "per_claim"
    deductible = _yuan(raw.get("deductible_fen"))
    if per_claim:
        text = _("免赔额：每次 %(d)s") % {"d": deductible}
    else:
        text = _("免赔额：每年 %(d)s，本年度此前已用 %(used)s，本次还需自付 %(remaining)s") % {
            "d": deductible,
            "used": _yuan(raw.get("used_before_fen") or 0),
            "remaining": _yuan(raw.get("remaining_before_fen")),
        }
    line = Line("deductible", text, amount, "minus")
    by_other = _fen(raw.get("by_other_fen")) or 0
    if by_other:
        line.notes.append(_("其中 %(o)s 由其他商业保险的赔付抵扣") % {"o": format_yuan(by_other)})
    if not per_claim and raw.get("remaining_after_fen") is not None:
        line.notes.append(_("本年度免赔额还剩 %(left)s") % {"left": _yuan(raw.get("remaining_after_fen"))})
    return line


def explain(claim: Claim) -> Explanation:
    """The claim's explanation of benefits, its decision and reasons, in words."""
    result: dict[str, Any] = claim.engine_result or {}
    raw_lines = [raw for raw in result.get("lines") or [] if isinstance(raw, dict)]
    lines = [line for line in (_line(raw) for raw in raw_lines) if line is not None]
    details = {str(raw.get("reason")): raw for raw in raw_lines if raw.get("code") == "rejected"}
    reasons: list[str] = []
    for code in claim.reasons or []:
        sentence = reason_sentence(str(code), details.get(str(code)))
        if sentence not in reasons:
            reasons.append(sentence)
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
