"""Applications through underwriting: decisions move the application, loadings price the premium."""

from __future__ import annotations

import pytest

from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.models import AuditEvent
from kincare.families import services as family_services
from kincare.families.tests import factories
from kincare.policies import services
from kincare.policies.models import Application
from kincare.policies.tests.services_helpers import (
    CHRONIC,
    STANDARD_MEDICAL,
    apply,
    diabetes,
    hypertension,
    pay,
    product,
)
from kincare.underwriting.form_schemas import ManualTerms, conditions_parsed
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.services import underwriting_manual_decide

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status


@pytest.fixture
def application(guardian, guardian_member, grandparent) -> Application:
    assert product(CHRONIC).questionnaire_code == "medical_chronic"
    return services.application_create(
        actor=guardian,
        product=product(CHRONIC),
        plan_code="standard",
        policyholder=guardian_member,
        insured=[grandparent],
    )


def answer(guardian, application, member, *conditions):
    decision = services.application_answer(
        actor=guardian,
        application=application,
        member=member,
        conditions=conditions_parsed(list(conditions)),
        consent=True,
    )
    application.refresh_from_db()
    return decision


def test_a_loading_is_priced_half_up_once_on_the_standard_premium(guardian, application, grandparent, sandbox_pay):
    row = application.insured.get()
    # an odd premium, so that the loading falls between two fen
    product(CHRONIC).premium_rows.filter(
        plan__code="standard", sex="M", social_insurance=True, age_min__lte=66, age_max__gte=66
    ).update(annual_premium_fen=123_458)
    decision = answer(guardian, application, grandparent, diabetes())
    assert (decision.outcome, decision.loading_pct) == ("conditional", 25)
    assert application.status == Status.READY
    row.refresh_from_db()
    assert row.loading_pct == 25
    order = pay(guardian, application, sandbox_pay)
    # 123,458 × 1.25 = 154,322.5 → 154,323 (half-up, once)
    policy = application.policies.get()
    assert (policy.base_premium_fen, policy.loading_pct, policy.premium_fen) == (123_458, 25, 154_323)
    assert order.amount_fen == 154_323


def test_a_decline_stops_the_application_with_the_reason(guardian, application, grandparent):
    decision = answer(guardian, application, grandparent, hypertension(complications=True))
    assert decision.outcome == "decline"
    assert decision.reasons == ["hypertension.complications"]
    assert application.status == Status.DECLINED
    with pytest.raises(Conflict):
        services.application_pay(actor=guardian, application=application)


def test_a_postponement_stops_the_application_with_the_months(guardian, application, grandparent):
    nodule = {"code": "thyroid_nodule", "attributes": {"tirads": 4, "operated": False, "pathology_benign": False}}
    decision = answer(guardian, application, grandparent, nodule)
    assert (decision.outcome, decision.postpone_months) == ("postpone", 6)
    assert application.status == Status.DECLINED


def test_the_same_condition_is_declined_by_one_product_and_accepted_by_another(guardian, guardian_member):
    standard = apply(
        guardian,
        code=STANDARD_MEDICAL,
        policyholder=guardian_member,
        insured=[guardian_member],
        answers={guardian_member.pk: [diabetes(hba1c=7.5)]},
    )
    assert standard.status == Status.DECLINED
    chronic = apply(
        guardian,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[guardian_member],
        answers={guardian_member.pk: [diabetes(hba1c=7.5)]},
    )
    assert chronic.status == Status.READY


def test_a_manual_case_waits_for_the_underwriter_then_moves_on(guardian, application, grandparent, underwriter):
    decision = answer(guardian, application, grandparent, hypertension(grade=3))
    assert (decision.outcome, decision.status) == ("manual", "pending")
    assert application.status == Status.MANUAL_REVIEW
    underwriting_manual_decide(
        actor=underwriter,
        decision=decision,
        terms=ManualTerms(outcome="conditional", loading_pct=50, note="血压控制记录良好"),
    )
    application.refresh_from_db()
    assert application.status == Status.READY
    row = application.insured.get()
    assert (row.loading_pct, row.premium_fen) == (50, row.base_premium_fen * 3 // 2)
    assert application.premium_fen == row.premium_fen


def test_a_manual_decline_declines_the_application(guardian, application, grandparent, underwriter):
    decision = answer(guardian, application, grandparent, {"code": "other", "attributes": {"description": "心律不齐"}})
    underwriting_manual_decide(
        actor=underwriter, decision=decision, terms=ManualTerms(outcome="decline", note="不符合承保条件")
    )
    application.refresh_from_db()
    assert application.status == Status.DECLINED


def test_answering_again_withdraws_a_pending_manual_case(guardian, application, grandparent):
    first = answer(guardian, application, grandparent, hypertension(grade=3))
    answer(guardian, application, grandparent, hypertension())
    first.refresh_from_db()
    assert first.status == UnderwritingDecision.Status.WITHDRAWN
    assert application.status == Status.READY


def test_a_family_application_is_ready_only_when_everyone_is_accepted(guardian, guardian_member, grandparent, child):
    application = services.application_create(
        actor=guardian,
        product=product(CHRONIC),
        plan_code="standard",
        policyholder=guardian_member,
        insured=[grandparent, child],
    )
    answer(guardian, application, grandparent, hypertension())
    assert application.status == Status.UNDERWRITING
    answer(guardian, application, child)
    assert application.status == Status.READY
    # a changed answer making one of them manual takes the application back to review
    answer(guardian, application, child, {"code": "other", "attributes": {"description": "哮喘"}})
    assert application.status == Status.MANUAL_REVIEW


def test_the_disclosure_consent_is_required(guardian, application, grandparent):
    with pytest.raises(ValidationFailed) as exc:
        services.application_answer(
            actor=guardian, application=application, member=grandparent, conditions=conditions_parsed([]), consent=False
        )
    assert exc.value.code == "disclosure_consent_required"
    assert not UnderwritingDecision.objects.exists()


def test_prefill_offers_the_declarations_the_policyholder_may_read(guardian, guardian_member, child):
    family_services.consent_give(actor=guardian, member=child)
    family_services.declaration_add(
        actor=guardian, member=child, code="hypertension", attributes=factories.hypertension()
    )
    application = services.application_create(
        actor=guardian, product=product(CHRONIC), plan_code="standard", policyholder=guardian_member, insured=[child]
    )
    prefilled = services.application_prefill(actor=guardian, application=application, member=child)
    assert prefilled == [{"code": "hypertension", "attributes": factories.hypertension()}]
    assert AuditEvent.objects.filter(action="health_data.read", subject_id=str(child.pk)).exists()


def test_prefill_is_empty_without_read_access(guardian, guardian_member, grandparent, application):
    # the grandparent has no account: nobody in the family reads their health data
    assert services.application_prefill(actor=guardian, application=application, member=grandparent) == []
