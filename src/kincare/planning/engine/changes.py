"""What changed between the inputs of two plans (pure): new child, income change, a policy that
lapsed, a new diagnosis, a different budget or catalog. Rendered like the explanation notes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from kincare.core.money import format_yuan_cn
from kincare.planning.engine.explain import CATEGORY_LABELS
from kincare.planning.engine.model import Note


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["member_id"]): r for r in rows}


def _cover(rows: list[dict[str, Any]]) -> Counter[tuple[str, str, str, int]]:
    return Counter(
        (str(r["member_id"]), str(r["category"]), str(r.get("product_code") or ""), int(r["sum_insured_fen"]))
        for r in rows
    )


def input_changes(
    old: dict[str, Any], new: dict[str, Any], *, old_catalog: str = "", new_catalog: str = ""
) -> list[Note]:
    """Notes for each difference that changes a plan, old → new (both ``family_json`` shapes)."""
    notes: list[Note] = []
    before, after = _by_id(old.get("members", [])), _by_id(new.get("members", []))
    for mid in after.keys() - before.keys():
        notes.append(Note("change_member_added", mid))
    for mid in before.keys() - after.keys():
        notes.append(Note("change_member_removed", mid, params={"name": before[mid].get("name", "")}))
    for mid in sorted(after.keys() & before.keys()):
        a, b = after[mid], before[mid]
        if a.get("annual_income_fen") != b.get("annual_income_fen"):
            notes.append(
                Note(
                    "change_income",
                    mid,
                    params={
                        "old_fen": int(b.get("annual_income_fen") or 0),
                        "new_fen": int(a.get("annual_income_fen") or 0),
                    },
                )
            )
        if any(a.get(k) != b.get(k) for k in ("social_insurance", "occupation_class", "smoker", "birth_date", "sex")):
            notes.append(Note("change_member", mid))
        if a.get("conditions") != b.get("conditions"):
            notes.append(Note("change_declarations", mid, health=True))
    old_cover, new_cover = _cover(old.get("existing", [])), _cover(new.get("existing", []))
    for mid, category, code, amount in sorted((new_cover - old_cover).elements()):
        notes.append(Note("change_cover_added", mid, category, {"sum_insured_fen": amount, "platform": bool(code)}))
    for mid, category, code, amount in sorted((old_cover - new_cover).elements()):
        notes.append(Note("change_cover_ended", mid, category, {"sum_insured_fen": amount, "platform": bool(code)}))
    if old.get("finances") != new.get("finances"):
        notes.append(Note("change_finances"))
    if old.get("budget_fen") != new.get("budget_fen"):
        notes.append(Note("change_budget"))
    if old_catalog and new_catalog and old_catalog != new_catalog:
        notes.append(Note("change_catalog"))
    return notes


def render_change(note: Note, names: dict[str, str]) -> str:
    p = note.params
    name = names.get(note.member_id) or p.get("name") or note.member_id
    category = str(CATEGORY_LABELS.get(note.category, note.category))
    if note.code == "change_member_added":
        return _("新增家庭成员：%(name)s") % {"name": name}
    if note.code == "change_member_removed":
        return _("%(name)s 已不在家庭成员中") % {"name": name}
    if note.code == "change_income":
        return _("%(name)s 的年收入从 %(old)s 变为 %(new)s") % {
            "name": name,
            "old": format_yuan_cn(int(p.get("old_fen", 0))),
            "new": format_yuan_cn(int(p.get("new_fen", 0))),
        }
    if note.code == "change_member":
        return _("%(name)s 的社保、职业或吸烟情况有变化") % {"name": name}
    if note.code == "change_declarations":
        return _("%(name)s 的健康告知有变化（如新的诊断）") % {"name": name}
    if note.code == "change_cover_added":
        return _("%(name)s 新增%(category)s %(amount)s") % {
            "name": name,
            "category": category,
            "amount": format_yuan_cn(int(p.get("sum_insured_fen", 0))),
        }
    if note.code == "change_cover_ended":
        return _("%(name)s 的%(category)s %(amount)s 已退保、失效或满期") % {
            "name": name,
            "category": category,
            "amount": format_yuan_cn(int(p.get("sum_insured_fen", 0))),
        }
    if note.code == "change_finances":
        return _("家庭年支出、负债或储蓄有变化")
    if note.code == "change_budget":
        return _("年度预算有变化")
    if note.code == "change_catalog":
        return _("严选产品或核保规则有更新")
    return note.code
