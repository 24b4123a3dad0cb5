"""External policies (保单托管): cover bought elsewhere, recorded by the family, unverified.

The guardian records (and removes) them for any member, an adult for themselves. They count as
existing cover for planning and for the minors' death-benefit cap (term life and accident).
``ends_on`` is the last day covered (inclusive); empty for cover without an end (lifetime).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.catalog.models import Category
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.money import MAX_FEN
from kincare.families.models import Member
from kincare.families.policies import member_policy
from kincare.planning.triggers import replan_soon
from kincare.policies.models import ExternalPolicy
from kincare.policies.policies import external_policy_policy, may_insure

#: how far ahead a recorded policy may start (a policy bought and starting later this year)
MAX_START_AHEAD = dt.timedelta(days=366)


def _text(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or (required and not text) or len(text) > max_length or "\x00" in text:
        raise ValidationFailed(_("请填写不超过 %(n)d 个字") % {"n": max_length}, code=f"{field}_invalid", field=field)
    return text


def _fen(value: object, *, field: str, allow_zero: bool) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_FEN:
        raise ValidationFailed(_("金额无效"), code="amount_invalid", field=field)
    if value == 0 and not allow_zero:
        raise ValidationFailed(_("金额必须大于 0"), code="amount_invalid", field=field)
    return value


def _date(value: object, *, field: str, required: bool) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise ValidationFailed(_("请填写日期"), code="date_invalid", field=field)
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), code="date_invalid", field=field) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD"), code="date_invalid", field=field)
    return value


@transaction.atomic
def external_policy_add(
    *,
    actor: Any,
    insured: Member,
    insurer_name: str,
    product_name: str,
    category: str,
    sum_insured_fen: int,
    premium_fen: int,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    policy_number: str = "",
) -> ExternalPolicy:
    """Record a policy bought elsewhere for ``insured`` (marked unverified)."""
    member_policy.require(actor, "view", insured)
    if not may_insure(actor, insured):
        raise PermissionDenied(
            _("只有监护人可以为其他家庭成员登记保单；成年成员只能登记自己的保单"),
            code="external_policy_not_allowed",
            field="insured",
        )
    if category not in Category.values:
        raise ValidationFailed(_("请选择保险类别"), code="category_unknown", field="category")
    start = _date(starts_on, field="starts_on", required=True)
    end = _date(ends_on, field="ends_on", required=False)
    assert start is not None
    if start < insured.birth_date or start > timezone.localdate() + MAX_START_AHEAD:
        raise ValidationFailed(_("生效日期不合理"), code="period_invalid", field="starts_on")
    if end is not None and end <= start:
        raise ValidationFailed(_("满期日须晚于生效日"), code="period_invalid", field="ends_on")
    external = ExternalPolicy.objects.create(
        family_id=insured.family_id,
        insured=insured,
        insurer_name=_text(insurer_name, field="insurer_name", max_length=120),
        product_name=_text(product_name, field="product_name", max_length=120),
        category=category,
        policy_number=_text(policy_number or "", field="policy_number", max_length=64, required=False),
        sum_insured_fen=_fen(sum_insured_fen, field="sum_insured_fen", allow_zero=False),
        premium_fen=_fen(premium_fen, field="premium_fen", allow_zero=True),
        starts_on=start,
        ends_on=end,
        verified=False,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="external_policy.added",
        subject=external,
        new={"insured_id": insured.pk, "category": category, "sum_insured_fen": external.sum_insured_fen},
    )
    replan_soon(external.family_id, "external_changed")
    return external


@transaction.atomic
def external_policy_remove(*, actor: Any, external_policy: ExternalPolicy) -> ExternalPolicy:
    """Take a recorded policy out of the wallet (kept for history, ``removed_at`` set)."""
    external_policy_policy.require(actor, "view", external_policy)
    if not external_policy_policy.can(actor, "remove", external_policy):
        raise PermissionDenied(
            _("只有监护人或被保险人本人可以删除这份保单"), code="external_policy_not_allowed", field="external_policy"
        )
    locked = ExternalPolicy.objects.select_for_update().get(pk=external_policy.pk)
    if locked.removed_at is not None:
        raise Conflict(_("该保单已删除"), code="external_policy_removed")
    locked.removed_at = timezone.now()
    locked.save(update_fields=["removed_at"])
    audit_record(actor=actor, action="external_policy.removed", subject=locked)
    replan_soon(locked.family_id, "external_changed")
    return locked
