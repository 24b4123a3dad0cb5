"""The underwriters' console: rule table uploads and activation, the manual queue, who may enter."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kincare.core.models import AuditEvent
from kincare.underwriting.models import RuleSet, UnderwritingDecision
from kincare.underwriting.tests.helpers import (
    OTHER_TEXT,
    QUESTIONNAIRE,
    chronic_product,
    claims_adjuster,
    engine_decided,
    grade3_declines,
    hypertension,
    other,
    referred,
)

pytestmark = pytest.mark.django_db

RULESETS = "/admin/underwriting/ruleset/"
UPLOAD = "/admin/underwriting/ruleset/add/"
QUEUE = "/admin/underwriting/underwritingdecision/"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def uw(underwriter) -> Client:
    return _login(underwriter)


def _active() -> RuleSet:
    return RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition="hypertension", status="active")


def test_the_underwriter_sees_rule_tables_and_the_queue_on_the_index(catalog, uw):
    html = uw.get(reverse("admin:index")).content.decode()
    assert RULESETS in html
    assert QUEUE in html


def test_the_rule_table_list_shows_versions_and_status(catalog, uw):
    response = uw.get(RULESETS, {"questionnaire": QUESTIONNAIRE, "condition": "hypertension"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    html = response.content.decode()
    assert "高血压" in html and "生效中" in html


def test_an_underwriter_uploads_a_pasted_table_and_activates_it(catalog, uw, underwriter):
    assert uw.get(UPLOAD).status_code == 200
    response = uw.post(
        UPLOAD,
        {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "content": grade3_declines(), "note": "3级拒保"},
    )
    draft = RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition="hypertension", version=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:underwriting_ruleset_change", args=[draft.pk])
    assert (draft.status, draft.note, draft.created_by) == ("draft", "3级拒保", underwriter)
    page = uw.get(response["Location"]).content.decode()
    assert reverse("admin:underwriting_ruleset_activate", args=[draft.pk]) in page
    response = uw.post(reverse("admin:underwriting_ruleset_activate", args=[draft.pk]))
    assert response.status_code == 302
    assert _active().pk == draft.pk
    assert RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition="hypertension", version=1).status == "retired"


def test_an_underwriter_uploads_a_json_file(catalog, uw):
    upload = SimpleUploadedFile("hypertension.json", grade3_declines().encode(), content_type="application/json")
    response = uw.post(UPLOAD, {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "file": upload})
    assert response.status_code == 302
    assert RuleSet.objects.filter(questionnaire=QUESTIONNAIRE, condition="hypertension", status="draft").exists()


def test_a_file_over_256_kb_is_refused(catalog, uw):
    upload = SimpleUploadedFile("big.json", b" " * (256 * 1024 + 1), content_type="application/json")
    response = uw.post(UPLOAD, {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "file": upload})
    assert response.status_code == 200
    assert "256 KB" in response.content.decode()
    assert RuleSet.objects.count() == RuleSet.objects.filter(status="active").count()


def test_a_bad_table_shows_its_problems_and_creates_nothing(catalog, uw, guardian, grandparent):
    before = RuleSet.objects.count()
    bad = json.loads(grade3_declines())
    table = next(n for n in bad["nodes"] if n["type"] == "decisionTableNode")["content"]
    table["rules"][0]["out_outcome"] = '"approve"'
    response = uw.post(
        UPLOAD, {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "content": json.dumps(bad)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "规则表有误，未保存" in html
    assert "rule 1: outcome &#x27;approve&#x27;" in html
    assert RuleSet.objects.count() == before
    assert _active().version == 1


def test_pasting_and_uploading_at_once_or_neither_is_refused(catalog, uw):
    response = uw.post(UPLOAD, {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "content": ""})
    assert "请粘贴规则表 JSON 或上传 .json 文件" in response.content.decode()
    upload = SimpleUploadedFile("t.json", grade3_declines().encode())
    response = uw.post(
        UPLOAD,
        {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "content": grade3_declines(), "file": upload},
    )
    assert "二选一" in response.content.decode()
    assert not RuleSet.objects.filter(status="draft").exists()


def test_uploading_the_active_content_again_says_it_is_unchanged(catalog, uw):
    response = uw.post(
        UPLOAD, {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "content": _active().content}
    )
    assert response.status_code == 200
    assert "内容与生效中的第 1 版相同" in response.content.decode()


def test_edit_prefills_the_form_with_the_versions_json_and_saves_a_new_version(catalog, uw):
    active = _active()
    response = uw.get(reverse("admin:underwriting_ruleset_edit", args=[active.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["questionnaire"] == QUESTIONNAIRE and form.initial["condition"] == "hypertension"
    assert json.loads(form.initial["content"]) == json.loads(active.content)
    assert "\n" in form.initial["content"], "pretty-printed for editing"
    edited = form.initial["content"].replace(
        "3级高血压，需要核保人员结合血压记录人工审核", "3级高血压，请提供近三个月血压记录"
    )
    response = uw.post(
        reverse("admin:underwriting_ruleset_edit", args=[active.pk]),
        {"questionnaire": QUESTIONNAIRE, "condition": "hypertension", "content": edited, "note": "改提示语"},
    )
    assert response.status_code == 302
    assert RuleSet.objects.get(questionnaire=QUESTIONNAIRE, condition="hypertension", version=2).status == "draft"


def test_an_existing_version_is_read_only_and_cannot_be_deleted(catalog, uw):
    active = _active()
    change = reverse("admin:underwriting_ruleset_change", args=[active.pk])
    page = uw.get(change)
    assert page.status_code == 200
    assert 'name="content"' not in page.content.decode()
    assert uw.post(change, {"content": "{}"}).status_code == 403
    assert uw.get(reverse("admin:underwriting_ruleset_delete", args=[active.pk])).status_code == 403
    active.refresh_from_db()
    assert active.status == "active"


def test_the_activate_action_activates_selected_drafts(catalog, uw, underwriter):
    from kincare.underwriting.services import ruleset_create

    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
    )
    response = uw.post(RULESETS, {"action": "activate_selected", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    assert _active().pk == draft.pk


def test_the_activate_action_refuses_two_versions_of_one_table(catalog, uw, underwriter):
    from kincare.underwriting.services import ruleset_create

    draft = ruleset_create(
        actor=underwriter, questionnaire=QUESTIONNAIRE, condition="hypertension", content=grade3_declines()
    )
    response = uw.post(
        RULESETS, {"action": "activate_selected", "_selected_action": [draft.pk, _active().pk]}, follow=True
    )
    assert "同一张规则表一次只能使一个版本生效" in response.content.decode()
    assert _active().version == 1


def test_the_queue_lists_pending_cases_by_default_with_masked_names(catalog, uw, guardian, grandparent):
    pending = referred(guardian, grandparent)
    engine_decided(guardian, grandparent)
    response = uw.get(QUEUE)
    assert response.status_code == 200
    assert [d.pk for d in response.context["cl"].result_list] == [pending.pk]
    html = response.content.decode()
    assert "王*福" in html and "王德福" not in html
    assert chronic_product().name in html
    # no health data on the list: no condition or reason codes, the count of declared conditions only
    assert "other.free_text" in pending.reasons
    assert "other.free_text" not in html and "其他疾病" not in html
    assert "告知疾病数" in html and 'class="field-conditions_count">1<' in html
    assert uw.get(QUEUE, {"status": "all"}).context["cl"].result_count == 2
    assert uw.get(QUEUE, {"status": "decided"}).context["cl"].result_count == 1
    assert uw.get(reverse("admin:underwriting_underwritingdecision_add")).status_code == 403


def test_a_case_shows_the_answers_and_the_rule_that_fired_and_the_read_is_audited(
    catalog, uw, underwriter, guardian, grandparent
):
    case = referred(guardian, grandparent, hypertension(grade=3, controlled=False), other())
    response = uw.get(reverse("admin:underwriting_underwritingdecision_change", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "王*福",
        "高血压",
        "分级：3 级",
        "血压控制良好：否",
        "其他疾病",
        OTHER_TEXT,
        "medical_chronic/hypertension",
        "hypertension_02",
        "转人工核保",
        "提交核保决定",
    ):
        assert text in html, text
    assert "王德福" not in html
    events = AuditEvent.objects.filter(action="underwriting.decision_viewed", subject_id=str(case.pk))
    assert [e.actor for e in events] == [underwriter]


def test_deciding_a_case_through_its_page(catalog, uw, underwriter, guardian, grandparent, on_decision_calls):
    case = referred(guardian, grandparent)
    response = uw.post(
        reverse("admin:underwriting_underwritingdecision_change", args=[case.pk]),
        {
            "outcome": "conditional",
            "loading_pct": "25",
            "exclusion_icd10": "m51，M54、 M51",
            "exclusion_description": "腰椎间盘疾病及其并发症",
            "postpone_months": "",
            "note": "理疗中，加费并除外",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    case.refresh_from_db()
    assert (case.status, case.outcome, case.loading_pct, case.underwriter) == (
        "decided",
        "conditional",
        25,
        underwriter,
    )
    assert case.exclusions == [{"icd10": ["M51", "M54"], "description": "腰椎间盘疾病及其并发症"}]
    assert [d.pk for d in on_decision_calls] == [case.pk]
    page = uw.get(reverse("admin:underwriting_underwritingdecision_change", args=[case.pk])).content.decode()
    assert "提交核保决定" not in page
    assert "加费 25%" in page and "理疗中，加费并除外" in page


def test_the_decide_form_shows_the_services_reason(catalog, uw, guardian, grandparent, on_decision_calls):
    case = referred(guardian, grandparent)
    url = reverse("admin:underwriting_underwritingdecision_change", args=[case.pk])
    response = uw.post(url, {"outcome": "conditional", "note": "需要加费"})
    assert response.status_code == 200
    assert "有条件承保需要加费或除外责任" in response.content.decode()
    response = uw.post(url, {"outcome": "conditional", "exclusion_icd10": "M51", "note": "除外"})
    assert "请填写写在保单上的除外责任说明" in response.content.decode()
    response = uw.post(url, {"outcome": "standard"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "pending"
    assert on_decision_calls == []


def test_a_decided_case_cannot_be_posted_again(catalog, uw, guardian, grandparent):
    decision = engine_decided(guardian, grandparent)
    response = uw.post(
        reverse("admin:underwriting_underwritingdecision_change", args=[decision.pk]),
        {"outcome": "decline", "note": "改判"},
    )
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.outcome == "standard"


def test_an_unknown_case_is_not_found(catalog, uw):
    assert uw.get(reverse("admin:underwriting_underwritingdecision_change", args=[999999])).status_code == 404


def test_staff_without_the_underwriter_role_cannot_enter(catalog, guardian, grandparent):
    case = referred(guardian, grandparent)
    client = _login(claims_adjuster())
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert QUEUE not in index.content.decode() and RULESETS not in index.content.decode()
    for url in (
        RULESETS,
        UPLOAD,
        QUEUE,
        reverse("admin:underwriting_underwritingdecision_change", args=[case.pk]),
        reverse("admin:underwriting_ruleset_edit", args=[_active().pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("admin:underwriting_ruleset_activate", args=[_active().pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="underwriting.decision_viewed").exists()


def test_a_family_user_cannot_reach_the_console(catalog, guardian, grandparent):
    case = referred(guardian, grandparent)
    client = _login(guardian)
    for url in (
        reverse("admin:index"),
        QUEUE,
        reverse("admin:underwriting_underwritingdecision_change", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))
    assert UnderwritingDecision.objects.get(pk=case.pk).status == "pending"
