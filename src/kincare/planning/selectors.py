"""Planning reads: a stored (or previewed) plan as one family member may see it.

Every member of the family sees the needs, cover and gaps, the recommended items and their
premiums (premiums are shown to the whole family in the wallet too). Lines derived from a
member's health data — a loading, an exclusion, a decline, a changed declaration — are shown
only to those who may read that member's health data (the member, the guardian of a minor, a
grantee), and each such read is audited as ``health_data.read``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import NotFound
from kincare.families.models import Family, Member
from kincare.families.policies import family_policy, member_policy
from kincare.planning.engine import CATEGORIES, CATEGORY_LABELS, ROLE_LABELS, Note, render_note
from kincare.planning.engine.changes import input_changes, render_change
from kincare.planning.models import FamilyPlan, Trigger
from kincare.planning.policies import family_plan_policy

HIDDEN_HEALTH = "health_hidden"


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    need_fen: int
    existing_fen: int
    gap_fen: int
    cover_after_fen: int
    gap_after_fen: int

    @property
    def existing_pct(self) -> int:
        return _pct(self.existing_fen, self.need_fen)

    @property
    def after_pct(self) -> int:
        return _pct(self.cover_after_fen, self.need_fen)


@dataclass(frozen=True)
class MemberRow:
    member_id: int
    name: str
    role: str
    role_label: str
    age: int
    categories: list[CategoryRow]


@dataclass(frozen=True)
class ItemRow:
    member_id: int
    member_name: str
    category: str
    category_label: str
    product_code: str
    product_name: str
    plan: str
    plan_name: str
    sum_insured_fen: int
    premium_fen: int
    payment_years: int
    value: float


@dataclass(frozen=True)
class PlanView:
    family: Family
    plan: FamilyPlan | None
    budget_fen: int
    budget_is_default: bool
    total_premium_fen: int
    premium_to_close_all_gaps_fen: int
    objective: float
    members: list[MemberRow]
    items: list[ItemRow]
    explanation: list[str]
    changes: list[str] = field(default_factory=list)
    trigger_labels: list[str] = field(default_factory=list)
    previous_at: Any = None

    @property
    def budget_left_fen(self) -> int:
        return self.budget_fen - self.total_premium_fen

    @property
    def budget_used_pct(self) -> int:
        return _pct(self.total_premium_fen, self.budget_fen)


def _pct(part: int, whole: int) -> int:
    if whole <= 0:
        return 0
    return max(0, min(100, round(100 * part / whole)))


def _health_readable(user: Any, family: Family) -> set[str]:
    return {
        str(pk)
        for pk in member_policy.scope(user, "read_health").filter(family_id=family.pk).values_list("pk", flat=True)
    }


def _visible(notes: list[Note], readable: set[str], user: Any, members: dict[str, Member]) -> list[Note]:
    """Health-derived notes only for readers of that member's health data; reads of another
    member's are audited (one event per member per view)."""
    shown: list[Note] = []
    audited: set[str] = set()
    hidden = False
    for note in notes:
        if not note.health:
            shown.append(note)
            continue
        if note.member_id not in readable:
            hidden = True
            continue
        shown.append(note)
        member = members.get(note.member_id)
        if member is not None and member.user_id != user.pk and note.member_id not in audited:
            audited.add(note.member_id)
            audit_record(actor=user, action="health_data.read", subject=member, new={"what": "protection_plan"})
    if hidden:
        shown.append(Note(HIDDEN_HEALTH))
    return shown


def _render(note: Note, names: dict[str, str]) -> str:
    if note.code == HIDDEN_HEALTH:
        return _("部分说明涉及其他成年成员的健康信息，需要本人授权后才能查看。")
    return render_note(note, names)


def plan_view(
    *, user: Any, family: Family, plan: FamilyPlan | None = None, preview: dict[str, Any] | None = None
) -> PlanView:
    """The stored ``plan`` (or an unsaved ``preview`` result) as ``user`` may see it; 404 to outsiders."""
    family_policy.require(user, "view", family)
    if plan is not None and plan.family_id != family.pk:
        raise NotFound(_("找不到该对象"))
    result: dict[str, Any] = preview if preview is not None else (plan.result if plan is not None else {})
    members = {str(m.pk): m for m in Member.objects.filter(family_id=family.pk)}
    names = {mid: m.name for mid, m in members.items()}
    readable = _health_readable(user, family)
    member_rows = []
    for row in result.get("members", []):
        mid = str(row["member_id"])
        if mid not in members:
            continue
        categories = [
            CategoryRow(category=c, label=str(CATEGORY_LABELS[c]), **row["categories"][c]) for c in CATEGORIES
        ]
        member_rows.append(
            MemberRow(
                member_id=int(mid),
                name=names[mid],
                role=row["role"],
                role_label=str(ROLE_LABELS.get(row["role"], "")),
                age=int(row["age"]),
                categories=categories,
            )
        )
    items = [
        ItemRow(
            member_id=int(i["member_id"]),
            member_name=names.get(str(i["member_id"]), ""),
            category=i["category"],
            category_label=str(CATEGORY_LABELS.get(i["category"], i["category"])),
            product_code=i["product_code"],
            product_name=i.get("product_name") or i["product_code"],
            plan=i["plan"],
            plan_name=i.get("plan_name") or i["plan"],
            sum_insured_fen=int(i["sum_insured_fen"]),
            premium_fen=int(i["premium_fen"]),
            payment_years=int(i.get("payment_years", 1)),
            value=float(i["value"]),
        )
        for i in result.get("items", [])
        if str(i["member_id"]) in members
    ]
    notes = _visible([Note.from_json(n) for n in result.get("notes", [])], readable, user, members)
    changes: list[str] = []
    triggers: list[str] = []
    previous_at = None
    if plan is not None and preview is None:
        triggers = [str(Trigger(t).label) if t in Trigger.values else t for t in plan.trigger.split(",") if t]
        previous = (
            family_plan_policy.scope(user, "view").filter(family_id=family.pk, id__lt=plan.pk).order_by("-id").first()
        )
        if previous is not None:
            previous_at = previous.created_at
            diff = input_changes(
                previous.inputs, plan.inputs, old_catalog=previous.catalog_version, new_catalog=plan.catalog_version
            )
            changes = [_render_change(n, names) for n in _visible(diff, readable, user, members)]
    return PlanView(
        family=family,
        plan=plan,
        budget_fen=int(result.get("budget_fen") or 0),
        budget_is_default=bool(result.get("budget_is_default", True)),
        total_premium_fen=int(result.get("total_premium_fen") or 0),
        premium_to_close_all_gaps_fen=int(result.get("premium_to_close_all_gaps_fen") or 0),
        objective=float(result.get("objective") or 0),
        members=member_rows,
        items=items,
        explanation=[_render(n, names) for n in notes],
        changes=changes,
        trigger_labels=triggers,
        previous_at=previous_at,
    )


def _render_change(note: Note, names: dict[str, str]) -> str:
    if note.code == HIDDEN_HEALTH:
        return _("其他成年成员的健康告知可能有变化（需本人授权才能查看）。")
    return render_change(note, names)


def plan_current(*, user: Any, family: Family) -> FamilyPlan | None:
    family_policy.require(user, "view", family)
    return family_plan_policy.scope(user, "view").filter(family_id=family.pk).order_by("-id").first()
