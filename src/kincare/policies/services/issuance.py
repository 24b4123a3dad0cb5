"""Paying for an application: the premium order (``premium_on_paid`` in ``premiums`` issues).

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
pending policies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.errors import Conflict
from kincare.core.fsm import transition
from kincare.core.payments.models import PaymentOrder
from kincare.core.payments.services import payment_order_create
from kincare.families.models import Member
from kincare.policies.models import Application, ApplicationInsured, Policy
from kincare.policies.services.applications import (
    ACCEPTED_OUTCOMES,
    check_not_insured,
    lapse_pending_policies,
    require_policyholder,
)
from kincare.policies.services.common import (
    UNPAID_FINAL,
    insurer_premiums_account,
    loaded_premium_fen,
    local_date,
    order_key,
)
from kincare.policies.services.instalments import instalment_policy_locked
from kincare.policies.services.quotes import QuoteLine, quote_build
from kincare.underwriting.models import UnderwritingDecision

__all__ = ["PURPOSE", "application_pay", "lapse_attempt", "lock_members"]

Status = Application.Status
PolicyStatus = Policy.Status
Kind = Application.Kind
PURPOSE = "premium"


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
