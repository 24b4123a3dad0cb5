"""/api/v1/policies/: quotes, applications (questionnaire → decision → payment), the wallet, 保单托管.

Every endpoint parses, authorises (members through the families policies, applications and
policies through the policies selectors: outsiders get 404) and calls one service or
selector. Money is integer fen; errors are ``{"code", "message", "field"}``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from kincare.catalog import selectors as catalog_selectors
from kincare.core.errors import NotFound, ValidationFailed
from kincare.families import selectors as family_selectors
from kincare.families.models import Member
from kincare.policies import selectors, services
from kincare.policies.models import Application, ExternalPolicy, Policy
from kincare.policies.schemas import (
    AnswerOut,
    AnswersIn,
    ApplicationIn,
    ApplicationOut,
    BeneficiariesIn,
    CancelIn,
    InsuredQuestionnaireOut,
    OrderOut,
    PayOut,
    PolicyOut,
    QuoteIn,
    QuoteLineOut,
    QuoteOut,
)
from kincare.policies.wallet_schemas import ExternalPolicyIn, ExternalPolicyOut, WalletOut
from kincare.underwriting.questions import questions_for
from kincare.underwriting.schemas import DecisionOut, questions_out

router = Router(tags=["policies"])


def _members(request: HttpRequest, ids: list[int], field: str) -> list[Member]:
    """Members of the user's family, in the order given (404 for anyone else's)."""
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("同一位家庭成员不能重复选择"), code="insured_duplicate", field=field)
    return [family_selectors.member_get(user=request.user, member_id=member_id) for member_id in ids]


def _application_out(request: HttpRequest, application: Application) -> ApplicationOut:
    """The decisions and terms go through the audited selector (only to who may see them)."""
    reads = selectors.application_insured_read(user=request.user, application=application)
    return ApplicationOut.build(application, user=request.user, insured_reads=reads)


def _policy_out(request: HttpRequest, policy: Policy) -> PolicyOut:
    return PolicyOut.build(
        policy,
        exclusions=selectors.policy_exclusions_read(user=request.user, policy=policy),
        terms_visible=selectors.policy_terms_visible(user=request.user, policy=policy),
        refund=selectors.policy_refund_state(policy),
    )


def _insured_member(request: HttpRequest, application: Application, member_id: int) -> Member:
    member = family_selectors.member_get(user=request.user, member_id=member_id)
    if not application.insured.filter(member=member).exists():
        raise NotFound(_("该成员不是这张投保单的被保险人"), code="insured_not_found", field="member_id")
    return member


# Quotes ----------------------------------------------------------------------------------------


@router.post("/quotes", response=QuoteOut, summary="Premiums for members of your family")
def quote(request: HttpRequest, payload: QuoteIn) -> QuoteOut:
    product = catalog_selectors.product_get(user=request.user, code=payload.product_code)
    members = _members(request, payload.member_ids, "member_ids")
    result = services.policy_quote(
        product=product, plan_code=payload.plan_code, members=members, payment_years=payload.payment_years
    )
    return QuoteOut(
        product_code=product.code,
        product_name=product.name,
        plan_code=payload.plan_code,
        payment_years=result.payment_years,
        effective_on=result.effective_on,
        total_fen=result.total_fen,
        lines=[
            QuoteLineOut(
                member_id=line.member.pk,
                name=line.member.name,
                base_premium_fen=line.base_premium_fen,
                death_benefit_fen=line.death_benefit_fen,
            )
            for line in result.lines
        ],
    )


# Applications ----------------------------------------------------------------------------------


@router.post("/applications", response={201: ApplicationOut}, summary="Apply: policyholder and insured members")
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status[ApplicationOut]:
    product = catalog_selectors.product_get(user=request.user, code=payload.product_code)
    policyholder = family_selectors.member_get(user=request.user, member_id=payload.policyholder_member_id)
    insured = _members(request, payload.insured_member_ids, "insured_member_ids")
    application = services.application_create(
        actor=request.user,
        product=product,
        plan_code=payload.plan_code,
        policyholder=policyholder,
        insured=insured,
        payment_years=payload.payment_years,
    )
    return Status(201, _application_out(request, application))


@router.get("/applications", response=list[ApplicationOut], summary="Your family's applications")
def application_list(request: HttpRequest) -> list[ApplicationOut]:
    return [_application_out(request, a) for a in selectors.application_list(user=request.user)]


@router.get("/applications/{int:application_id}", response=ApplicationOut)
def application_detail(request: HttpRequest, application_id: int) -> ApplicationOut:
    return _application_out(request, selectors.application_get(user=request.user, application_id=application_id))


@router.get(
    "/applications/{int:application_id}/insured/{int:member_id}/questionnaire",
    response=InsuredQuestionnaireOut,
    summary="The questions for one insured member, prefilled from their health declarations",
)
def application_questionnaire(request: HttpRequest, application_id: int, member_id: int) -> InsuredQuestionnaireOut:
    application = selectors.application_get(user=request.user, application_id=application_id)
    member = _insured_member(request, application, member_id)
    prefilled = services.application_prefill(actor=request.user, application=application, member=member)
    code = application.product.questionnaire_code or None
    return InsuredQuestionnaireOut(
        application_id=application.pk,
        member_id=member.pk,
        product_code=application.product.code,
        questionnaire=code,
        questions=questions_out(questions_for(code)),
        prefilled=prefilled,
    )


@router.post(
    "/applications/{int:application_id}/insured/{int:member_id}/answers",
    response=AnswerOut,
    summary="Answer the questionnaire for one insured member: the decision at once",
)
def application_answer(request: HttpRequest, application_id: int, member_id: int, payload: AnswersIn) -> AnswerOut:
    application = selectors.application_get(user=request.user, application_id=application_id)
    member = _insured_member(request, application, member_id)
    decision = services.application_answer(
        actor=request.user,
        application=application,
        member=member,
        conditions=payload.declared,
        consent=payload.consent,
    )
    application.refresh_from_db()
    return AnswerOut(
        decision=DecisionOut.build(decision),
        application_status=application.status,
        application_status_label=str(application.get_status_display()),
        application=_application_out(request, application),
    )


@router.put("/applications/{int:application_id}/beneficiaries", response=ApplicationOut)
def application_beneficiaries(request: HttpRequest, application_id: int, payload: BeneficiariesIn) -> ApplicationOut:
    """Life products: 法定 (``{"kind": "legal"}``) or named beneficiaries whose shares add up to 100."""
    application = selectors.application_get(user=request.user, application_id=application_id)
    services.application_set_beneficiaries(
        actor=request.user, application=application, beneficiaries=payload.beneficiaries()
    )
    application.refresh_from_db()
    return _application_out(request, application)


@router.post("/applications/{int:application_id}/withdraw", response=ApplicationOut)
def application_withdraw(request: HttpRequest, application_id: int, payload: CancelIn | None = None) -> ApplicationOut:
    """The policyholder withdraws an application that is not issued (409 while its order is being paid)."""
    application = selectors.application_get(user=request.user, application_id=application_id)
    application = services.application_withdraw(
        actor=request.user, application=application, reason=payload.reason if payload else ""
    )
    return _application_out(request, application)


@router.post("/applications/{int:application_id}/pay", response=PayOut, summary="The premium order (idempotent)")
def application_pay(request: HttpRequest, application_id: int) -> PayOut:
    """Creates the order once: pressing pay again returns the same open order."""
    application = selectors.application_get(user=request.user, application_id=application_id)
    order = services.application_pay(actor=request.user, application=application)
    application.refresh_from_db()
    return PayOut(order=OrderOut.build(order), application_id=application.pk, application_status=application.status)


# External policies (保单托管) ----------------------------------------------------------------------


def _external_get(request: HttpRequest, external_id: int) -> ExternalPolicy:
    external = selectors.external_policy_list(user=request.user).filter(pk=external_id).first()
    if external is None:
        raise NotFound(_("找不到该对象"))
    return external


@router.get("/external", response=list[ExternalPolicyOut], summary="Policies bought elsewhere (unverified)")
def external_list(request: HttpRequest) -> list[ExternalPolicyOut]:
    return [ExternalPolicyOut.build(e) for e in selectors.external_policy_list(user=request.user)]


@router.post("/external", response={201: ExternalPolicyOut}, summary="Record a policy bought elsewhere")
def external_add(request: HttpRequest, payload: ExternalPolicyIn) -> Status[ExternalPolicyOut]:
    insured = family_selectors.member_get(user=request.user, member_id=payload.insured_member_id)
    external = services.external_policy_add(actor=request.user, insured=insured, **payload.policy().model_dump())
    return Status(201, ExternalPolicyOut.build(external))


@router.delete("/external/{int:external_id}", response={204: None})
def external_remove(request: HttpRequest, external_id: int) -> HttpResponse:
    services.external_policy_remove(actor=request.user, external_policy=_external_get(request, external_id))
    return HttpResponse(status=204)


# Policies (the family wallet) ----------------------------------------------------------------------


@router.get("/", response=WalletOut, summary="The family wallet: every member's policies, by category")
def wallet(request: HttpRequest) -> WalletOut:
    return WalletOut.build(selectors.wallet(user=request.user))


@router.get("/{int:policy_id}", response=PolicyOut)
def policy_detail(request: HttpRequest, policy_id: int) -> PolicyOut:
    return _policy_out(request, selectors.policy_get(user=request.user, policy_id=policy_id))


@router.post("/{int:policy_id}/cancel", response=PolicyOut, summary="Cooling-off cancellation (full refund)")
def policy_cancel(request: HttpRequest, policy_id: int, payload: CancelIn) -> PolicyOut:
    """Only the policyholder (投保人) cancels: 403 ``cancel_not_allowed`` for other members. On a
    cancelled policy whose refund the provider refused (``refund_status`` failed), asks for it again."""
    policy = selectors.policy_get(user=request.user, policy_id=policy_id)
    policy = services.policy_cancel(actor=request.user, policy=policy, reason=payload.reason)
    return _policy_out(request, policy)
