"""The engine's explanation lines in plain Chinese (the claim page's wording, used everywhere).

Presentation only: every number comes from the engine's stored lines; nothing is recomputed.
Risk-flag lines are for adjusters only: ``explained_line`` drops them, ``adjuster_line_text``
words them for the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kincare.claims.models import Claim
from kincare.claims.presentation.labels import (
    NOT_COVERED_WHY,
    benefit_label,
    diagnosis_label,
    flag_label,
    item_category_label,
    payout_group_label,
    severity_label,
)
from kincare.claims.presentation.reasons import REASON_SENTENCES, _date, reason_sentence, review_reason_label
from kincare.core.money import format_yuan, format_yuan_cn

#: explanation lines that are for adjusters only (risk flags)
ADJUSTER_ONLY_LINES = frozenset({"risk_flag"})


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


def member_lines(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The engine's explanation lines a member may read (risk-flag lines left out)."""
    lines = (result or {}).get("lines") or []
    return [line for line in lines if isinstance(line, dict) and line.get("code") not in ADJUSTER_ONLY_LINES]


def _item_line(code: str, raw: dict[str, Any], amount: int | None) -> Line:
    category = str(raw.get("category", ""))
    if code == "item_covered":
        text = _("%(category)s：属于医疗费用，纳入保障") % {"category": item_category_label(category)}
        return Line(code, text, amount, "covered")
    why = NOT_COVERED_WHY.get(category)
    return Line(
        code,
        _("%(category)s：不予赔付（%(why)s）")
        % {"category": item_category_label(category), "why": str(why) if why else _("不在保障范围内")},
        amount,
        "not_covered",
    )


def _ratio_line(raw: dict[str, Any], amount: int | None) -> Line:
    percent = _percent(raw.get("ratio"))
    if "social_insurance_used" not in raw:  # critical illness: a share of the sum insured
        text = _("按保额的 %(percent)s%% 赔付：%(payable)s × %(percent)s%%")
        return Line("ratio", text % {"percent": percent, "payable": _yuan(raw.get("payable_fen"))}, amount, "subtotal")
    basis = _("经社保结算") if raw.get("social_insurance_used") else _("未经社保结算")
    return Line(
        "ratio",
        _("赔付比例 %(percent)s%%（%(basis)s）：%(payable)s × %(percent)s%%")
        % {"percent": percent, "basis": basis, "payable": _yuan(raw.get("payable_fen"))},
        amount,
        "subtotal",
    )


def _limit_line(raw: dict[str, Any]) -> Line:
    if raw.get("annual_limit_fen") is None:
        return Line("limit", _("该项责任不设年度限额"), None, "note")
    text = _("年度保额 %(limit)s，本年度此前已赔 %(paid)s，剩余 %(left)s") % {
        "limit": _yuan(raw.get("annual_limit_fen")),
        "paid": _yuan(raw.get("paid_before_fen") or 0),
        "left": _yuan(raw.get("limit_left_fen")),
    }
    if raw.get("cut"):
        text += _("；本次按剩余保额赔付")
    return Line("limit", text, None, "note")


def _severity_line(raw: dict[str, Any]) -> Line:
    text = _("确诊疾病程度：%(s)s") % {"s": severity_label(str(raw.get("severity", "")))}
    if raw.get("diagnosis"):
        text += _("（诊断 %(d)s）") % {"d": diagnosis_label(str(raw["diagnosis"]))}
    if raw.get("group"):
        text += _("，属于“%(group)s”组") % {"group": payout_group_label(raw["group"])}
    if raw.get("declared") and not raw.get("confirmed"):
        text += _("，申报的程度待理赔员核实")
    return Line("severity", text, None, "note")


def _benefit_line(raw: dict[str, Any]) -> Line:
    text = _("按“%(benefit)s”赔付") % {"benefit": benefit_label(str(raw.get("benefit", "")))}
    if raw.get("diagnosis"):
        text += _("（诊断 %(d)s 属于约定的重大疾病）") % {"d": diagnosis_label(str(raw["diagnosis"]))}
    return Line("benefit", text, None, "note")


def _insurance_line(code: str, raw: dict[str, Any], amount: int | None) -> Line:
    if code == "social_insurance":
        if not raw.get("used"):
            return Line(code, _("未经社保结算，社保未支付"), 0, "minus")
        return Line(code, _("社保统筹已支付，先行扣除"), amount, "minus")
    if not amount:
        return Line(code, _("没有从其他商业保险获得赔付"), 0, "minus")
    return Line(code, _("其他商业保险已赔付，先行扣除"), amount, "minus")


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


