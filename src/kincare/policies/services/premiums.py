"""Issuing what a premium order paid for: ``premium_on_paid``, the purpose handler of
``premium`` orders (registered in ``PoliciesConfig.ready``), runs in the payment's transaction.

``premium_on_paid`` checks the rules again, against the cover in force, at the day cover really
starts; if one no longer holds, nothing is issued, the order is refunded in full
(``payment_refund``: reserved in the payment's transaction, sent to the provider after it
commits), the application becomes ``refunded`` and the policyholder is told why. The paying
side (``application_pay``) is in ``issuance``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import DomainError, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_refund
from kincare.core.pii import mask_name
from kincare.planning.triggers import replan_soon
from kincare.policies.models import Application, Policy
from kincare.policies.services.applications import check_not_insured, lapse_pending_policies
from kincare.policies.services.common import (
    ISSUED_POLICY_STATUSES,
    local_date,
    local_midnight,
    order_key,
    policy_ends_at,
    user_of,
)
from kincare.policies.services.instalments import instalment_policy_locked, instalment_record_paid
from kincare.policies.services.issuance import lock_members
from kincare.policies.services.quotes import quote_build

logger = logging.getLogger(__name__)

Status = Application.Status
PolicyStatus = Policy.Status
Kind = Application.Kind
#: policy numbers: KC + yyyymmdd + 8 characters without look-alikes (0/O, 1/I)
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_policy_number(on: dt.date) -> str:
    while True:
        number = f"KC{on:%Y%m%d}" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if not Policy.objects.filter(number=number).exists():
            return number


def _anomaly(order: PaymentOrder, application: Application | None, problem: str) -> None:
    """A paid premium order that cannot issue anything: an operator must look (the money is on
    the insurer's premium account, recorded)."""
    logger.error("premium order %s paid but not issued: %s", order.out_trade_no, problem)
    audit_record(
        actor=None,
        actor_label="policies.premium_on_paid",
        action="policies.premium_not_issued",
        subject=application if application is not None else order,
        family_id=order.family_id,
        new={"order": order.out_trade_no, "amount_fen": order.amount_fen, "problem": problem},
    )


def _attempt_of(order: PaymentOrder, application: Application) -> bool:
    """The order was opened for one of this application's payment attempts."""
    return order.idempotency_key.startswith(f"application:{application.pk}:premium:")


def _refund_unissued(application: Application, order: PaymentOrder, *, code: str, message: str) -> None:
    """A paid order that may not issue: its pending policies lapse, the whole amount goes back
    through the provider (reserved now, sent after the payment's transaction commits), the
    application (still pending payment) becomes ``refunded``, and the policyholder is told why."""
    lapse_pending_policies(application, actor=None, reason=f"not issued: {code}")
    if application.status == Status.PENDING_PAYMENT and application.order_id == order.pk:
        transition(application, to=Status.REFUNDED, actor=None, reason=f"not issued: {code}")
    refund = payment_refund(
        order=order,
        amount_fen=order.amount_fen,
        refund_no=f"premium-{order.pk}-not-issued",
        reason=f"未承保退款 {code}",
    )
    logger.warning("premium order %s paid but not issued (%s): refunded", order.out_trade_no, code)
    audit_record(
        actor=None,
        actor_label="policies.premium_on_paid",
        action="policies.premium_refunded",
        subject=application,
        family_id=application.family_id,
        new={"order": order.out_trade_no, "amount_fen": order.amount_fen, "code": code, "refund_no": refund.refund_no},
    )
    notify(
        recipient=user_of(application.policyholder) or application.created_by,
        kind="policies.not_issued",
        title=_("「%(product)s」未能承保，保费将原路退回") % {"product": application.product.name},
        body=_("您支付的 %(amount)s 将原路退回。原因：%(reason)s")
        % {"amount": format_yuan_cn(order.amount_fen), "reason": message},
        link=f"/policies/applications/{application.pk}/",
        family_id=application.family_id,
        dedupe_key=f"policies.not_issued:{application.pk}:{order.pk}",
    )


def _cover_start(application: Application, now: dt.datetime) -> tuple[dt.datetime, dt.date]:
    """When the cover an order paid for starts, and the first-effective date (waiting periods).

    * New business: 00:00 of the day kept when pay was pressed (``effective_on``, normally
      tomorrow) if the payment arrives before it; a payment arriving on or after that day
      (pressed just before midnight, paid after it) cannot start cover in the past: 00:00 the
      day after the payment, and the rules (ages, caps, premium) are checked for that day.
    * Renewal paid while the old policy is still active: when the old one ends, keeping its
      first-effective date (continuous cover, no new waiting period).
    * Renewal paid after the old policy ended (or lapsed, e.g. the payment arrived after the
      expiry job): cover is never backdated over days nobody was insured — it starts at 00:00
      the day after the payment, and since cover was interrupted the first-effective date
      starts again (a new waiting period). Renewing on time keeps continuity; the renewal
      offer and its reminder say so.
    """
    tomorrow = local_midnight(local_date(now) + dt.timedelta(days=1))
    renewed = application.renewal_of
    if renewed is not None:
        if renewed.status == PolicyStatus.ACTIVE and renewed.ends_at is not None and renewed.ends_at > now:
            return renewed.ends_at, renewed.first_effective_on or local_date(renewed.ends_at)
        return tomorrow, local_date(tomorrow)
    planned = application.effective_on
    if planned is not None and now < local_midnight(planned):
        start = local_midnight(planned)
        return start, planned
    return tomorrow, local_date(tomorrow)


def _check_at_issue(application: Application, policies: list[Policy], effective_on: dt.date) -> None:
    """The rules again, at the day cover starts, against the cover in force (ValidationFailed
    naming the broken rule): the insured's rows are locked so that two orders for the same
    member issue one after the other."""
    members = lock_members([p.insured_id for p in policies])
    insured = [members[p.insured_id] for p in policies]
    renewed = application.renewal_of
    if renewed is None:
        check_not_insured(
            insured,
            application.product,
            effective_on,
            exclude_application=application,
            statuses=ISSUED_POLICY_STATUSES,
        )
    quote = quote_build(
        product=application.product,
        plan_code=application.plan.code,
        members=insured,
        payment_years=application.payment_years,
        effective_on=effective_on,
        renewal_of=renewed,
        exclude_application=application,
        at_issue=True,
    )
    for policy, line in zip(policies, quote.lines, strict=True):
        if (line.base_premium_fen, line.death_benefit_fen) != (policy.base_premium_fen, policy.death_benefit_fen):
            raise ValidationFailed(
                _("%(name)s 在生效日 %(day)s 的保费与支付时不同，请重新投保")
                % {"name": policy.insured.name, "day": effective_on.isoformat()},
                code="premium_changed",
                field="members",
            )


def _instalment_on_paid(application: Application, order: PaymentOrder) -> None:
    if order.amount_fen != application.premium_fen:
        _anomaly(order, application, "instalment premium does not match the order")
        return
    try:
        policy = instalment_policy_locked(application)
    except DomainError as exc:
        _refund_unissued(application, order, code=exc.code, message=str(exc.message))
        return
    instalment_record_paid(application, policy, order, timezone.now())


def premium_on_paid(order: PaymentOrder) -> None:
    """Issue the policies an order paid for (runs in the payment's transaction; idempotent).

    The rules are checked again at the day cover starts (see ``_cover_start``); if one does not
    hold any more — another policy for the same child issued meanwhile and the minors' cap
    would be exceeded, the member is already insured, an age limit passed at a later start —
    nothing is issued and the order is refunded in full (``_refund_unissued``). So is a paid
    order of an application withdrawn meanwhile.
    """
    application_type = ContentType.objects.get_for_model(Application)
    application = None
    if order.subject_content_type_id == application_type.pk:
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related(
                "product", "product__insurer", "plan", "renewal_of", "policyholder", "policyholder__user", "created_by"
            )
            .filter(pk=order.subject_id)
            .first()
        )
    if application is None:
        _anomaly(order, None, "no application")
        return
    if application.order_id == order.pk and application.status in (Status.ISSUED, Status.PAID, Status.REFUNDED):
        return
    if application.order_id is None and application.status == Status.PENDING_PAYMENT:
        if order.idempotency_key != order_key(application):
            _anomaly(order, application, "order of another payment attempt")
            return
        Application.objects.filter(pk=application.pk).update(order=order)
        application.order = order
    if application.order_id != order.pk or application.status != Status.PENDING_PAYMENT:
        if (
            application.status == Status.WITHDRAWN
            and _attempt_of(order, application)
            and order.status == PaymentOrder.Status.PAID
        ):
            _refund_unissued(application, order, code="application_withdrawn", message=_("投保单已撤回，未生成保单。"))
            return
        _anomaly(order, application, f"application {application.status}, order {application.order_id}")
        return
    if application.kind == Kind.INSTALMENT:
        _instalment_on_paid(application, order)
        return
    policies = list(
        Policy.objects.select_for_update(of=("self",))
        .filter(application=application, status=PolicyStatus.PENDING_PAYMENT)
        .select_related("insured", "product", "renewal_of")
        .order_by("id")
    )
    if not policies or sum(p.premium_fen for p in policies) != order.amount_fen:
        _anomaly(order, application, "premiums do not add up to the order")
        return
    now = timezone.now()
    effective_at, first_effective_on = _cover_start(application, now)
    try:
        _check_at_issue(application, policies, local_date(effective_at))
    except DomainError as exc:
        _refund_unissued(application, order, code=exc.code, message=str(exc.message))
        return
    for policy in policies:
        _issue(policy, now, effective_at=effective_at, first_effective_on=first_effective_on)
    transition(application, to=Status.ISSUED, actor=None, reason="premium paid", extra_updates={"issued_at": now})
    _notify_issued(application, policies, order)


