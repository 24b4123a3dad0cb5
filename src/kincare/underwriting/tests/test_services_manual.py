"""Manual underwriting: an underwriter decides a referred case; the applicant hears of it."""

from __future__ import annotations

import json

import pytest

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import status_history
from kincare.core.models import AuditEvent, Notification
from kincare.underwriting.form_schemas import ManualTerms, conditions_parsed
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.selectors import automation_rate, decision_for_staff
from kincare.underwriting.services import decision_listeners, underwriting_manual_decide
from kincare.underwriting.tests.helpers import (
    OTHER_TEXT,
    chronic_product,
    claims_adjuster,
    engine_decided,
    other,
    referred,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(catalog, guardian, grandparent) -> UnderwritingDecision:
    return referred(guardian, grandparent)


def _decide(actor, decision, **terms):
    # the terms are parsed at the edge (ManualTerms, as the admin form does); the service trusts them
    terms.setdefault("note", "理疗中，病情稳定")
    return underwriting_manual_decide(actor=actor, decision=decision, terms=ManualTerms(**terms))


def test_an_underwriter_accepts_a_referred_case_at_standard_rates(case, underwriter, on_decision_calls):
    decided = _decide(underwriter, case, outcome="standard")
    decided.refresh_from_db()
    assert (decided.status, decided.outcome, decided.engine_outcome) == ("decided", "standard", "manual")
    assert (decided.decided_by, decided.underwriter) == ("underwriter", underwriter)
    assert decided.decided_at is not None
    assert decided.underwriter_note == "理疗中，病情稳定"
    assert (decided.loading_pct, decided.exclusions, decided.postpone_months) == (0, [], 0)
    assert [c.to_status for c in status_history(decided)] == ["decided"]
    assert [d.pk for d in on_decision_calls] == [case.pk]


def test_a_conditional_acceptance_carries_a_loading_and_exclusions(case, underwriter, on_decision_calls):
    decided = _decide(
        underwriter,
        case,
        outcome="conditional",
        loading_pct=25,
        exclusions=[{"icd10": ["m51", " M54 ", "M51"], "description": "腰椎间盘疾病及其并发症"}],
    )
    decided.refresh_from_db()
    assert (decided.outcome, decided.loading_pct) == ("conditional", 25)
    assert decided.exclusions == [{"icd10": ["M51", "M54"], "description": "腰椎间盘疾病及其并发症"}]


def test_a_conditional_acceptance_may_be_exclusions_only(case, underwriter, on_decision_calls):
    decided = _decide(
        underwriter, case, outcome="conditional", exclusions=[{"icd10": ["M51"], "description": "腰椎间盘疾病"}]
    )
    assert (decided.outcome, decided.loading_pct) == ("conditional", 0)


def test_an_underwriter_postpones_or_declines(catalog, guardian, grandparent, underwriter, on_decision_calls):
    postponed = _decide(underwriter, referred(guardian, grandparent), outcome="postpone", postpone_months=6)
    declined = _decide(underwriter, referred(guardian, grandparent), outcome="decline")
    postponed.refresh_from_db()
    declined.refresh_from_db()
    assert (postponed.outcome, postponed.postpone_months) == ("postpone", 6)
    assert (declined.outcome, declined.postpone_months, declined.loading_pct) == ("decline", 0, 0)
    assert len(on_decision_calls) == 2


@pytest.mark.parametrize(
    ("terms", "code", "field"),
    [
        ({"outcome": "manual"}, "outcome_invalid", "outcome"),
        ({"outcome": "approve"}, "outcome_invalid", "outcome"),
        ({"outcome": "conditional"}, "conditional_terms_required", "loading_pct"),
        ({"outcome": "conditional", "loading_pct": 151}, "loading_invalid", "loading_pct"),
        ({"outcome": "conditional", "loading_pct": -5}, "loading_invalid", "loading_pct"),
        ({"outcome": "conditional", "loading_pct": True}, "loading_invalid", "loading_pct"),
        ({"outcome": "conditional", "loading_pct": "25"}, "loading_invalid", "loading_pct"),
        (
            {"outcome": "conditional", "exclusions": [{"icd10": ["腰椎"], "description": "腰椎"}]},
            "exclusion_icd10_invalid",
            "exclusions.0",
        ),
        (
            {"outcome": "conditional", "exclusions": [{"icd10": [], "description": "腰椎"}]},
            "exclusion_icd10_invalid",
            "exclusions.0",
        ),
        (
            {"outcome": "conditional", "exclusions": [{"icd10": ["M51"], "description": " "}]},
            "exclusion_description_required",
            "exclusions.0",
        ),
        ({"outcome": "conditional", "exclusions": "M51"}, "exclusions_invalid", "exclusions"),
        ({"outcome": "postpone"}, "postpone_months_invalid", "postpone_months"),
        ({"outcome": "postpone", "postpone_months": 61}, "postpone_months_invalid", "postpone_months"),
        ({"outcome": "standard", "loading_pct": 10}, "terms_not_allowed", "loading_pct"),
        ({"outcome": "decline", "postpone_months": 6}, "terms_not_allowed", "postpone_months"),
        (
            {"outcome": "postpone", "postpone_months": 6, "exclusions": [{"icd10": ["M51"], "description": "x"}]},
            "terms_not_allowed",
            "loading_pct",
        ),
        ({"outcome": "standard", "note": "  "}, "note_required", "note"),
        ({"outcome": "standard", "note": "长" * 2001}, "note_too_long", "note"),
    ],
)
def test_invalid_terms_are_refused_and_the_case_stays_pending(case, underwriter, on_decision_calls, terms, code, field):
    with pytest.raises(ValidationFailed) as refused:
        _decide(underwriter, case, **terms)
    assert (refused.value.code, refused.value.field) == (code, field)
    case.refresh_from_db()
    assert (case.status, case.outcome, case.decided_by) == ("pending", "manual", "")
    assert not Notification.objects.filter(kind="underwriting.decided").exists()
    assert on_decision_calls == []


def test_a_case_already_decided_cannot_be_decided_again(case, underwriter, on_decision_calls):
    _decide(underwriter, case, outcome="standard")
    with pytest.raises(Conflict) as refused:
        _decide(underwriter, case, outcome="decline")
    assert refused.value.code == "decision_not_pending"
    case.refresh_from_db()
    assert case.outcome == "standard"
    assert len(on_decision_calls) == 1


def test_an_engine_decision_is_not_in_the_underwriters_hands(catalog, guardian, grandparent, underwriter):
    decision = engine_decided(guardian, grandparent)
    with pytest.raises(Conflict) as refused:
        _decide(underwriter, decision, outcome="decline")
    assert refused.value.code == "decision_not_pending"


def test_only_underwriters_decide(case, guardian, on_decision_calls):
    for actor in (claims_adjuster(), guardian, None):
        with pytest.raises(PermissionDenied):
            _decide(actor, case, outcome="standard")
    case.refresh_from_db()
    assert case.status == "pending"


def test_the_applicant_is_notified_with_a_masked_name_and_the_product(case, underwriter, guardian, on_decision_calls):
    _decide(underwriter, case, outcome="postpone", postpone_months=3)
    note = Notification.objects.get(kind="underwriting.decided")
    assert note.recipient == guardian
    assert note.family_id == case.family_id
    product = chronic_product()
    assert "王*福" in note.title and "王德福" not in note.title
    assert product.name in note.title
    assert "人工核保" in note.title
    assert note.link == "/policies/"
    assert "延期" in note.body


def test_the_notification_links_to_the_application_waiting_on_the_decision(
    case, underwriter, guardian, guardian_member, grandparent, monkeypatch
):
    from kincare.policies.models import Application, ApplicationInsured

    product = chronic_product()
    application = Application.objects.create(
        family=guardian_member.family,
        product=product,
        plan=product.plans.first(),
        policyholder=guardian_member,
        status=Application.Status.MANUAL_REVIEW,
        created_by=guardian,
    )
    ApplicationInsured.objects.create(
        application=application, member=grandparent, decision=case, base_premium_fen=100_00, premium_fen=100_00
    )
    # this hand-made application is not one the policies service could move on: record the call only
    calls: list[UnderwritingDecision] = []
    monkeypatch.setitem(decision_listeners.entries, "policies", lambda *, decision: calls.append(decision))
    _decide(underwriter, case, outcome="standard")
    note = Notification.objects.get(kind="underwriting.decided")
    assert note.link == f"/policies/applications/{application.pk}/"
    assert calls == [case]


def test_the_audit_row_names_the_outcome_but_no_health_details(case, underwriter, on_decision_calls):
    _decide(
        underwriter,
        case,
        outcome="conditional",
        loading_pct=30,
        exclusions=[{"icd10": ["M51"], "description": "腰椎间盘疾病"}],
        note="腰椎间盘突出，加费并除外",
    )
    event = AuditEvent.objects.get(action="underwriting.manual_decided")
    assert event.actor == underwriter
    assert event.family_id == case.family_id
    assert event.new["outcome"] == "conditional" and event.new["loading_pct"] == 30
    rows = json.dumps(list(AuditEvent.objects.filter(subject_id=str(case.pk)).values("old", "new")), ensure_ascii=False)
    for secret in ("M51", "腰椎", OTHER_TEXT):
        assert secret not in rows


def test_a_manual_decision_does_not_count_as_automated(
    case, catalog, guardian, grandparent, underwriter, on_decision_calls
):
    engine_decided(guardian, grandparent)
    _decide(underwriter, case, outcome="standard")
    assert automation_rate() == {"engine": 1, "total": 2, "rate": 0.5}


def test_an_underwriter_reading_a_case_is_audited(case, underwriter):
    read = decision_for_staff(actor=underwriter, decision_id=case.pk)
    assert read.pk == case.pk
    assert read.answers["conditions"][0]["attributes"]["description"] == OTHER_TEXT
    event = AuditEvent.objects.get(action="underwriting.decision_viewed")
    assert (event.actor, event.subject_id, event.family_id) == (underwriter, str(case.pk), case.family_id)
    assert OTHER_TEXT not in json.dumps(event.new, ensure_ascii=False)


def test_others_cannot_read_a_case_and_unknown_cases_are_not_found(case, guardian, underwriter):
    for actor in (claims_adjuster(), guardian):
        with pytest.raises(PermissionDenied):
            decision_for_staff(actor=actor, decision_id=case.pk)
    with pytest.raises(NotFound):
        decision_for_staff(actor=underwriter, decision_id=case.pk + 1000)
    with pytest.raises(NotFound):
        decision_for_staff(actor=underwriter, decision_id="abc")
    assert not AuditEvent.objects.filter(action="underwriting.decision_viewed").exists()


def test_a_manual_decision_moves_the_waiting_application_on(
    catalog, guardian, guardian_member, grandparent, underwriter, on_decision_calls
):
    from kincare.catalog.models import Product
    from kincare.policies.models import Application
    from kincare.policies.services import application_answer, application_create

    product = Product.objects.get(code="med_11", is_current=True)
    application = application_create(
        actor=guardian, product=product, plan_code="standard", policyholder=guardian_member, insured=[grandparent]
    )
    case = application_answer(
        actor=guardian,
        application=application,
        member=grandparent,
        conditions=conditions_parsed([other()]),
        consent=True,
    )
    application.refresh_from_db()
    assert (case.status, application.status) == ("pending", "manual_review")
    base = application.premium_fen
    _decide(underwriter, case, outcome="conditional", loading_pct=20, note="理疗中，加费承保")
    application.refresh_from_db()
    assert application.status == Application.Status.READY
    assert application.premium_fen > base
    assert [d.pk for d in on_decision_calls] == [case.pk]
    note = Notification.objects.get(kind="underwriting.decided")
    assert note.link == f"/policies/applications/{application.pk}/"


def test_a_declined_case_declines_the_application(catalog, guardian, guardian_member, grandparent, underwriter):
    from kincare.catalog.models import Product
    from kincare.policies.services import application_answer, application_create

    product = Product.objects.get(code="med_11", is_current=True)
    application = application_create(
        actor=guardian, product=product, plan_code="standard", policyholder=guardian_member, insured=[grandparent]
    )
    case = application_answer(
        actor=guardian,
        application=application,
        member=grandparent,
        conditions=conditions_parsed([other()]),
        consent=True,
    )
    _decide(underwriter, case, outcome="decline")
    application.refresh_from_db()
    assert application.status == "declined"
