"""Reasons in words: what the fundraiser is told and what the reviewer sees, with the numbers.

The engine stores reasons as data (``Reason(code, kind, points, params)``); ``render_reason``
words one at the edge through Django's translation machinery (Simplified Chinese msgids, the
platform's first language), so a stored reason can be shown again in another language and a
wording fix reaches old campaigns too. Money is shown as ``1,234.56 元``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.money import format_yuan_cn
from kincare.crowdfunding.engine.model import Reason

#: a short title per reason, for the reviewers' queue and filters
REASON_TITLES = {
    "invalid_patient_id": gettext_lazy("患者身份证号无效"),
    "invalid_fundraiser_id": gettext_lazy("发起人身份证号无效"),
    "patient_deceased": gettext_lazy("患者已去世"),
    "treatment_finished": gettext_lazy("治疗已结束"),
    "fundraiser_blacklisted": gettext_lazy("发起人在黑名单上"),
    "goal_above_cap": gettext_lazy("目标金额超过上限"),
    "liquid_assets_cover_goal": gettext_lazy("金融资产足以支付"),
    "extra_houses_high_value": gettext_lazy("有唯一住房以外的高价值房产"),
    "car_value_high": gettext_lazy("车辆价值高"),
    "income_high": gettext_lazy("家庭年收入高"),
    "duplicate_patient_campaign": gettext_lazy("同一患者重复筹款"),
    "document_reused": gettext_lazy("证明材料被重复使用"),
    "new_fundraiser_account": gettext_lazy("发起人账号新注册"),
    "relationship_other": gettext_lazy("发起人与患者非亲属"),
    "not_serious_illness": gettext_lazy("不在大病目录内"),
    "open_reports": gettext_lazy("有未处理的举报"),
}


def _money(params: dict[str, Any], *names: str) -> dict[str, str]:
    return {name: format_yuan_cn(int(params.get(f"{name}_fen", 0))) for name in names}


def _goal_above_cap(p: dict[str, Any]) -> str:
    values = _money(p, "goal", "cap", "estimated_cost", "expected_payouts", "other_aid")
    text = (
        _(
            "目标金额 %(goal)s 超过上限 %(cap)s：预计费用 %(estimated_cost)s − 预计保险赔付 "
            "%(expected_payouts)s − 其他救助 %(other_aid)s。"
        )
        % values
    )
    if int(p.get("cap_fen", 0)) == 0:
        return text + _("保险赔付和其他救助已覆盖全部预计费用，因此不能发起筹款。")
    return text + _("请把目标金额降到 %(cap)s 以内。") % values


def _liquid_assets(p: dict[str, Any]) -> str:
    return _(
        "家庭金融资产（存款、理财等）%(financial_assets)s 不低于目标金额 %(goal)s，"
        "应先用这部分资产支付治疗费用，因此不能发起筹款。"
    ) % _money(p, "financial_assets", "goal")


def _extra_houses(p: dict[str, Any]) -> str:
    return _(
        "除唯一住房外，家庭还有 %(houses)d 套房产，价值合计 %(houses_value)s，"
        "达到目标金额 %(goal)s 的 2 倍（%(threshold)s），需审核人员核实房产情况。"
    ) % {"houses": int(p.get("houses", 0)), **_money(p, "houses_value", "goal", "threshold")}


def _cars(p: dict[str, Any]) -> str:
    return _("家庭有 %(cars)d 辆车，价值合计 %(cars_value)s，不低于目标金额 %(goal)s，需审核人员核实。") % {
        "cars": int(p.get("cars", 0)),
        **_money(p, "cars_value", "goal"),
    }


def _income(p: dict[str, Any]) -> str:
    return _("家庭年收入 %(annual_income)s 不低于目标金额 %(goal)s，需审核人员核实。") % _money(
        p, "annual_income", "goal"
    )


def _duplicate(p: dict[str, Any]) -> str:
    return _("同一患者在本平台还有 %(campaigns)d 个进行中的筹款，需核实是否重复筹款。") % {
        "campaigns": int(p.get("campaigns", 0))
    }


def _new_account(p: dict[str, Any]) -> str:
    return _(
        "发起人账号注册于 %(account_created)s，距今 %(account_age_days)d 天（不超过 %(days)d 天），需核实发起人身份。"
    ) % {
        "account_created": str(p.get("account_created", "")),
        "account_age_days": int(p.get("account_age_days", 0)),
        "days": int(p.get("days", 0)),
    }


def _not_serious(p: dict[str, Any]) -> str:
    return _("诊断（ICD-10 %(icd10)s）不在平台的大病目录内，需审核人员根据病历确认病情是否严重。") % {
        "icd10": str(p.get("icd10", ""))
    }


def _reports(p: dict[str, Any]) -> str:
    return _("这个筹款有 %(reports)d 条尚未处理的举报，需审核人员先处理举报。") % {"reports": int(p.get("reports", 0))}


_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "invalid_patient_id": lambda _p: _("患者的身份证号码无效（位数、出生日期或校验位不正确），请核对后重新填写。"),
    "invalid_fundraiser_id": lambda _p: _("发起人的身份证号码无效（位数、出生日期或校验位不正确），请核对后重新填写。"),
    "patient_deceased": lambda _p: _("患者已经去世，不能为其发起大病筹款。"),
    "treatment_finished": lambda _p: _("患者的治疗已经结束，大病筹款只能用于尚未完成的治疗。"),
    "fundraiser_blacklisted": lambda _p: _("发起人因违规被列入平台黑名单，不能发起筹款。"),
    "goal_above_cap": _goal_above_cap,
    "liquid_assets_cover_goal": _liquid_assets,
    "extra_houses_high_value": _extra_houses,
    "car_value_high": _cars,
    "income_high": _income,
    "duplicate_patient_campaign": _duplicate,
    "document_reused": lambda _p: _("上传的证明材料与另一个筹款使用的材料完全相同，需审核人员核实。"),
    "new_fundraiser_account": _new_account,
    "relationship_other": lambda _p: _("发起人与患者的关系为“其他”，需提供患者本人签署的书面授权书。"),
    "not_serious_illness": _not_serious,
    "open_reports": _reports,
}


def render_reason(reason: Reason) -> str:
    """One reason as a plain sentence in the active language, numbers included."""
    renderer = _RENDERERS.get(reason.code)
    if renderer is None:
        return reason.code
    return renderer(dict(reason.params))
