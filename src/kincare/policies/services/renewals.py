"""Scheduled policy jobs: renewal reminders and offers, lapse of unpaid attempts and of
policies whose yearly instalment is overdue (see ``instalments``), expiry.

Each job is idempotent (a second run the same day changes nothing and notifies nobody again),
runs as a Celery beat task (``kincare.policies.tasks``) and in ``kincare policies jobs``.

Renewals concern one-year products (medical, accident): a renewal is a new ``Policy`` that
starts when the old one ends and keeps its ``first_effective_on`` (no new waiting period).
* guaranteed renewal (保证续保, within ``guaranteed_years`` of the first effective date): the
  same product version, plan, loading and exclusions; the premium re-quoted at the new age.
* otherwise (yearly renewal, or the guaranteed period is over): underwriting runs again on the
  insured's active health declarations (the policyholder's consent on file); accepted → the
  offer, referred → an underwriter decides, declined/postponed → the family is told the policy
  cannot be renewed automatically.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.catalog.models import Product
from kincare.core.audit import audit_record
from kincare.core.errors import DomainError
from kincare.core.fsm import transition
from kincare.core.models import Notification
from kincare.core.notifications import notify
from kincare.core.payments.models import PaymentOrder
from kincare.core.pii import mask_name
from kincare.families.models import HealthDeclaration, Member
from kincare.families.services import consent_active
from kincare.planning.triggers import replan_soon
from kincare.policies.models import Application, ApplicationInsured, Policy
from kincare.policies.services.applications import ACCEPTED_OUTCOMES, refresh_status, withdraw_pending_decisions
from kincare.policies.services.common import (
    LIVE_POLICY_STATUSES,
    ONE_YEAR_CATEGORIES,
    UNPAID_FINAL,
    loaded_premium_fen,
    local_date,
    local_midnight,
    order_key,
    renewal_guaranteed,
    user_of,
)
from kincare.policies.services.instalments import lapse_overdue_instalments
from kincare.policies.services.issuance import lapse_attempt
from kincare.policies.services.quotes import quote_build
from kincare.policies.services.renewal_notices import (
    notify_renewal_offer,
    notify_renewal_unavailable,
    policy_last_day,
    renewal_recipient,
    renewal_unavailable_key,
)
from kincare.underwriting.engine import DeclaredCondition
from kincare.underwriting.form_schemas import conditions_parsed
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.services import underwriting_decide

logger = logging.getLogger(__name__)

Status = Application.Status
RenewalKind = Product.RenewalKind
#: reminders and offers go out this many days before a policy ends
RENEWAL_WINDOW_DAYS = 30
#: a payment attempt whose order was never created (the provider failed) lapses after this
STALE_ATTEMPT = dt.timedelta(days=1)
OPEN_RENEWAL_STATUSES = (Status.UNDERWRITING, Status.MANUAL_REVIEW, Status.READY)


def _clock(today: dt.date | None) -> tuple[dt.date, dt.datetime]:
    if today is None:
        return timezone.localdate(), timezone.now()
    return today, local_midnight(today)


def _ending_soon(today: dt.date, now: dt.datetime) -> QuerySet[Policy]:
    """Active one-year policies ending within the renewal window."""
    return Policy.objects.filter(
        status=Policy.Status.ACTIVE,
        product__category__in=ONE_YEAR_CATEGORIES,
        ends_at__gt=now,
        ends_at__lt=local_midnight(today + dt.timedelta(days=RENEWAL_WINDOW_DAYS + 1)),
    )


# -- reminders ---------------------------------------------------------------------------------


def policies_send_renewal_reminders(*, today: dt.date | None = None) -> int:
    """Tell the policyholder, once, that an active one-year policy ends within 30 days."""
    today, now = _clock(today)
    due = (
        _ending_soon(today, now)
        .filter(renewal_reminded_at__isnull=True)
        .exclude(renewed_by__status__in=LIVE_POLICY_STATUSES)
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if not Policy.objects.filter(pk=pk, renewal_reminded_at__isnull=True).update(
                renewal_reminded_at=timezone.now()
            ):
                continue
            policy = Policy.objects.select_related("product", "insured", "policyholder", "family").get(pk=pk)
            kind = policy.product.renewal_kind
            if kind == RenewalKind.GUARANTEED:
                advice = _("该产品保证续保：续保不重新计算等待期，我们会为您生成续保投保单。")
            elif kind == RenewalKind.YEARLY:
                advice = _("该产品非保证续保，续保时需要重新核保。")
            else:
                advice = _("该产品不可续保，如需继续保障请重新选择产品。")
            notify(
                recipient=renewal_recipient(policy),
                kind="policies.renewal_reminder",
                title=_("「%(product)s」将于 %(day)s 24 时到期")
                % {"product": policy.product.name, "day": policy_last_day(policy)},
                body=_("被保险人 %(name)s，保单号 %(number)s。")
                % {"name": mask_name(policy.insured.name), "number": policy.number}
                + advice,
                link=f"/policies/{policy.pk}/",
                family_id=policy.family_id,
                dedupe_key=f"policies.renewal_reminder:{policy.pk}",
            )
            sent += 1
    return sent


# -- offers ------------------------------------------------------------------------------------


def _conditions_for_renewal(insured: Member) -> tuple[DeclaredCondition, ...] | None:
    """The insured's active declarations as conditions (None without an active consent)."""
    if consent_active(insured) is None:
        return None
    declarations = list(
        HealthDeclaration.objects.filter(family_id=insured.family_id, member=insured, status="active").order_by("id")
    )
    audit_record(
        actor=None,
        actor_label="policies.renewals",
        action="health_data.read",
        subject=insured,
        new={"declarations": [d.pk for d in declarations], "purpose": "renewal_underwriting"},
    )
    conditions = []
    for declaration in declarations:
        payload = declaration.payload or {}
        item: dict[str, Any] = {"code": payload.get("code"), "attributes": dict(payload.get("attributes") or {})}
        if payload.get("diagnosed_on"):
            item["diagnosed_on"] = payload["diagnosed_on"]
        conditions.append(item)
    return conditions_parsed(conditions)


