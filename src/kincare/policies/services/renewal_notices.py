"""What the family is told about a renewal: the offer, or that it cannot be renewed.

Used by the renewal job (``renewals``) and by an underwriter's decision on a renewal
(``applications.application_on_decision``), so it sits below both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.core.pii import mask_name
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import local_date, user_of


def policy_last_day(policy: Policy) -> str:
    assert policy.ends_at is not None
    return (local_date(policy.ends_at) - dt.timedelta(days=1)).isoformat()


def renewal_recipient(policy: Policy) -> Any:
    return user_of(policy.policyholder) or policy.family.guardian


def renewal_unavailable_key(policy_pk: int) -> str:
    return f"policies.renewal_unavailable:{policy_pk}"


def notify_renewal_unavailable(policy: Policy, reason: str = "") -> None:
    notify(
        recipient=renewal_recipient(policy),
        kind="policies.renewal_unavailable",
        title=_("「%(product)s」无法自动续保") % {"product": policy.product.name},
        body=_("被保险人 %(name)s 的保单 %(number)s 将于 %(day)s 24 时到期，无法自动续保。")
        % {"name": mask_name(policy.insured.name), "number": policy.number, "day": policy_last_day(policy)}
        + (reason or _("如需继续保障，请重新选择产品投保。")),
        link=f"/policies/{policy.pk}/",
        family_id=policy.family_id,
        dedupe_key=renewal_unavailable_key(policy.pk),
    )


def notify_renewal_offer(application: Application) -> None:
    policy = application.renewal_of
    assert policy is not None
    notify(
        recipient=renewal_recipient(policy),
        kind="policies.renewal_offer",
        title=_("「%(product)s」可以续保了") % {"product": application.product.name},
        body=_("被保险人 %(name)s 的续保保费为 %(amount)s，请在 %(day)s 前完成支付；续保后保障连续，不重新计算等待期。")
        % {
            "name": mask_name(policy.insured.name),
            "amount": format_yuan_cn(application.premium_fen),
            "day": policy_last_day(policy),
        },
        link=f"/policies/applications/{application.pk}/",
        family_id=application.family_id,
        dedupe_key=f"policies.renewal_offer:{policy.pk}",
    )