def _issue(policy: Policy, now: dt.datetime, *, effective_at: dt.datetime, first_effective_on: dt.date) -> None:
    """A pending policy becomes active with a number, cover from ``effective_at`` (see ``_cover_start``)."""
    ends_at = policy_ends_at(policy.product, policy.insured, effective_at)
    transition(
        policy,
        to=PolicyStatus.ACTIVE,
        actor=None,
        reason="premium paid",
        extra_updates={
            "number": new_policy_number(local_date(now)),
            "effective_at": effective_at,
            "ends_at": ends_at,
            "first_effective_on": first_effective_on,
            "issued_at": now,
        },
    )
    replan_soon(policy.family_id, "policy_issued")


def _notify_issued(application: Application, policies: list[Policy], order: PaymentOrder) -> None:
    recipient = user_of(application.policyholder) or application.created_by
    lines = [
        _("%(name)s：保单号 %(number)s，%(start)s 零时起保障至 %(end)s")
        % {
            "name": mask_name(p.insured.name),
            "number": p.number,
            "start": local_date(p.effective_at).isoformat() if p.effective_at else "",
            "end": (local_date(p.ends_at) - dt.timedelta(days=1)).isoformat() if p.ends_at else "",
        }
        for p in policies
    ]
    renewed = application.renewal_of
    if renewed is not None and any(p.effective_at != renewed.ends_at for p in policies):
        lines.append(_("原保单已到期后才完成续保，保障不连续：等待期自新保单生效日起重新计算。"))
    notify(
        recipient=recipient,
        kind="policies.issued",
        title=(_("「%(product)s」续保成功") if application.renewal_of_id else _("「%(product)s」投保成功"))
        % {"product": application.product.name},
        body="\n".join(lines),
        link=f"/policies/applications/{application.pk}/",
        family_id=application.family_id,
        dedupe_key=f"policies.issued:{application.pk}:{order.pk}",
    )
