"""Cooling-off cancellation (犹豫期退保): the full premium back, cover ends now.

The window: the day of issue (Asia/Shanghai) plus ``product.cooling_off_days`` full days
after it — the regulation counts the N days from the day after the policyholder receives the
policy, and the day of issue itself is inside too. A policy issued on 1 March with 15 days
can be cancelled until 16 March 23:59:59. Products with 0 days (one-year accident and
yearly medical cover) have no cooling-off period; renewals have none either.

The refund goes through ``payment_refund`` for this policy's premium only (an order can pay
for several insured members), refund number ``policy-<id>-cooling-off``: the reservation
debits the insurer's premium account in this transaction, the provider is asked after commit.

Only the policyholder cancels (``policy_policy`` action ``cancel``). If the provider refuses
the refund, the policy stays cancelled (the cancellation was made in time and cover has
ended) and ``policy_cancel`` on it again asks for the refund anew with the next number
(``policy-<id>-cooling-off-2``, ``-3``, …) without changing the status again; the state of
the latest refund is ``kincare.policies.selectors.policy_refund_state``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied
from kincare.core.fsm import transition
from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentRefund
from kincare.core.payments.services import payment_refund
from kincare.core.pii import mask_name
from kincare.planning.triggers import replan_soon
from kincare.policies.models import Policy
from kincare.policies.policies import policy_policy
from kincare.policies.services.common import local_date, user_of

MAX_REASON = 300


def cooling_off_last_day(policy: Policy) -> dt.date | None:
    """The last local day a cooling-off cancellation is possible (None: the policy has none)."""
    days = policy.product.cooling_off_days
    if policy.issued_at is None or not days or policy.renewal_of_id is not None:
        return None
    return local_date(policy.issued_at) + dt.timedelta(days=days)


def cooling_off_refund_no(policy: Policy, attempt: int = 1) -> str:
    """``policy-<id>-cooling-off`` for the first request, ``…-2``, ``…-3`` for the retries."""
    base = f"policy-{policy.pk}-cooling-off"
    return base if attempt <= 1 else f"{base}-{attempt}"


def cooling_off_refunds(policy: Policy) -> QuerySet[PaymentRefund]:
    """The cooling-off refunds asked for this policy, oldest first."""
    base = cooling_off_refund_no(policy)
    return PaymentRefund.objects.filter(Q(refund_no=base) | Q(refund_no__startswith=f"{base}-")).order_by("id")


def policy_cancel(*, actor: Any, policy: Policy, reason: str = "") -> Policy:
    """Cancel within the cooling-off period: full refund of the premium, status cancelled, cover ends.

    On a policy already cancelled whose last refund the provider refused, asks for the refund again.
    """
    policy_policy.require(actor, "view", policy)
    if not policy_policy.can(actor, "cancel", policy):
        raise PermissionDenied(_("只有投保人本人可以退保"), code="cancel_not_allowed")
    reason = (reason or "").strip()[:MAX_REASON]
    with transaction.atomic():
        locked = (
            Policy.objects.select_for_update(of=("self",))
            .select_related("product", "application", "application__order", "policyholder", "insured")
            .get(pk=policy.pk)
        )
        if locked.status == Policy.Status.CANCELLED:
            _refund_again(actor, locked)
            locked.refresh_from_db()
            return locked
        if locked.status != Policy.Status.ACTIVE:
            raise Conflict(_("只有保障中的保单可以退保"), code="policy_not_active", field="policy")
        now = timezone.now()
        last_day = cooling_off_last_day(locked)
        if last_day is None or local_date(now) > last_day:
            raise Conflict(
                _("已过犹豫期，不能全额退保") if last_day is not None else _("该保单没有犹豫期，不能全额退保"),
                code="cooling_off_over",
                field="policy",
            )
        order = locked.application.order
        if order is None:
            raise Conflict(_("找不到这张保单的支付订单"), code="order_missing", field="policy")
        transition(
            locked,
            to=Policy.Status.CANCELLED,
            actor=actor,
            reason=reason or "cooling-off",
            extra_updates={"cancelled_at": now, "ends_at": now},
        )
        replan_soon(locked.family_id, "policy_ended")
        refund = payment_refund(
            order=order,
            amount_fen=locked.premium_fen,
            refund_no=cooling_off_refund_no(locked),
            reason=f"犹豫期退保 {locked.number}",
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="policy.cancelled_cooling_off",
            subject=locked,
            new={"number": locked.number, "refund_no": refund.refund_no, "amount_fen": locked.premium_fen},
        )
        recipient = user_of(locked.policyholder)
        notify(
            recipient=recipient,
            kind="policies.cancelled",
            title=_("「%(product)s」已在犹豫期内退保") % {"product": locked.product.name},
            body=_("保单号 %(number)s（被保险人 %(name)s）已解除，保费 %(amount)s 将原路退回。")
            % {
                "number": locked.number,
                "name": mask_name(locked.insured.name),
                "amount": format_yuan_cn(locked.premium_fen),
            },
            link=f"/policies/{locked.pk}/",
            family_id=locked.family_id,
            dedupe_key=f"policies.cancelled:{locked.pk}",
        )
    locked.refresh_from_db()
    return locked


def _refund_again(actor: Any, locked: Policy) -> None:
    """A cancelled policy (locked by the caller): ask again for a refund the provider refused."""
    refunds = list(cooling_off_refunds(locked))
    last = refunds[-1] if refunds else None
    if last is None or last.status == PaymentRefund.Status.SUCCEEDED:
        raise Conflict(_("只有保障中的保单可以退保"), code="policy_not_active", field="policy")
    if last.status == PaymentRefund.Status.PENDING:
        raise Conflict(_("退款正在处理中，请稍后查看"), code="refund_pending", field="policy")
    order = locked.application.order
    if order is None:
        raise Conflict(_("找不到这张保单的支付订单"), code="order_missing", field="policy")
    refund = payment_refund(
        order=order,
        amount_fen=locked.premium_fen,
        refund_no=cooling_off_refund_no(locked, len(refunds) + 1),
        reason=f"犹豫期退保（重新退款） {locked.number}",
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="policy.cooling_off_refund_retried",
        subject=locked,
        old={"refund_no": last.refund_no},
        new={"number": locked.number, "refund_no": refund.refund_no, "amount_fen": locked.premium_fen},
    )
