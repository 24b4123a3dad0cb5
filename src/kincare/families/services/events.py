"""Life events (家庭大事): birth, marriage, income change, diagnosis, death — and their effects."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.families.conditions import CONDITION_MODELS
from kincare.families.models import (
    Family,
    HealthDataGrant,
    LifeEvent,
    LifeEventKind,
    Member,
    Relationship,
)
from kincare.families.policies import family_policy, member_policy
from kincare.families.services.health import _require_write
from kincare.families.services.members import _clean_income, member_add
from kincare.planning.triggers import replan_soon

_MAX_DETAILS_CHARS = 2000
_GUARDIAN_ONLY = {LifeEventKind.BIRTH, LifeEventKind.DEATH}
_NEEDS_MEMBER = {LifeEventKind.INCOME_CHANGE, LifeEventKind.DIAGNOSIS, LifeEventKind.DEATH}


def _clean_details(details: object) -> dict[str, Any]:
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise ValidationFailed(_("事件详情格式不正确"), code="details_invalid", field="details")
    if len(json.dumps(details, ensure_ascii=False, default=str)) > _MAX_DETAILS_CHARS:
        raise ValidationFailed(_("事件详情过长"), code="details_too_large", field="details")
    return dict(details)


def _child_relationship(parent: Member | None) -> str:
    if parent is None or parent.relationship in (Relationship.SELF, Relationship.SPOUSE):
        return Relationship.CHILD
    if parent.relationship == Relationship.CHILD:
        return Relationship.GRANDCHILD
    return Relationship.OTHER


def life_event_record(
    *,
    actor: Any,
    family: Family,
    kind: str,
    occurred_on: dt.date,
    member: Member | None = None,
    details: dict[str, Any] | None = None,
) -> LifeEvent:
    """Record an event: income_change sets income, birth may add a child, death marks the member."""
    family_policy.require(actor, "view", family)
    if kind not in LifeEventKind.values:
        raise ValidationFailed(_("选项无效"), code="kind_invalid", field="kind")
    if not isinstance(occurred_on, dt.date) or occurred_on > timezone.localdate() or occurred_on.year < 1900:
        raise ValidationFailed(_("日期不能晚于今天"), code="occurred_on_invalid", field="occurred_on")
    if member is not None:
        member_policy.require(actor, "view", member)
        if member.family_id != family.pk:
            raise NotFound(_("找不到该成员"), field="member_id")
    if kind in _NEEDS_MEMBER and member is None:
        raise ValidationFailed(_("请选择家庭成员"), code="member_required", field="member_id")
    is_guardian = family.guardian_id == actor.pk
    if kind in _GUARDIAN_ONLY and not is_guardian:
        raise PermissionDenied(_("只有监护人可以记录该事件"), code="guardian_only")
    if not is_guardian and (member is None or member.user_id != actor.pk):
        raise PermissionDenied(_("只能记录与你本人有关的事件"), code="own_events_only")
    clean = _clean_details(details)
    with transaction.atomic():
        if kind == LifeEventKind.INCOME_CHANGE:
            assert member is not None
            income = _clean_income(clean.get("annual_income_fen"), field="annual_income_fen")
            if income is None:
                raise ValidationFailed(_("请填写新的年收入"), code="income_invalid", field="annual_income_fen")
            clean = {"annual_income_fen": income, "previous_income_fen": member.annual_income_fen}
            member.annual_income_fen = income
            member.save(update_fields=["annual_income_fen", "updated_at"])
            replan_soon(family.pk, "income_changed")
        elif kind == LifeEventKind.DIAGNOSIS:
            assert member is not None
            _require_write(actor, member)
            code = clean.get("condition_code")
            if code not in (None, "") and code not in CONDITION_MODELS:
                raise ValidationFailed(_("请选择一种已列出的疾病"), code="condition_unknown", field="condition_code")
            description = clean.get("description", "")
            if not isinstance(description, str) or len(description) > 500:
                raise ValidationFailed(_("描述过长"), code="details_invalid", field="description")
            clean = {"condition_code": code or None, "description": description.strip()}
        elif kind == LifeEventKind.DEATH:
            assert member is not None
            if member.user_id is not None and member.user_id == family.guardian_id:
                raise Conflict(_("请先将监护人转给其他家人"), code="guardian_transfer_required")
            if member.deceased_on is not None:
                raise Conflict(_("已记录该成员去世"), code="member_deceased")
            member.deceased_on = occurred_on
            member.save(update_fields=["deceased_on", "updated_at"])
            replan_soon(family.pk, "member_removed")
            HealthDataGrant.objects.filter(family_id=family.pk, revoked_at__isnull=True, grantee=member).update(
                revoked_at=timezone.now()
            )
            clean = {}
        elif kind == LifeEventKind.BIRTH:
            child_name, child_id = clean.get("name"), clean.get("resident_id")
            clean = {}
            if child_name or child_id:
                child = member_add(
                    actor=actor,
                    family=family,
                    name=str(child_name or ""),
                    resident_id=str(child_id or ""),
                    birth_date=occurred_on,
                    relationship=_child_relationship(member),
                )
                # The child's resident ID lives (encrypted) on the member row only.
                clean = {"child_member_id": child.pk}
        else:
            spouse_name = clean.get("spouse_name", "")
            if not isinstance(spouse_name, str) or len(spouse_name) > 50:
                raise ValidationFailed(_("姓名过长"), code="details_invalid", field="spouse_name")
            clean = {"spouse_name": spouse_name.strip()} if spouse_name.strip() else {}
        event = LifeEvent(family=family, member=member, kind=kind, occurred_on=occurred_on, created_by=actor)
        event.details = clean
        event.save()
        audit_record(
            actor=actor,
            action="life_event.recorded",
            subject=event,
            new={"kind": kind, "member_id": getattr(member, "pk", None)},
        )
    return event
