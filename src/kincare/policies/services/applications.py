"""Applications (投保单): create, answer the health questionnaire per insured, beneficiaries.

Status pipeline (``Application.TRANSITIONS``): ``underwriting`` while some insured member has
not answered; ``manual_review`` while an underwriter decides one of them; ``ready`` once every
insured member is accepted (standard or conditional: the loading is priced in); ``declined``
as soon as one is declined or postponed (the reason is on the decision). Products without a
health questionnaire (accident cover) are ``ready`` at once. A declined application withdraws
the insured's other cases still waiting for an underwriter (they leave the manual queue).

An application that ran out of time to pay (``payment_expired``) can be answered again (its
decision may have expired meanwhile): it goes back through ``underwriting``. The policyholder
may withdraw any application not yet issued (``application_withdraw``), except while a
payment is under way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.catalog.models import Product
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition
from kincare.core.payments.models import PaymentOrder
from kincare.families.engine import is_minor
from kincare.families.models import Member
from kincare.families.policies import member_policy
from kincare.policies.form_schemas import Beneficiaries
from kincare.policies.models import Application, ApplicationInsured, Policy
from kincare.policies.policies import application_policy, may_insure
from kincare.policies.services.common import (
    LIFE_CATEGORIES,
    LIVE_POLICY_STATUSES,
    UNPAID_FINAL,
    loaded_premium_fen,
    local_midnight,
    order_key,
)
from kincare.policies.services.quotes import policy_quote
from kincare.policies.services.renewal_notices import notify_renewal_offer, notify_renewal_unavailable
from kincare.underwriting.engine import DeclaredCondition
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.services import underwriting_decide

Status = Application.Status
ACCEPTED_OUTCOMES = (UnderwritingDecision.Outcome.STANDARD, UnderwritingDecision.Outcome.CONDITIONAL)
#: an application whose answers may still change
ANSWERABLE = (Status.UNDERWRITING, Status.MANUAL_REVIEW, Status.READY, Status.PAYMENT_EXPIRED)
#: an application the policyholder may still withdraw (not while an order is open)
WITHDRAWABLE = (
    Status.UNDERWRITING,
    Status.MANUAL_REVIEW,
    Status.READY,
    Status.PENDING_PAYMENT,
    Status.PAYMENT_EXPIRED,
)
#: an application that may still go on to payment
OPEN_STATUSES = (*WITHDRAWABLE,)
MAX_WITHDRAW_REASON = 300


def require_policyholder(actor: Any, application: Application) -> Application:
    """404 for outsiders; 403 for a family member who is not the policyholder."""
    application_policy.require(actor, "view", application)
    if not application_policy.can(actor, "act", application):
        raise PermissionDenied(_("只有投保人本人可以操作这张投保单"), code="not_policyholder")
    return application


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("product", "plan").get(pk=application.pk)


def already_insured(
    member: Member,
    product: Product,
    effective_on: dt.date,
    *,
    exclude_application: Application | None = None,
    statuses: tuple[str, ...] = LIVE_POLICY_STATUSES,
) -> bool:
    """The member has live cover (``statuses``) from this product (any version) on ``effective_on``."""
    found = Policy.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=local_midnight(effective_on)),
        family_id=member.family_id,
        insured=member,
        product__code=product.code,
        status__in=statuses,
    )
    if exclude_application is not None:
        found = found.exclude(application=exclude_application)
    return found.exists()


def check_not_insured(
    members: list[Member],
    product: Product,
    effective_on: dt.date,
    *,
    exclude_application: Application | None = None,
    statuses: tuple[str, ...] = LIVE_POLICY_STATUSES,
) -> None:
    for member in members:
        if already_insured(member, product, effective_on, exclude_application=exclude_application, statuses=statuses):
            raise ValidationFailed(
                _("%(name)s 已投保该产品，保障期内不能重复投保") % {"name": member.name},
                code="already_insured",
                field="insured",
            )


@transaction.atomic
def application_create(
    *,
    actor: Any,
    product: Product,
    plan_code: str,
    policyholder: Member,
    insured: list[Member],
    payment_years: int | None = None,
) -> Application:
    """The policyholder (an adult, real-name verified member applying for themselves) applies
    to insure members of the family: the guardian any member, another adult only themselves."""
    member_policy.require(actor, "view", policyholder)
    if policyholder.user_id != actor.pk:
        raise PermissionDenied(_("投保人须为本人"), code="policyholder_not_self", field="policyholder")
    today = timezone.localdate()
    if is_minor(policyholder.birth_date, today):
        raise ValidationFailed(_("投保人须年满 18 周岁"), code="policyholder_minor", field="policyholder")
    if not actor.is_real_name_verified:
        raise ValidationFailed(_("投保前请先完成实名认证"), code="policyholder_not_verified", field="policyholder")
    if not insured:
        raise ValidationFailed(_("请选择被保险人"), code="insured_empty", field="insured")
    if len({m.pk for m in insured}) != len(insured):
        raise ValidationFailed(_("同一位家庭成员不能重复选择"), code="insured_duplicate", field="insured")
    for member in insured:
        member_policy.require(actor, "view", member)
        if member.family_id != policyholder.family_id or not may_insure(actor, member):
            raise PermissionDenied(
                _("只有监护人可以为其他家庭成员投保；成年成员只能为自己投保"),
                code="insured_not_allowed",
                field="insured",
            )
    check_not_insured(insured, product, today + dt.timedelta(days=1))
    quote = policy_quote(product=product, plan_code=plan_code, members=insured, payment_years=payment_years)
    assert quote.plan is not None
    application = Application(
        family_id=policyholder.family_id,
        product=product,
        plan=quote.plan,
        payment_years=quote.payment_years,
        policyholder=policyholder,
        status=Status.UNDERWRITING,
        premium_fen=quote.total_fen,
        created_by=actor,
    )
    application.beneficiaries = {"kind": "legal"} if product.category in LIFE_CATEGORIES else {}
    application.save()
    ApplicationInsured.objects.bulk_create(
        ApplicationInsured(
            application=application,
            member=line.member,
            base_premium_fen=line.base_premium_fen,
            loading_pct=0,
            premium_fen=line.base_premium_fen,
            death_benefit_fen=line.death_benefit_fen,
        )
        for line in quote.lines
    )
    audit_record(
        actor=actor,
        action="application.created",
        subject=application,
        new={
            "product": product.code,
            "plan": quote.plan.code,
            "payment_years": quote.payment_years,
            "insured": [m.pk for m in insured],
            "premium_fen": quote.total_fen,
        },
    )
    if not product.questionnaire_code:
        # no health questions (accident cover): every insured member is accepted as standard
        transition(application, to=Status.READY, actor=actor, reason="no_questionnaire")
    return application


# -- the insured's underwriting state drives the application's status ---------------------------


def _insured_state(insured: ApplicationInsured, product: Product) -> str:
    decision = insured.decision
    if decision is None or decision.status == UnderwritingDecision.Status.WITHDRAWN:
        return "missing" if product.questionnaire_code else "accepted"
    if decision.status == UnderwritingDecision.Status.PENDING:
        return "pending"
    return "accepted" if decision.outcome in ACCEPTED_OUTCOMES else "refused"


def target_status(application: Application) -> str:
    states = {
        _insured_state(row, application.product)
        for row in application.insured.select_related("decision").order_by("id")
    }
    if "refused" in states:
        return Status.DECLINED
    if "missing" in states:
        return Status.UNDERWRITING
    if "pending" in states:
        return Status.MANUAL_REVIEW
    return Status.READY


def price_insured(row: ApplicationInsured, decision: UnderwritingDecision | None) -> None:
    """The insured's premium with the decision's loading (none unless accepted)."""
    accepted = decision is not None and decision.status == "decided" and decision.outcome in ACCEPTED_OUTCOMES
    row.loading_pct = decision.loading_pct if accepted and decision is not None else 0
    row.premium_fen = loaded_premium_fen(row.base_premium_fen, row.loading_pct)
    row.save(update_fields=["decision", "loading_pct", "premium_fen"])


def withdraw_pending_decisions(application: Application, *, actor: Any, reason: str) -> int:
    """The application's cases still waiting for an underwriter are withdrawn (they leave the
    manual queue) unless another open application waits on the same case; returns how many."""
    withdrawn = 0
    for row in application.insured.select_related("decision").order_by("id"):
        decision = row.decision
        if decision is None or decision.status != UnderwritingDecision.Status.PENDING:
            continue
        shared = (
            ApplicationInsured.objects.filter(decision=decision, application__status__in=OPEN_STATUSES)
            .exclude(application_id=application.pk)
            .exists()
        )
        if not shared:
            transition(decision, to=UnderwritingDecision.Status.WITHDRAWN, actor=actor, reason=reason)
            withdrawn += 1
    return withdrawn


def lapse_pending_policies(application: Application, *, actor: Any, reason: str) -> int:
    """The (locked) application's unpaid policy rows lapse; returns how many.

    A lapsed renewal attempt lets go of the policy it would have renewed (``Policy.renewal_of``
    is one-to-one; the application keeps the link), so that the next attempt can take it.
    """
    lapsed = 0
    for policy in Policy.objects.select_for_update().filter(
        application=application, status=Policy.Status.PENDING_PAYMENT
    ):
        transition(policy, to=Policy.Status.LAPSED, actor=actor, reason=reason, extra_updates={"renewal_of": None})
        lapsed += 1
    return lapsed


def refresh_status(application: Application, *, actor: Any, reason: str) -> Application:
    """Recompute the premium and move the (locked) application to the status its insured imply."""
    total = sum(application.insured.values_list("premium_fen", flat=True))
    if total != application.premium_fen:
        Application.objects.filter(pk=application.pk).update(premium_fen=total)
        application.premium_fen = total
    target = target_status(application)
    if target != application.status:
        if application.status in (Status.READY, Status.PAYMENT_EXPIRED):
            transition(application, to=Status.UNDERWRITING, actor=actor, reason=reason)
        if target != application.status:
            transition(application, to=target, actor=actor, reason=reason)
        if target == Status.DECLINED:
            # one insured declined declines the application: the others' referred cases are moot
            withdraw_pending_decisions(application, actor=actor, reason="application declined")
    return application


@transaction.atomic
def application_answer(
    *,
    actor: Any,
    application: Application,
    member: Member,
    conditions: tuple[DeclaredCondition, ...],
    consent: bool,
) -> UnderwritingDecision:
    """The policyholder answers the health questionnaire for one insured member; decided at once
    (or referred to an underwriter), priced, and the application moved on. The edge parsed the
    conditions (``underwriting.form_schemas.conditions_parsed``)."""
    require_policyholder(actor, application)
    if consent is not True:
        raise ValidationFailed(
            _("请确认已如实告知被保险人的健康状况，并已取得被保险人同意"),
            code="disclosure_consent_required",
            field="consent",
        )
    application = _locked(application)
    if application.renewal_of_id is not None:
        raise Conflict(_("续保或续期缴费无需重新填写健康告知"), code="renewal_application", field="application")
    if application.status not in ANSWERABLE:
        raise Conflict(_("这张投保单已不能修改健康告知"), code="application_not_answerable", field="application")
    row = application.insured.select_related("decision").filter(member_id=member.pk).first()
    if row is None:
        raise NotFound(_("该成员不是这张投保单的被保险人"), code="insured_not_found", field="member_id")
    today = timezone.localdate()
    decision = underwriting_decide(
        actor=actor, member=row.member, product=application.product, conditions=conditions, on_date=today
    )
    previous = row.decision
    if previous is not None and previous.status == UnderwritingDecision.Status.PENDING:
        # the answers changed while an underwriter had the case: that case is withdrawn
        transition(previous, to=UnderwritingDecision.Status.WITHDRAWN, actor=actor, reason="answers changed")
    row.decision = decision
    price_insured(row, decision)
    refresh_status(application, actor=actor, reason="answers")
    return decision


def application_prefill(*, actor: Any, application: Application, member: Member) -> list[dict[str, Any]]:
    """The member's active health declarations as questionnaire answers, when ``actor`` may read
    them (the read is audited); otherwise nothing (the policyholder answers from scratch)."""
    application_policy.require(actor, "view", application)
    if not application.insured.filter(member_id=member.pk).exists():
        raise NotFound(_("该成员不是这张投保单的被保险人"), code="insured_not_found", field="member_id")
    if not member_policy.can(actor, "read_health", member):
        return []
    from kincare.families.selectors import declaration_list

    conditions = []
    for declaration in declaration_list(user=actor, member=member):
        payload = declaration.payload or {}
        item = {"code": payload.get("code"), "attributes": dict(payload.get("attributes") or {})}
        if payload.get("diagnosed_on"):
            item["diagnosed_on"] = payload["diagnosed_on"]
        conditions.append(item)
    return conditions


@transaction.atomic
def application_on_decision(*, decision: UnderwritingDecision) -> int:
    """An underwriter decided a referred case: price and move every application waiting on it."""
    moved = 0
    rows = ApplicationInsured.objects.filter(
        decision=decision, application__status__in=(Status.UNDERWRITING, Status.MANUAL_REVIEW)
    ).values_list("pk", "application_id")
    for row_pk, application_pk in rows:
        application = (
            Application.objects.select_for_update(of=("self",)).select_related("product").get(pk=application_pk)
        )
        if application.status not in (Status.UNDERWRITING, Status.MANUAL_REVIEW):
            continue
        row = ApplicationInsured.objects.select_related("decision").get(pk=row_pk)
        price_insured(row, row.decision)
        before = application.status
        refresh_status(application, actor=decision.underwriter, reason="manual decision")
        moved += int(application.status != before)
        if application.renewal_of is not None and application.status == Status.DECLINED:
            notify_renewal_unavailable(application.renewal_of)
        elif application.renewal_of is not None and application.status == Status.READY:
            notify_renewal_offer(application)
    return moved


def _beneficiaries_checked(application: Application, beneficiaries: Beneficiaries) -> dict[str, Any]:
    """The named family members are in the family and none of them is an insured."""
    insured_ids = set(application.insured.values_list("member_id", flat=True))
    for position, entry in enumerate(beneficiaries.named):
        member_id = entry.get("member_id")
        if member_id is None:
            continue
        field = f"beneficiaries.named.{position}.member_id"
        if member_id in insured_ids:
            raise ValidationFailed(_("被保险人本人不能作为身故受益人"), code="beneficiary_is_insured", field=field)
        if not Member.objects.filter(pk=member_id, family_id=application.family_id, removed_at__isnull=True).exists():
            raise NotFound(_("找不到该家庭成员"), code="member_not_found", field=field)
    return beneficiaries.as_json()


@transaction.atomic
def application_set_beneficiaries(*, actor: Any, application: Application, beneficiaries: Beneficiaries) -> None:
    """Life products: 法定继承人 (``{"kind": "legal"}``) or named beneficiaries with shares adding to 100
    (the edge parsed them: ``policies.form_schemas.Beneficiaries``)."""
    require_policyholder(actor, application)
    application = _locked(application)
    if application.product.category not in LIFE_CATEGORIES:
        raise ValidationFailed(
            _("该产品没有身故保险金，无需指定受益人"), code="beneficiaries_not_applicable", field="beneficiaries"
        )
    if application.status not in ANSWERABLE:
        raise Conflict(_("这张投保单已不能修改受益人"), code="application_not_editable", field="application")
    clean = _beneficiaries_checked(application, beneficiaries)
    application.beneficiaries = clean
    application.save(update_fields=["beneficiaries", "updated_at"])
    # who the beneficiaries are stays out of the audit log (encrypted on the application)
    audit_record(
        actor=actor,
        action="application.beneficiaries_set",
        subject=application,
        new={"kind": clean["kind"], "count": len(clean.get("named", []))},
    )


def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    """The policyholder withdraws an application that is not issued (its cases waiting for an
    underwriter are withdrawn too). Refused while a premium order is open or being paid (it
    can be withdrawn once the order expired), and for a yearly instalment (leaving it unpaid
    lets the policy lapse after the grace period)."""
    require_policyholder(actor, application)
    reason = (reason or "").strip()[:MAX_WITHDRAW_REASON] or "withdrawn by the policyholder"
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("order").get(pk=application.pk)
        if locked.kind == Application.Kind.INSTALMENT:
            raise Conflict(_("续期保费不能撤回；未按时缴纳，保单将在宽限期后失效"), code="instalment_not_withdrawable")
        if locked.status not in WITHDRAWABLE:
            raise Conflict(
                _("这张投保单当前状态为“%(status)s”，不能撤回") % {"status": locked.get_status_display()},
                code="application_not_withdrawable",
                field="application",
            )
        if locked.status == Status.PENDING_PAYMENT:
            order = locked.order or PaymentOrder.objects.filter(idempotency_key=order_key(locked)).first()
            if order is not None and order.status not in UNPAID_FINAL:
                raise Conflict(
                    _("订单正在支付中，不能撤回；订单超时未支付后可撤回"),
                    code="payment_in_progress",
                    field="application",
                )
            lapse_pending_policies(locked, actor=actor, reason="application withdrawn")
        before = locked.status
        transition(locked, to=Status.WITHDRAWN, actor=actor, reason=reason)
        decisions = withdraw_pending_decisions(locked, actor=actor, reason="application withdrawn")
        audit_record(
            actor=actor,
            action="application.withdrawn",
            subject=locked,
            old={"status": before},
            new={"status": locked.status, "decisions_withdrawn": decisions},
        )
    return locked
