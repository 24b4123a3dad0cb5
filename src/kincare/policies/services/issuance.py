"""Paying for an application and issuing its policies.

``application_pay`` turns a ready application into ``pending_payment`` policy rows (one per
insured member) and one sandbox order (purpose ``premium``) for the sum of their premiums,
credited to the insurer's premium account: when the provider's verified notification arrives,
the payments package posts clearing (asset) +amount / ``insurer:<code>:premiums`` (liability)
−amount and calls ``premium_on_paid``, which issues the policies. Nothing else issues a
policy: an expired order, a forged notification or a wrong amount never reach it. An
instalment application (``kind="instalment"``, see ``instalments``) is paid the same way and
adds one annual premium to its policy instead.

Double clicks: the application row is locked while it moves to ``pending_payment``; the
order's idempotency key ``application:<id>:premium:<n>`` (n = the how-many-th payment attempt)
makes a repeated or concurrent call return the same order.

Concurrent applications for the same person: pressing pay locks the insured members' rows
before the rules are checked (the minors' death-benefit cap, "already insured"), so two
attempts for one member are checked one after the other and the second sees the first's
pending policies. ``premium_on_paid`` checks the rules again, against the cover in force, at
the day cover really starts; if one no longer holds, nothing is issued, the order is refunded
in full (``payment_refund``: reserved in the payment's transaction, sent to the provider after
it commits), the application becomes ``refunded`` and the policyholder is told why.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, DomainError, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_order_create, payment_refund
from kincare.core.pii import mask_name
from kincare.families.models import Member
from kincare.planning.triggers import replan_soon
from kincare.policies.models import Application, ApplicationInsured, Policy
from kincare.policies.services.applications import (
    ACCEPTED_OUTCOMES,
    check_not_insured,
    lapse_pending_policies,
    require_policyholder,
)
from kincare.policies.services.common import (
    ISSUED_POLICY_STATUSES,
    UNPAID_FINAL,
    insurer_premiums_account,
    loaded_premium_fen,
    local_date,
    local_midnight,
    order_key,
    policy_ends_at,
    user_of,
)
from kincare.policies.services.instalments import (
    instalment_policy_locked,
    instalment_record_paid,
    next_premium_on,
)
from kincare.policies.services.quotes import QuoteLine, quote_build
from kincare.underwriting.models import UnderwritingDecision

logger = logging.getLogger(__name__)

__all__ = [
    "UNPAID_FINAL",
    "application_pay",
    "lapse_attempt",
    "next_premium_on",
    "order_key",
    "premium_on_paid",
]

Status = Application.Status
PolicyStatus = Policy.Status
Kind = Application.Kind
PURPOSE = "premium"
#: policy numbers: KC + yyyymmdd + 8 characters without look-alikes (0/O, 1/I)
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_policy_number(on: dt.date) -> str:
    while True:
        number = f"KC{on:%Y%m%d}" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if not Policy.objects.filter(number=number).exists():
            return number


def lapse_attempt(application: Application, *, actor: Any, reason: str) -> int:
    """The (locked) application's payment attempt is over unpaid: its policies lapse."""
    lapsed = lapse_pending_policies(application, actor=actor, reason=reason)
    transition(application, to=Status.PAYMENT_EXPIRED, actor=actor, reason=reason)
    return lapsed


def lock_members(member_ids: list[int]) -> dict[int, Member]:
    """Lock the insured members' rows, in primary-key order (no deadlock between two payers),
    so that the rules across a member's policies are checked by one payment at a time."""
    return {member.pk: member for member in Member.objects.select_for_update().filter(pk__in=member_ids).order_by("pk")}


def _check_decisions(application: Application, today: dt.date) -> None:
    if application.renewal_of_id is not None:
        return
    for row in application.insured.select_related("decision"):
        decision = row.decision
        if decision is None:
            if application.product.questionnaire_code:
                raise Conflict(_("请先完成健康告知"), code="underwriting_incomplete", field="application")
            continue
        if decision.status != UnderwritingDecision.Status.DECIDED or decision.outcome not in ACCEPTED_OUTCOMES:
            raise Conflict(_("核保未通过，不能支付"), code="application_not_payable", field="application")
        if decision.valid_until < today:
            raise Conflict(_("核保结论已过有效期，请重新填写健康告知"), code="decision_expired", field="application")


def _requote(
    application: Application, today: dt.date, members: dict[int, Member]
) -> tuple[dt.date, list[tuple[ApplicationInsured, QuoteLine]]]:
    """Check the rules again at the effective date of this payment and refresh the premiums
    (the insured members' rows are locked by the caller)."""
    rows = list(application.insured.order_by("id"))
    insured = [members[row.member_id] for row in rows]
    renewal = application.renewal_of
    if renewal is not None:
        if renewal.status != PolicyStatus.ACTIVE or renewal.ends_at is None or renewal.ends_at <= timezone.now():
            raise Conflict(_("原保单已满期或失效，不能再续保"), code="renewal_window_closed", field="application")
        effective_on = local_date(renewal.ends_at)
    else:
        effective_on = today + dt.timedelta(days=1)
        check_not_insured(insured, application.product, effective_on, exclude_application=application)
    quote = quote_build(
        product=application.product,
        plan_code=application.plan.code,
        members=insured,
        payment_years=application.payment_years,
        effective_on=effective_on,
        renewal_of=renewal,
        exclude_application=application,
    )
    return effective_on, list(zip(rows, quote.lines, strict=True))


