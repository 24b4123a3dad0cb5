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

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.families.models import Member
from kincare.families.policies import member_policy
from kincare.planning.triggers import replan_soon
from kincare.policies.models import ExternalPolicy
from kincare.policies.policies import external_policy_policy, may_insure

#: how far ahead a recorded policy may start (a policy bought and starting later this year)
MAX_START_AHEAD = dt.timedelta(days=366)


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
    """Record a policy bought elsewhere for ``insured`` (marked unverified). The edge parsed the
    values (``policies.form_schemas.ExternalPolicyInput``): names stripped, amounts in range."""
    member_policy.require(actor, "view", insured)
    if not may_insure(actor, insured):
        raise PermissionDenied(
            _("只有监护人可以为其他家庭成员登记保单；成年成员只能登记自己的保单"),
            code="external_policy_not_allowed",
            field="insured",
        )
    start, end = starts_on, ends_on
    if start < insured.birth_date or start > timezone.localdate() + MAX_START_AHEAD:
        raise ValidationFailed(_("生效日期不合理"), code="period_invalid", field="starts_on")
    if end is not None and end <= start:
        raise ValidationFailed(_("满期日须晚于生效日"), code="period_invalid", field="ends_on")
    external = ExternalPolicy.objects.create(
        family_id=insured.family_id,
        insured=insured,
        insurer_name=insurer_name,
        product_name=product_name,
        category=category,
        policy_number=policy_number,
        sum_insured_fen=sum_insured_fen,
        premium_fen=premium_fen,
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
