"""Explanations: structured notes from the engine, rendered into the reader's language at the edge.

The engine emits ``Note(code, member_id, category, params, health)`` values (pure data, stored
with the plan); ``render_note`` turns one into a sentence with Django's translation machinery
(Simplified Chinese by default). Notes derived from a member's health data (a loading, an
exclusion, a decline) carry ``health=True`` so pages can hide them from readers without
access to that member's health data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kincare.core.money import format_yuan_cn
from kincare.planning.engine.model import FamilyIn, Note, Option
from kincare.planning.engine.needs import MemberFacts
from kincare.planning.engine.options import Group, cheapest_closing

CATEGORY_LABELS = {
    "medical": gettext_lazy("医疗险"),
    "critical_illness": gettext_lazy("重疾险"),
    "term_life": gettext_lazy("定期寿险"),
    "accident": gettext_lazy("意外险"),
}
ROLE_LABELS = {
    "primary_earner": gettext_lazy("家庭经济支柱"),
    "earner": gettext_lazy("有收入的成员"),
    "child": gettext_lazy("孩子"),
    "adult": gettext_lazy("无收入的成年人"),
    "senior": gettext_lazy("老人"),
}


def plan_notes(
    *,
    family: FamilyIn,
    facts: list[MemberFacts],
    groups: list[Group],
    chosen: Mapping[tuple[str, str], Option],
    budget_fen: int,
    budget_is_default: bool,
    total_fen: int,
    close_all_fen: int,
    household_income_fen: int,
) -> list[Note]:
    notes: list[Note] = []
    if budget_is_default:
        notes.append(Note("budget_default", params={"budget_fen": budget_fen, "income_fen": household_income_fen}))
    notes.append(
        Note("total", params={"total_fen": total_fen, "budget_fen": budget_fen, "close_all_fen": close_all_fen})
    )
    if not family.finances.known and any(f.earner for f in facts):
        notes.append(Note("finances_unknown"))
    roles = {f.member.member_id: f for f in facts}
    for group in groups:
        mid, category = group.member_id, group.category
        item = chosen.get((mid, category))
        if item is not None:
            notes.append(
                Note(
                    "item",
                    mid,
                    category,
                    {
                        "product": item.product_name or item.product_code,
                        "plan": item.plan_name or item.plan,
                        "premium_fen": item.premium_fen,
                        "covers_fen": item.covers_fen,
                        "gap_fen": group.gap_fen,
                        "payment_years": item.payment_years,
                        "role": roles[mid].role,
                    },
                )
            )
            if item.loading_pct:
                notes.append(Note("item_loading", mid, category, {"loading_pct": item.loading_pct}, health=True))
            if item.restricted == "exclusion":
                notes.append(Note("item_exclusion", mid, category, health=True))
            elif item.restricted == "manual":
                notes.append(Note("item_manual", mid, category, health=True))
        gap_after = group.gap_fen - (item.covers_fen if item is not None else 0)
        if group.need_fen > 0 and gap_after > 0:
            notes.append(_gap_note(group, item, gap_after, roles[mid]))
    return notes


def _gap_note(group: Group, item: Option | None, gap_after: int, f: MemberFacts) -> Note:
    mid, category = group.member_id, group.category
    params: dict[str, Any] = {"gap_fen": gap_after}
    closing = cheapest_closing(group)
    if group.options:
        assert closing is not None
        params["premium_fen"] = closing.premium_fen
        if item is None:
            return Note("gap_budget", mid, category, params)
        if closing.covers_fen > item.covers_fen:
            return Note("gap_budget_partial", mid, category, params)
        return Note("gap_partial", mid, category, params)
    if group.products == 0:
        return Note("gap_no_product", mid, category, params)
    if group.declined:
        return Note("gap_declined", mid, category, params, health=True)
    if group.minor_cap:
        params["age"] = f.age
        return Note("gap_minor_cap", mid, category, params)
    if group.held and not (group.not_eligible_age or group.not_eligible_other):
        return Note("gap_held", mid, category, params)
    if group.not_eligible_age and not group.not_eligible_other:
        params["age"] = f.age
        return Note("gap_age", mid, category, params)
    return Note("gap_not_eligible", mid, category, params)


def render_note(note: Note, names: Mapping[str, str]) -> str:
    """One explanation line in the active language."""
    p = note.params
    name = names.get(note.member_id, note.member_id)
    category = str(CATEGORY_LABELS.get(note.category, note.category))

    def money(key: str) -> str:
        return format_yuan_cn(int(p.get(key, 0)))

    if note.code == "budget_default":
        return _("预算按家庭年收入 %(income)s 的 8%% 计算：每年 %(budget)s，可以在下方调整。") % {
            "income": money("income_fen"),
            "budget": money("budget_fen"),
        }
    if note.code == "total":
        return _("推荐方案年保费合计 %(total)s，预算 %(budget)s；补齐全部缺口约需每年 %(all)s。") % {
            "total": money("total_fen"),
            "budget": money("budget_fen"),
            "all": money("close_all_fen"),
        }
    if note.code == "finances_unknown":
        return _("还没有填写家庭年支出、负债和储蓄，寿险需求暂按 0 计算；填写后会重新规划。")
    if note.code == "item":
        return _(
            "为%(name)s（%(role)s）选择%(product)s · %(plan)s，年保费 %(premium)s（缴费 %(years)d 年）："
            "%(category)s缺口 %(gap)s，补上 %(covers)s。"
        ) % {
            "name": name,
            "role": ROLE_LABELS.get(str(p.get("role", "")), ""),
            "product": p.get("product", ""),
            "plan": p.get("plan", ""),
            "premium": money("premium_fen"),
            "years": int(p.get("payment_years", 1)),
            "category": category,
            "gap": money("gap_fen"),
            "covers": money("covers_fen"),
        }
    if note.code == "item_loading":
        return _("%(name)s的%(category)s根据健康告知加费 %(pct)d%%，已计入保费。") % {
            "name": name,
            "category": category,
            "pct": int(p.get("loading_pct", 0)),
        }
    if note.code == "item_exclusion":
        return _("%(name)s的%(category)s根据健康告知有除外责任，按八折计算其价值。") % {
            "name": name,
            "category": category,
        }
    if note.code == "item_manual":
        return _("%(name)s的%(category)s需要核保人员人工审核，结果可能加费或除外，按八折计算其价值。") % {
            "name": name,
            "category": category,
        }
    gap = {"name": name, "category": category, "gap": money("gap_fen"), "premium": money("premium_fen")}
    if note.code == "gap_budget":
        return _("%(name)s的%(category)s缺口 %(gap)s 未补：预算不足，补上需每年约 %(premium)s。") % gap
    if note.code == "gap_budget_partial":
        return _("%(name)s的%(category)s仍缺 %(gap)s：受预算限制选了较低保额，补齐需每年约 %(premium)s。") % gap
    if note.code == "gap_partial":
        return _("%(name)s的%(category)s仍缺 %(gap)s：可买到的产品保额不足以完全补齐。") % gap
    if note.code == "gap_no_product":
        return _("%(name)s的%(category)s缺口 %(gap)s：平台暂无这类严选产品。") % gap
    if note.code == "gap_declined":
        return _("%(name)s的%(category)s缺口 %(gap)s：根据健康告知，可选产品均拒保或延期。") % gap
    if note.code == "gap_minor_cap":
        return _("%(name)s的%(category)s缺口 %(gap)s：按监管规定，未成年人身故保险金有上限，现有产品会超出上限。") % gap
    if note.code == "gap_held":
        return _("%(name)s的%(category)s缺口 %(gap)s：已持有可选的产品，平台暂无其他可加保的产品。") % gap
    if note.code == "gap_age":
        return _("%(name)s的%(category)s缺口 %(gap)s：没有适合 %(age)d 周岁投保的产品。") % {
            **gap,
            "age": int(p.get("age", 0)),
        }
    if note.code == "gap_not_eligible":
        return _("%(name)s的%(category)s缺口 %(gap)s：不符合可选产品的投保条件（社保或职业类别）。") % gap
    return note.code