def _exclusions_for(application: Application, row: ApplicationInsured) -> list[dict[str, Any]]:
    renewal = application.renewal_of
    decision = row.decision
    if renewal is not None and (decision is None or decision.pk == renewal.decision_id):
        return list(renewal.exclusions or [])  # guaranteed renewal: the same terms
    return list(decision.exclusions or []) if decision is not None else []


def _open_instalment(application: Application, *, actor: Any) -> None:
    """An instalment: the policy must still be active and this premium unpaid; no policy rows."""
    instalment_policy_locked(application, today=timezone.localdate())
    transition(application, to=Status.PENDING_PAYMENT, actor=actor, reason="pay", extra_updates={"order": None})


def _open_attempt(application: Application, *, actor: Any) -> None:
    """ready / payment_expired → pending_payment with fresh policy rows (application locked).

    The insured members' rows are locked first: a concurrent attempt for the same member
    (another application) waits, then sees this one's pending policies.
    """
    if application.kind == Kind.INSTALMENT:
        _open_instalment(application, actor=actor)
        return
    today = timezone.localdate()
    _check_decisions(application, today)
    members = lock_members(list(application.insured.values_list("member_id", flat=True)))
    effective_on, lines = _requote(application, today, members)
    total = 0
    for row, line in lines:
        row.base_premium_fen = line.base_premium_fen
        row.death_benefit_fen = line.death_benefit_fen
        row.premium_fen = loaded_premium_fen(line.base_premium_fen, row.loading_pct)
        row.save(update_fields=["base_premium_fen", "death_benefit_fen", "premium_fen"])
        total += row.premium_fen
        policy = Policy(
            family_id=application.family_id,
            application=application,
            product=application.product,
            plan=application.plan,
            policyholder=application.policyholder,
            insured_id=row.member_id,
            decision=row.decision,
            sum_insured_fen=application.plan.cover_fen,
            death_benefit_fen=row.death_benefit_fen,
            base_premium_fen=row.base_premium_fen,
            loading_pct=row.loading_pct,
            premium_fen=row.premium_fen,
            payment_years=application.payment_years,
            status=PolicyStatus.PENDING_PAYMENT,
            renewal_of=application.renewal_of,
        )
        policy.beneficiaries = application.beneficiaries or {}
        policy.exclusions = _exclusions_for(application, row)
        policy.save()
    application.premium_fen = total
    application.effective_on = effective_on
    application.save(update_fields=["premium_fen", "effective_on", "updated_at"])
    transition(
        application,
        to=Status.PENDING_PAYMENT,
        actor=actor,
        reason="pay",
        extra_updates={"order": None},
    )


def _attempt_amount_fen(application: Application) -> int:
    if application.kind == Kind.INSTALMENT:
        return application.premium_fen
    return sum(
        Policy.objects.filter(application=application, status=PolicyStatus.PENDING_PAYMENT).values_list(
            "premium_fen", flat=True
        )
    )


def application_pay(*, actor: Any, application: Application) -> PaymentOrder:
    """Open the premium order of a ready application (or of one whose last order expired).

    Pressing pay again while the order is open returns the same order; a concurrent press
    waits on the application's lock and gets it too. The day cover will start is kept on the
    application (``effective_on``) and is the day ``premium_on_paid`` issues with.
    """
    require_policyholder(actor, application)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("product", "product__insurer", "plan", "order", "renewal_of", "created_by")
            .get(pk=application.pk)
        )
        order = locked.order
        if locked.status == Status.PENDING_PAYMENT and order is not None and order.status in UNPAID_FINAL:
            lapse_attempt(locked, actor=actor, reason=f"order {order.status}")
            order = None
        if locked.status == Status.PENDING_PAYMENT:
            if order is not None:
                return order
        elif locked.status in (Status.READY, Status.PAYMENT_EXPIRED):
            _open_attempt(locked, actor=actor)
        else:
            raise Conflict(
                _("这张投保单当前状态为“%(status)s”，不能支付") % {"status": locked.get_status_display()},
                code="application_not_payable",
                field="application",
            )
        amount = _attempt_amount_fen(locked)
        key = order_key(locked)
        account = insurer_premiums_account(locked.product.insurer)
    if locked.kind == Kind.INSTALMENT:
        description = _("%(product)s 第 %(year)d 期保费") % {
            "product": locked.product.name,
            "year": locked.instalment_year or 0,
        }
    else:
        description = _("%(product)s 保费") % {"product": locked.product.name}
    # outside the lock: the provider is called (a concurrent press gets the same order by key)
    order = payment_order_create(
        purpose=PURPOSE,
        amount_fen=amount,
        credit_account=account.code,
        idempotency_key=key,
        payer=actor,
        subject=locked,
        family_id=locked.family_id,
        description=description[:128],
    )
    Application.objects.filter(pk=locked.pk, status=Status.PENDING_PAYMENT, order__isnull=True).update(
        order=order, updated_at=timezone.now()
    )
    return order


# -- the purpose handler -----------------------------------------------------------------------


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
