"""Rule table versions: underwriters upload drafts, activate them, retire them; a bad upload changes nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.fsm import status_history
from kincare.core.models import AuditEvent
from kincare.underwriting.form_schemas import conditions_parsed
from kincare.underwriting.models import RuleSet
from kincare.underwriting.services import (
    ruleset_activate,
    ruleset_create,
    ruleset_retire,
    underwriting_decide,
)
from kincare.underwriting.tests.helpers import (
    QUESTIONNAIRE,
    chronic_product,
    claims_adjuster,
    grade3_declines,
    hypertension,
    shipped_text,
)

pytestmark = pytest.mark.django_db


def _active(condition: str = "hypertension") -> RuleSet:
    return RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition=condition, status="active")


def _grade3(actor, member) -> str:
    decision = underwriting_decide(
        actor=actor,
        member=member,
        product=chronic_product(),
        conditions=conditions_parsed([hypertension(grade=3, controlled=False)]),
    )
    return decision.outcome


def test_an_underwriter_uploads_a_draft_as_the_next_version(catalog, underwriter):
    draft = ruleset_create(
        actor=underwriter,
        questionnaire=QUESTIONNAIRE,
        condition="hypertension",
        content=grade3_declines(),
        note="3级高血压改为拒保",
    )
    assert (draft.version, draft.status, draft.note) == (2, "draft", "3级高血压改为拒保")
    assert draft.created_by == underwriter
    assert len(draft.sha256) == 64
    assert json.loads(draft.content) == json.loads(grade3_declines())
    assert _active().version == 1, "a draft does not replace the active version"
    assert AuditEvent.objects.filter(action="underwriting.ruleset_created", subject_id=str(draft.pk)).exists()


def test_activating_a_draft_retires_the_active_version_and_the_engine_uses_it(
    catalog, underwriter, guardian, grandparent
):
    assert _grade3(guardian, grandparent) == "manual"
    old = _active()
    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
    )
    activated = ruleset_activate(actor=underwriter, ruleset=draft)
    assert activated.status == "active"
    assert activated.activated_by == underwriter and activated.activated_at is not None
    old.refresh_from_db()
    assert old.status == "retired"
    assert _active().pk == draft.pk
    assert _grade3(guardian, grandparent) == "decline"
    assert [c.to_status for c in status_history(draft)] == ["active"]
    assert [c.to_status for c in status_history(old)] == ["retired"]
    assert AuditEvent.objects.filter(action="underwriting.ruleset_activated", subject_id=str(draft.pk)).exists()


def test_a_file_upload_as_bytes_is_accepted(catalog, underwriter):
    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines().encode()
    )
    assert draft.version == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"nodes": [], "edges": []}), "inputNode"),
        ("BAD_OUTCOME", "outcome 'approve'"),
    ],
)
def test_a_bad_table_is_refused_with_its_problems_and_the_active_version_keeps_working(
    catalog, underwriter, guardian, grandparent, content, problem
):
    if content == "BAD_OUTCOME":
        from kincare.underwriting.tests.helpers import table_with

        content = json.dumps(table_with(rule="hypertension_02", out_outcome='"approve"'))
    before = RuleSet.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        ruleset_create(actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=content)
    assert (refused.value.code, refused.value.field) == ("ruleset_invalid", "content")
    assert problem in refused.value.message
    assert RuleSet.objects.count() == before
    assert _active().version == 1
    assert _grade3(guardian, grandparent) == "manual"


def test_a_table_reading_fields_the_condition_does_not_have_is_refused(catalog, underwriter):
    with pytest.raises(ValidationFailed) as refused:
        ruleset_create(
            actor=underwriter, questionnaire=QUESTIONNAIRE, condition="diabetes", content=shipped_text("hypertension")
        )
    assert refused.value.code == "ruleset_invalid"
    assert "'grade'" in refused.value.message


def test_content_identical_to_the_active_version_is_refused_even_when_formatted_differently(catalog, underwriter):
    pretty = json.dumps(json.loads(shipped_text()), ensure_ascii=False, indent=4)
    with pytest.raises(Conflict) as refused:
        ruleset_create(actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=pretty)
    assert refused.value.code == "ruleset_unchanged"
    assert RuleSet.objects.filter(questionnaire=QUESTIONNAIRE, condition="hypertension").count() == 1


@pytest.mark.parametrize(
    ("questionnaire", "condition", "code"),
    [
        ("no_such_questionnaire", "hypertension", "questionnaire_unknown"),
        (QUESTIONNAIRE, "other", "condition_not_asked"),
        (QUESTIONNAIRE, "flu", "condition_not_asked"),
    ],
)
def test_the_table_must_belong_to_a_question_the_questionnaire_asks(
    catalog, underwriter, questionnaire, condition, code
):
    with pytest.raises(ValidationFailed) as refused:
        ruleset_create(actor=underwriter, questionnaire=questionnaire, condition=condition, content=grade3_declines())
    assert refused.value.code == code


def test_a_note_longer_than_300_characters_is_refused(catalog, underwriter):
    with pytest.raises(ValidationFailed) as refused:
        ruleset_create(
            actor=underwriter,
            questionnaire=QUESTIONNAIRE,
            condition="hypertension",
            content=grade3_declines(),
            note="长" * 301,
        )
    assert refused.value.code == "note_too_long"


def test_staff_without_the_underwriter_role_and_family_users_cannot_touch_rule_tables(catalog, underwriter, guardian):
    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
    )
    for actor in (claims_adjuster(), guardian, None):
        with pytest.raises(PermissionDenied):
            ruleset_create(
                actor=actor, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
            )
        with pytest.raises(PermissionDenied):
            ruleset_activate(actor=actor, ruleset=draft)
        with pytest.raises(PermissionDenied):
            ruleset_retire(actor=actor, ruleset=draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_superuser_may_upload_and_activate(catalog, django_user_model):
    root = django_user_model.objects.create_superuser("13500135001", "Root-pass-2026!")
    draft = ruleset_create(actor=root, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines())
    assert ruleset_activate(actor=root, ruleset=draft).status == "active"


def test_only_a_draft_can_be_activated(catalog, underwriter):
    with pytest.raises(Conflict) as refused:
        ruleset_activate(actor=underwriter, ruleset=_active())
    assert refused.value.code == "ruleset_already_active"
    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
    )
    ruleset_retire(actor=underwriter, ruleset=draft, reason="写错了")
    with pytest.raises(Conflict) as refused:
        ruleset_activate(actor=underwriter, ruleset=draft)
    assert refused.value.code == "ruleset_not_draft"
    assert _active().version == 1


def test_activation_revalidates_the_stored_table(catalog, underwriter):
    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
    )
    RuleSet.objects.filter(pk=draft.pk).update(content='{"nodes": [], "edges": []}')
    with pytest.raises(ValidationFailed) as refused:
        ruleset_activate(actor=underwriter, ruleset=draft)
    assert refused.value.code == "ruleset_invalid"
    assert _active().version == 1


def test_retiring_the_active_table_sends_that_condition_to_manual_review(catalog, underwriter, guardian, grandparent):
    ruleset_retire(actor=underwriter, ruleset=_active(), reason="规则停用")
    decision = underwriting_decide(
        actor=guardian,
        member=grandparent,
        product=chronic_product(),
        conditions=conditions_parsed([hypertension(grade=1)]),
    )
    assert decision.outcome == "manual"
    assert decision.reasons == ["hypertension.no_rule"]
    with pytest.raises(Conflict) as refused:
        ruleset_retire(
            actor=underwriter, ruleset=RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition="hypertension")
        )
    assert refused.value.code == "ruleset_already_retired"


def test_the_import_command_imports_missing_shipped_tables_and_prints_the_count(catalog):
    out = StringIO()
    call_command("underwriting", "import", stdout=out)
    assert out.getvalue().strip() == "imported 0 rule table(s)"
    RuleSet.objects.filter(questionnaire=QUESTIONNAIRE).delete()
    out = StringIO()
    call_command("underwriting", "import", stdout=out)
    count = RuleSet.objects.filter(questionnaire=QUESTIONNAIRE, status="active").count()
    assert count > 0
    assert out.getvalue().strip() == f"imported {count} rule table(s)"
