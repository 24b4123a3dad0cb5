"""Paying for an application and issuing its policies.

``application_pay`` turns a ready application into ``pending_payment`` policy rows (one per
insured member) and one sandbox order (purpose ``premium``) for the sum of their premiums,
credited to the insurer's premium account: when the provider's verified notification arrives,
the payments package posts clearing (asset) +amount / ``insurer:<code>:premiums`` (liability)
−amount and calls ``premium_on_paid``, which issues the policies. Nothing else issues a
policy: an expired order, a forged notification or a wrong amount never reach it.

Double clicks: the application row is locked while it moves to ``pending_payment``; the
order's idempotency key ``application:<id>:premium:<n>`` (n = the how-many-th payment attempt)
makes a repeated or concurrent call return the same order.
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
from kincare.core.errors import Conflict
from kincare.core.fsm import status_history, transition
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_order_create
from kincare.core.pii import mask_name
from kincare.policies.models import Application, ApplicationInsured, Policy
from kincare.policies.services.applications import (
    ACCEPTED_OUTCOMES,
    check_not_insured,
    require_policyholder,
)
from kincare.policies.services.common import (
    add_years,
    insurer_premiums_account,
    loaded_premium_fen,
    local_date,
    local_midnight,
    policy_ends_at,
    user_of,
)
from kincare.policies.services.quotes import QuoteLine, quote_build
from kincare.underwriting.models import UnderwritingDecision

logger = logging.getLogger(__name__)

Status = Application.Status
PolicyStatus = Policy.Status
PURPOSE = "premium"
#: order statuses after which the attempt is over without payment
UNPAID_FINAL = (PaymentOrder.Status.EXPIRED, PaymentOrder.Status.CLOSED, PaymentOrder.Status.FAILED)
#: policy numbers: KC + yyyymmdd + 8 characters without look-alikes (0/O, 1/I)
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def order_key(application: Application) -> str:
    attempt = status_history(application).filter(to_status=Status.PENDING_PAYMENT).count()
    return f"application:{application.pk}:premium:{attempt}"


def new_policy_number(on: dt.date) -> str:
    while True:
        number = f"KC{on:%Y%m%d}" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if not Policy.objects.filter(number=number).exists():
            return number


def lapse_attempt(application: Application, *, actor: Any, reason: str) -> int:
    """The (locked) application's payment attempt is over unpaid: its policies lapse.

    A lapsed renewal attempt lets go of the policy it would have renewed (``renewal_of`` is
    one-to-one; the application keeps the link), so that the next attempt can take it.
    """
    lapsed = 0
    for policy in Policy.objects.select_for_update().filter(
        application=application, status=PolicyStatus.PENDING_PAYMENT
    ):
        transition(policy, to=PolicyStatus.LAPSED, actor=actor, reason=reason, extra_updates={"renewal_of": None})
        lapsed += 1
    transition(application, to=Status.PAYMENT_EXPIRED, actor=actor, reason=reason)
    return lapsed


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


def _requote(application: Application, today: dt.date) -> list[tuple[ApplicationInsured, QuoteLine]]:
    """Check the rules again at the effective date of this payment and refresh the premiums."""
    rows = list(application.insured.select_related("member", "member__family").order_by("id"))
    members = [row.member for row in rows]
    renewal = application.renewal_of
    if renewal is not None:
        if renewal.status != PolicyStatus.ACTIVE or renewal.ends_at is None or renewal.ends_at <= timezone.now():
            raise Conflict(_("原保单已满期或失效，不能再续保"), code="renewal_window_closed", field="application")
        effective_on = local_date(renewal.ends_at)
    else:
        effective_on = today + dt.timedelta(days=1)
        check_not_insured(members, application.product, effective_on)
    quote = quote_build(
        product=application.product,
        plan_code=application.plan.code,
        members=members,
        payment_years=application.payment_years,
        effective_on=effective_on,
        renewal_of=renewal,
        exclude_application=application,
    )
    return list(zip(rows, quote.lines, strict=True))


def _exclusions_for(application: Application, row: ApplicationInsured) -> list[dict[str, Any]]:
    renewal = application.renewal_of
    decision = row.decision
    if renewal is not None and (decision is None or decision.pk == renewal.decision_id):
        return list(renewal.exclusions or [])  # guaranteed renewal: the same terms
    return list(decision.exclusions or []) if decision is not None else []


def _open_attempt(application: Application, *, actor: Any) -> None:
    """ready / payment_expired → pending_payment with fresh policy rows (application locked)."""
    today = timezone.localdate()
    _check_decisions(application, today)
    lines = _requote(application, today)
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
            insured=row.member,
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
    application.save(update_fields=["premium_fen", "updated_at"])
    transition(
        application,
        to=Status.PENDING_PAYMENT,
        actor=actor,
        reason="pay",
        extra_updates={"order": None},
    )


def application_pay(*, actor: Any, application: Application) -> PaymentOrder:
    """Open the premium order of a ready application (or of one whose last order expired).

    Pressing pay again while the order is open returns the same order; a concurrent press
    waits on the application's lock and gets it too.
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
        amount = sum(
            Policy.objects.filter(application=locked, status=PolicyStatus.PENDING_PAYMENT).values_list(
                "premium_fen", flat=True
            )
        )
        key = order_key(locked)
        account = insurer_premiums_account(locked.product.insurer)
    # outside the lock: the provider is called (a concurrent press gets the same order by key)
    order = payment_order_create(
        purpose=PURPOSE,
        amount_fen=amount,
        credit_account=account.code,
        idempotency_key=key,
        payer=actor,
        subject=locked,
        family_id=locked.family_id,
        description=(_("%(product)s 保费") % {"product": locked.product.name})[:128],
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


def premium_on_paid(order: PaymentOrder) -> None:
    """Issue the policies an order paid for (runs in the payment's transaction; idempotent)."""
    application_type = ContentType.objects.get_for_model(Application)
    application = None
    if order.subject_content_type_id == application_type.pk:
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("product", "product__insurer", "renewal_of", "policyholder", "policyholder__user")
            .filter(pk=order.subject_id)
            .first()
        )
    if application is None:
        _anomaly(order, None, "no application")
        return
    if application.status == Status.ISSUED and application.order_id == order.pk:
        return
    if application.order_id is None and application.status == Status.PENDING_PAYMENT:
        if order.idempotency_key != order_key(application):
            _anomaly(order, application, "order of another payment attempt")
            return
        Application.objects.filter(pk=application.pk).update(order=order)
        application.order = order
    if application.order_id != order.pk or application.status != Status.PENDING_PAYMENT:
        _anomaly(order, application, f"application {application.status}, order {application.order_id}")
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
    for policy in policies:
        _issue(policy, now)
    transition(application, to=Status.ISSUED, actor=None, reason="premium paid", extra_updates={"issued_at": now})
    _notify_issued(application, policies, order)


def _issue(policy: Policy, now: dt.datetime) -> None:
    renewed = policy.renewal_of
    if renewed is not None and renewed.ends_at is not None:
        effective_at = renewed.ends_at  # continuous cover: no new waiting period
        first_effective_on = renewed.first_effective_on or local_date(effective_at)
    else:
        effective_at = local_midnight(local_date(now) + dt.timedelta(days=1))
        first_effective_on = local_date(effective_at)
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


def next_premium_on(policy: Policy, today: dt.date) -> dt.date | None:
    """A long-term policy paid over several years: the next yearly premium date (None when paid up)."""
    if policy.effective_at is None or policy.payment_years <= 1:
        return None
    start = local_date(policy.effective_at)
    for year in range(1, policy.payment_years):
        due = add_years(start, year)
        if due >= today:
            return due
    return None