def _simple_line(code: str, raw: dict[str, Any], amount: int | None) -> Line | None:
    if code == "covered":
        text = _("纳入保障的医疗费用合计（不予赔付 %(nc)s）") % {"nc": _yuan(raw.get("not_covered_fen") or 0)}
        return Line(code, text, amount, "subtotal")
    if code == "base":
        return Line(code, _("扣除社保和其他保险后的费用"), amount, "subtotal")
    if code == "no_deductible":
        return Line(code, _("该项责任不设免赔额"), 0, "minus")
    if code == "payout":
        return Line(code, _("赔付金额"), amount, "total")
    if code == "sum_insured":
        return Line(code, _("基本保额"), amount, "subtotal")
    if code == "rejected":
        detail = {k: v for k, v in raw.items() if k not in ("code", "reason")}
        why = reason_sentence(str(raw.get("reason", "")), detail)
        return Line(code, _("不予赔付：%(why)s") % {"why": why}, None, "note")
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
    return None


def explained_line(raw: dict[str, Any]) -> Line | None:
    """One engine line in the claim page's words (None for adjuster-only lines)."""
    code = str(raw.get("code", ""))
    amount = _fen(raw.get("amount_fen"))
    if code in ADJUSTER_ONLY_LINES:
        return None
    if code in ("item_covered", "item_not_covered"):
        return _item_line(code, raw, amount)
    if code in ("social_insurance", "other_insurance"):
        return _insurance_line(code, raw, amount)
    if code == "benefit":
        return _benefit_line(raw)
    if code == "deductible":
        return _deductible_line(raw, amount)
    if code == "ratio":
        return _ratio_line(raw, amount)
    if code == "limit":
        return _limit_line(raw)
    if code == "severity":
        return _severity_line(raw)
    simple = _simple_line(code, raw, amount)
    if simple is not None:
        return simple
    if code in REASON_SENTENCES:
        return Line(code, reason_sentence(code, raw), amount, "note")
    # a line this page does not know yet: its amount, without guessing at words
    return Line(code, _("理算步骤 %(code)s") % {"code": code}, amount, "note")


def line_text(line: dict[str, Any]) -> str:
    """One engine line as a single sentence with its amount and notes (the adjusters' console)."""
    explained = explained_line(line)
    if explained is None:
        return ""
    text = explained.text
    if explained.amount_text:
        text += f" {explained.amount_text}"
    if explained.notes:
        text += "（" + "；".join(explained.notes) + "）"
    return text


# -- the adjusters' lines ------------------------------------------------------------------------


def _days(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def _fen_cn(value: Any) -> str:
    return format_yuan_cn(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def flag_reason(code: str, line: dict[str, Any] | None, claim: Claim, extra: dict[str, Any]) -> str:
    """Why the flag was raised, with the engine's numbers (``extra``: the duplicates found)."""
    line = line or {}
    if code == "early_claim":
        return _("等待期结束后第 %(days)s 天出险（%(threshold)s 天内需人工审核）") % {
            "days": _days(line.get("days_since_waiting_end")),
            "threshold": _days(line.get("threshold_days")) if line else "30",
        }
    if code == "amount_unusual":
        return _("可报销费用 %(amount)s，超过该诊断通常费用 %(usual)s 的 %(factor)s 倍") % {
            "amount": _fen_cn(line.get("amount_fen")),
            "usual": _fen_cn(line.get("usual_cost_fen")),
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


def adjuster_line_text(line: dict[str, Any], claim: Claim, extra: dict[str, Any]) -> str:
    """An engine or review line for the adjusters' console: risk flags and adjustments too."""
    code = str(line.get("code", ""))
    if code == "risk_flag":
        flag = str(line.get("flag", ""))
        return _("风险提示：%(label)s。%(reason)s") % {
            "label": flag_label(flag),
            "reason": flag_reason(flag, line, claim, extra),
        }
    if code == "adjusted":
        text = _("理赔员核定赔付金额 %(amount)s（理算金额 %(engine)s）") % {
            "amount": _fen_cn(line.get("amount_fen")),
            "engine": _fen_cn(line.get("engine_amount_fen")),
        }
        reason = str(line.get("reason_code") or "")
        return text + (_("，原因：%(reason)s") % {"reason": review_reason_label(reason)} if reason else "")
    return line_text(line) or code