def _offer(policy: Policy, today: dt.date) -> bool:
    """Make the renewal offer of one (locked) policy; False when it cannot be renewed automatically."""
    assert policy.ends_at is not None
    insured = policy.insured
    holder = user_of(policy.policyholder)
    if holder is None or insured.removed_at is not None or insured.deceased_on is not None:
        notify_renewal_unavailable(policy)
        return False
    effective_on = local_date(policy.ends_at)
    guaranteed = renewal_guaranteed(policy, effective_on)
    product: Product | None = policy.product
    if not guaranteed:
        # without a guarantee the insurer renews on the terms it sells today
        product = Product.objects.filter(code=policy.product.code, is_current=True, on_sale=True).first()
        if product is None or policy.product.renewal_kind == RenewalKind.NONE:
            notify_renewal_unavailable(policy, _("该产品已停售。"))
            return False
    assert product is not None
    try:
        quote = quote_build(
            product=product,
            plan_code=policy.plan.code,
            members=[insured],
            payment_years=policy.payment_years,
            effective_on=effective_on,
            renewal_of=policy,
        )
    except DomainError as exc:
        notify_renewal_unavailable(policy, exc.message)
        return False
    assert quote.plan is not None
    line = quote.lines[0]
    decision: UnderwritingDecision | None = None
    if guaranteed:
        decision, loading = policy.decision, policy.loading_pct
    else:
        if product.questionnaire_code:
            conditions = _conditions_for_renewal(insured)
            if conditions is None:
                notify_renewal_unavailable(policy, _("续保需要重新核保，请先同意健康信息处理规则后重新投保。"))
                return False
            decision = underwriting_decide(
                actor=holder, member=insured, product=product, conditions=conditions, on_date=today
            )
        accepted = decision is not None and decision.status == "decided" and decision.outcome in ACCEPTED_OUTCOMES
        loading = decision.loading_pct if accepted and decision is not None else 0
    application = Application(
        family_id=policy.family_id,
        kind=Application.Kind.RENEWAL,
        product=product,
        plan=quote.plan,
        payment_years=quote.payment_years,
        policyholder=policy.policyholder,
        status=Status.UNDERWRITING,
        premium_fen=loaded_premium_fen(line.base_premium_fen, loading),
        renewal_of=policy,
        created_by=holder,
    )
    application.beneficiaries = policy.beneficiaries or {}
    application.save()
    ApplicationInsured.objects.create(
        application=application,
        member=insured,
        decision=decision,
        base_premium_fen=line.base_premium_fen,
        loading_pct=loading,
        premium_fen=application.premium_fen,
        death_benefit_fen=line.death_benefit_fen,
    )
    audit_record(
        actor=None,
        actor_label="policies.renewals",
        action="application.renewal_offered",
        subject=application,
        new={"renewal_of": policy.pk, "guaranteed": guaranteed, "premium_fen": application.premium_fen},
    )
    if guaranteed:
        transition(application, to=Status.READY, actor=None, reason="guaranteed renewal")
    else:
        refresh_status(application, actor=None, reason="renewal underwriting")
    if application.status == Status.READY:
        notify_renewal_offer(application)
    elif application.status == Status.DECLINED:
        notify_renewal_unavailable(policy, _("重新核保未通过。"))
    return True


