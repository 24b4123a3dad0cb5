"""Yearly instalments (续期保费) of long-term policies paid over several years.

A long-term policy (term life, critical illness) with ``payment_years`` = N is paid by N
annual premiums: the first one buys it; the k-th (k = 2 … N) is due on the (k − 1)-th
anniversary of the effective date. ``Policy.premiums_paid`` counts the premiums paid.

* ``policies_offer_instalments`` (beat, ``kincare policies jobs``): 30 days before a due date
  an instalment application is opened (``kind="instalment"``, ``renewal_of`` the policy,
  ``instalment_year`` k; at most one per policy and year), ready to pay the policy's annual
  premium, and the policyholder is notified. It is paid like any application
  (``application_pay``, then the verified notification runs ``premium_on_paid``), which adds
  one to ``premiums_paid`` and issues no new policy. The money posts like every premium:
  clearing (asset) → the insurer's premium account (liability).
* Grace period (宽限期, 保险法第三十六条): cover carries on for 60 days after the due date (the
  due date itself not counted, 民法典第二百零一条). A premium still unpaid when they are over
  lapses the policy (``lapse_overdue_instalments``, run by ``policies_lapse_unpaid``) and the
  family is told; a payment under way at that moment (its order still open) is waited for.
* After the N-th premium nothing more is due: no offer, no lapse.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.core.audit import audit_record
from kincare.core.errors import Conflict
from kincare.core.fsm import transition
from kincare.core.money import format_yuan_cn
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentOrder
from kincare.core.pii import mask_name
from kincare.planning.triggers import replan_soon
from kincare.policies.models import Application, ApplicationInsured, Policy
from kincare.policies.services.common import UNPAID_FINAL, add_years, local_date, local_midnight, order_key, user_of

logger = logging.getLogger(__name__)

Status = Application.Status
#: an instalment is offered this many days before it is due
INSTALMENT_WINDOW_DAYS = 30
#: 宽限期: cover carries on this many days after the due date
GRACE_DAYS = 60
#: instalment applications that may still be paid
OPEN_INSTALMENT_STATUSES = (Status.READY, Status.PENDING_PAYMENT, Status.PAYMENT_EXPIRED)


def instalment_due_on(policy: Policy, year: int) -> dt.date | None:
    """The day the ``year``-th annual premium is due (None for the first, or before issue)."""
    if policy.effective_at is None or year < 2:
        return None
    return add_years(local_date(policy.effective_at), year - 1)


def grace_last_day(due_on: dt.date) -> dt.date:
    """The last day of cover without the premium: the 60th day after the due date."""
    return due_on + dt.timedelta(days=GRACE_DAYS)


def next_instalment_year(policy: Policy) -> int | None:
    """The how-many-th annual premium comes next (None when paid up)."""
    if policy.payment_years <= 1 or policy.premiums_paid >= policy.payment_years:
        return None
    return policy.premiums_paid + 1


def next_premium_on(policy: Policy, today: dt.date | None = None) -> dt.date | None:
    """A long-term policy paid over several years: the day the next annual premium is due
    (possibly past, within the grace period); None when paid up. ``today`` is not needed any
    more (the paid premiums are counted) and kept for callers."""
    del today
    year = next_instalment_year(policy)
    return instalment_due_on(policy, year) if year is not None else None


def _recipient(policy: Policy) -> Any:
    return user_of(policy.policyholder) or policy.family.guardian


def _candidates() -> list[tuple[int, dt.datetime, int]]:
    """Active policies with annual premiums still to come: (pk, effective_at, premiums_paid)."""
    rows = (
        Policy.objects.filter(
            status=Policy.Status.ACTIVE,
            payment_years__gt=1,
            premiums_paid__lt=F("payment_years"),
            effective_at__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", "effective_at", "premiums_paid")
    )
    return [(pk, effective_at, paid) for pk, effective_at, paid in rows if effective_at is not None]


def _due_on(effective_at: dt.datetime, premiums_paid: int) -> dt.date:
    return add_years(local_date(effective_at), premiums_paid)


# -- offers ------------------------------------------------------------------------------------


def notify_instalment_due(application: Application, policy: Policy, due_on: dt.date) -> None:
    notify(
        recipient=_recipient(policy),
        kind="policies.instalment_due",
        title=_("「%(product)s」第 %(year)d 期保费待缴")
        % {"product": policy.product.name, "year": application.instalment_year},
        body=_(
            "被保险人 %(name)s，保单号 %(number)s，第 %(year)d 期保费 %(amount)s，应缴日 %(due)s。"
            "请在 %(last)s 前缴纳：宽限期内保障照常；逾期未缴，保单将失效。"
        )
        % {
            "name": mask_name(policy.insured.name),
            "number": policy.number,
            "year": application.instalment_year,
            "amount": format_yuan_cn(application.premium_fen),
            "due": due_on.isoformat(),
            "last": grace_last_day(due_on).isoformat(),
        },
        link=f"/policies/applications/{application.pk}/",
        family_id=policy.family_id,
        dedupe_key=f"policies.instalment_due:{policy.pk}:{application.instalment_year}",
    )


def _offer(policy: Policy, year: int, due_on: dt.date) -> Application:
    """The payable instalment application of one (locked) policy."""
    holder = user_of(policy.policyholder) or policy.family.guardian
    application = Application(
        family_id=policy.family_id,
        kind=Application.Kind.INSTALMENT,
        product=policy.product,
        plan=policy.plan,
        payment_years=policy.payment_years,
        policyholder=policy.policyholder,
        status=Status.UNDERWRITING,
        premium_fen=policy.premium_fen,
        renewal_of=policy,
        instalment_year=year,
        effective_on=due_on,
        created_by=holder,
    )
    application.beneficiaries = policy.beneficiaries or {}
    application.save()
    ApplicationInsured.objects.create(
        application=application,
        member=policy.insured,
        decision=policy.decision,
        base_premium_fen=policy.base_premium_fen,
        loading_pct=policy.loading_pct,
        premium_fen=policy.premium_fen,
        death_benefit_fen=policy.death_benefit_fen,
    )
    transition(application, to=Status.READY, actor=None, reason="instalment due")
    audit_record(
        actor=None,
        actor_label="policies.instalments",
        action="application.instalment_offered",
        subject=application,
        new={"policy": policy.pk, "year": year, "due_on": due_on.isoformat(), "premium_fen": policy.premium_fen},
    )
    notify_instalment_due(application, policy, due_on)
    return application


def policies_offer_instalments(*, today: dt.date | None = None) -> int:
    """Open the instalment applications due within 30 days (and not yet lapsed); returns how many."""
    today = today or timezone.localdate()
    made = 0
    for pk, effective_at, paid in _candidates():
        due_on = _due_on(effective_at, paid)
        if today < due_on - dt.timedelta(days=INSTALMENT_WINDOW_DAYS) or today > grace_last_day(due_on):
            continue
        year = paid + 1
        offered = Application.objects.filter(renewal_of_id=pk, kind=Application.Kind.INSTALMENT, instalment_year=year)
        if offered.exists():
            continue
        try:
            with transaction.atomic():
                policy = (
                    Policy.objects.select_for_update(of=("self",))
                    .select_related("product", "plan", "insured", "policyholder", "policyholder__user", "family")
                    .filter(pk=pk, status=Policy.Status.ACTIVE, premiums_paid=paid)
                    .first()
                )
                if (
                    policy is None
                    or Application.objects.filter(
                        renewal_of=policy, kind=Application.Kind.INSTALMENT, instalment_year=year
                    ).exists()
                ):
                    continue
                _offer(policy, year, due_on)
                made += 1
        except Exception:
            logger.exception("instalment offer for policy %s failed; retried on the next run", pk)
    return made


# -- paying ------------------------------------------------------------------------------------


def instalment_policy_locked(application: Application, *, today: dt.date | None = None) -> Policy:
    """The (locked) policy whose premium an instalment application collects, or Conflict when
    it cannot be paid any more. With ``today`` (pay pressed): refused after the grace period."""
    policy = (
        Policy.objects.select_for_update(of=("self",))
        .select_related("product", "insured", "policyholder", "family")
        .get(pk=application.renewal_of_id or 0)
    )
    year = application.instalment_year or 0
    if policy.status != Policy.Status.ACTIVE:
        raise Conflict(_("保单已不在保障中，不能缴纳续期保费"), code="policy_not_active", field="application")
    if policy.premiums_paid != year - 1:
        raise Conflict(_("这一期保费已缴纳"), code="instalment_already_paid", field="application")
    due_on = instalment_due_on(policy, year)
    if today is not None and due_on is not None and today > grace_last_day(due_on):
        raise Conflict(
            _("已超过 %(days)d 天宽限期，保单效力中止，不能再缴纳本期保费") % {"days": GRACE_DAYS},
            code="grace_period_over",
            field="application",
        )
    return policy


def instalment_record_paid(application: Application, policy: Policy, order: PaymentOrder, now: dt.datetime) -> None:
    """The (locked) instalment application was paid: one more annual premium on the (locked) policy."""
    year = application.instalment_year or 0
    Policy.objects.filter(pk=policy.pk, premiums_paid=year - 1).update(premiums_paid=year)
    policy.premiums_paid = year
    transition(application, to=Status.PAID, actor=None, reason="premium paid", extra_updates={"issued_at": now})
    audit_record(
        actor=None,
        actor_label="policies.premium_on_paid",
        action="policy.instalment_paid",
        subject=policy,
        family_id=policy.family_id,
        new={"year": year, "premiums_paid": year, "order": order.out_trade_no, "amount_fen": order.amount_fen},
    )
    following = next_premium_on(policy)
    notify(
        recipient=_recipient(policy),
        kind="policies.instalment_paid",
        title=_("「%(product)s」第 %(year)d 期保费已缴纳") % {"product": policy.product.name, "year": year},
        body=_("保单号 %(number)s（被保险人 %(name)s）保障继续有效。")
        % {"number": policy.number, "name": mask_name(policy.insured.name)}
        + (
            _("下一期保费应缴日：%(day)s。") % {"day": following.isoformat()}
            if following is not None
            else _("保费已全部缴清。")
        ),
        link=f"/policies/{policy.pk}/",
        family_id=policy.family_id,
        dedupe_key=f"policies.instalment_paid:{policy.pk}:{year}",
    )


# -- lapse -------------------------------------------------------------------------------------


def _payment_under_way(application: Application) -> bool:
    if application.status != Status.PENDING_PAYMENT:
        return False
    order = application.order or PaymentOrder.objects.filter(idempotency_key=order_key(application)).first()
    return order is not None and order.status not in UNPAID_FINAL


def _lapse(policy: Policy, year: int, due_on: dt.date) -> bool:
    """Lapse one (locked) policy whose ``year``-th premium is overdue; False while it is being paid."""
    open_offers = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(renewal_of=policy, kind=Application.Kind.INSTALMENT, status__in=OPEN_INSTALMENT_STATUSES)
    )
    if any(_payment_under_way(offer) for offer in open_offers):
        return False
    for offer in open_offers:
        transition(offer, to=Status.WITHDRAWN, actor=None, reason="grace period over")
    transition(policy, to=Policy.Status.LAPSED, actor=None, reason=f"instalment {year} unpaid")
    replan_soon(policy.family_id, "policy_ended")
    notify(
        recipient=_recipient(policy),
        kind="policies.lapsed",
        title=_("「%(product)s」因未缴续期保费已失效") % {"product": policy.product.name},
        body=_(
            "保单号 %(number)s（被保险人 %(name)s）第 %(year)d 期保费应缴日为 %(due)s，"
            "%(days)d 天宽限期内未缴纳，保单自 %(from)s 起失效。如需恢复效力，请联系保险公司。"
        )
        % {
            "number": policy.number,
            "name": mask_name(policy.insured.name),
            "year": year,
            "due": due_on.isoformat(),
            "days": GRACE_DAYS,
            "from": (grace_last_day(due_on) + dt.timedelta(days=1)).isoformat(),
        },
        link=f"/policies/{policy.pk}/",
        family_id=policy.family_id,
        dedupe_key=f"policies.lapsed:{policy.pk}",
    )
    return True


def lapse_overdue_instalments(*, now: dt.datetime | None = None) -> int:
    """Policies whose annual premium is unpaid when the 60-day grace period is over lapse; returns how many."""
    now = now or timezone.now()
    today = local_date(now)
    lapsed = 0
    for pk, effective_at, paid in _candidates():
        due_on = _due_on(effective_at, paid)
        if now < local_midnight(grace_last_day(due_on) + dt.timedelta(days=1)):
            continue
        with transaction.atomic():
            policy = (
                Policy.objects.select_for_update(of=("self",))
                .select_related("product", "insured", "policyholder", "policyholder__user", "family")
                .filter(pk=pk, status=Policy.Status.ACTIVE, premiums_paid=paid)
                .first()
            )
            if policy is None or (policy.ends_at is not None and local_date(policy.ends_at) <= today):
                continue  # paid meanwhile, or ended anyway (the expiry job's)
            lapsed += int(_lapse(policy, paid + 1, due_on))
    return lapsed