def policies_offer_renewals(*, today: dt.date | None = None) -> int:
    """Renewal applications for one-year policies ending within 30 days; returns how many were made."""
    today, now = _clock(today)
    due = (
        _ending_soon(today, now)
        .filter(product__renewal_kind__in=(RenewalKind.GUARANTEED, RenewalKind.YEARLY))
        .exclude(renewed_by__status__in=LIVE_POLICY_STATUSES)
        .exclude(renewal_applications__kind=Application.Kind.RENEWAL)
        .values_list("pk", flat=True)
    )
    made = 0
    for pk in list(due):
        if Notification.objects.filter(dedupe_key=renewal_unavailable_key(pk)).exists():
            continue
        try:
            with transaction.atomic():
                policy = (
                    Policy.objects.select_for_update(of=("self",))
                    .select_related("product", "plan", "insured", "policyholder", "policyholder__user", "family")
                    .filter(pk=pk, status=Policy.Status.ACTIVE)
                    .first()
                )
                if (
                    policy is None
                    or Application.objects.filter(renewal_of=policy, kind=Application.Kind.RENEWAL).exists()
                ):
                    continue
                made += int(_offer(policy, today))
        except Exception:
            logger.exception("renewal offer for policy %s failed; retried on the next run", pk)
    return made


# -- lapse and expiry --------------------------------------------------------------------------


def policies_lapse_unpaid(*, now: dt.datetime | None = None) -> int:
    """Pending policies whose order expired, closed or failed lapse (the application → payment_expired);
    so do active policies whose yearly instalment is still unpaid when the 60-day grace period
    is over. Returns how many policies lapsed."""
    now = now or timezone.now()
    due = (
        Application.objects.filter(status=Status.PENDING_PAYMENT)
        .filter(Q(order__status__in=UNPAID_FINAL) | Q(order__isnull=True, updated_at__lt=now - STALE_ATTEMPT))
        .values_list("pk", flat=True)
    )
    lapsed = 0
    for pk in list(due):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("order")
                .filter(pk=pk, status=Status.PENDING_PAYMENT)
                .first()
            )
            if application is None:
                continue
            order = application.order
            if order is None:
                # the order may exist without the link (the request died between the two writes)
                order = PaymentOrder.objects.filter(idempotency_key=order_key(application)).first()
                if order is not None:
                    Application.objects.filter(pk=pk).update(order=order)
                    if order.status not in UNPAID_FINAL:
                        continue
            reason = f"order {order.status}" if order is not None else "no order"
            lapsed += lapse_attempt(application, actor=None, reason=reason)
    return lapsed + lapse_overdue_instalments(now=now)


def policies_expire_due(*, now: dt.datetime | None = None) -> int:
    """Active policies past their end become expired; renewal offers nobody took are withdrawn."""
    now = now or timezone.now()
    due = Policy.objects.filter(status=Policy.Status.ACTIVE, ends_at__lte=now).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            policy = Policy.objects.select_for_update().filter(pk=pk, status=Policy.Status.ACTIVE).first()
            if policy is None or policy.ends_at is None or policy.ends_at > now:
                continue
            transition(policy, to=Policy.Status.EXPIRED, actor=None, reason="ends_at")
            replan_soon(policy.family_id, "policy_ended")
            expired += 1
            for offer in Application.objects.select_for_update().filter(
                renewal_of=policy, status__in=OPEN_RENEWAL_STATUSES
            ):
                transition(offer, to=Status.WITHDRAWN, actor=None, reason="policy expired")
                withdraw_pending_decisions(offer, actor=None, reason="policy expired")
    return expired
