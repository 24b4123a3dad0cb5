"""The application page, the questionnaire, beneficiaries and the pay button × personas."""

import pytest
from django.conf import settings
from django.urls import reverse

from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentOrder
from kincare.policies import services
from kincare.policies.models import Application, ApplicationInsured
from kincare.policies.tests.page_helpers import (
    LIFE_PLAN,
    LIFE_PRODUCT,
    LIFE_YEARS,
    application_for,
    body,
    client_for,
    issue,
    no_answers,
)
from kincare.underwriting.form_schemas import conditions_parsed
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.questions import questions_for

QUESTIONS = [q["condition"] for q in questions_for("medical_chronic")]
HYPERTENSION_GRADE_1 = {
    "hypertension-grade": "1",
    "hypertension-controlled": "true",
    "hypertension-years": "5",
    "hypertension-complications": "false",
}

DIABETES = {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.0, "complications": False, "insulin": False}}


@pytest.fixture
def application(catalog, guardian, guardian_member, grandparent):
    return application_for(guardian, guardian_member, [grandparent])


def _page(application):
    return reverse("policies:application", args=[application.pk])


def _health(application, member):
    return reverse("policies:health", args=[application.pk, member.pk])


def _decision(application, member):
    return ApplicationInsured.objects.get(application=application, member=member).decision


def test_the_application_page_by_persona(application, g, a, o, grandparent):
    page = body(g.get(_page(application)))
    assert "王德福" in page and "待健康告知" in page and _health(application, grandparent) in page
    adult = a.get(_page(application))
    assert adult.status_code == 200 and "王德福" in body(adult)
    assert _health(application, grandparent) not in body(adult)  # only the policyholder answers
    assert o.get(_page(application)).status_code == 404
    anonymous = client_for().get(_page(application))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert g.get(reverse("policies:application", args=[987654])).status_code == 404


def test_the_questionnaire_is_the_policyholder_s(application, g, a, o, grandparent, guardian_member):
    url = _health(application, grandparent)
    page = body(g.get(url))
    assert "被保险人是否患有高血压" in page and 'name="q_hypertension"' in page and 'name="consent"' in page
    assert a.get(url).status_code == 404
    assert o.get(url).status_code == 404
    assert client_for().get(url).status_code == 302
    assert g.get(_health(application, guardian_member)).status_code == 404  # not insured on it
    assert a.post(url, {**no_answers(QUESTIONS), "consent": "yes"}).status_code == 404
    assert _decision(application, grandparent) is None


def test_choosing_yes_opens_the_condition_s_follow_up_fields(application, g, a, grandparent):
    url = reverse("policies:health_fields", args=[application.pk, grandparent.pk, "hypertension"])
    opened = body(g.post(url, {"q_hypertension": "yes"}))
    assert 'name="hypertension-grade"' in opened and 'name="hypertension-controlled"' in opened
    assert "血压控制良好" in opened and 'value="true"' in opened
    assert 'name="hypertension' not in body(g.post(url, {"q_hypertension": "no"}))
    diabetes = body(
        g.post(
            reverse("policies:health_fields", args=[application.pk, grandparent.pk, "diabetes"]),
            {"q_diabetes": "yes"},
        )
    )
    assert "2 型糖尿病" in diabetes and 'step="0.1"' in diabetes
    hepatitis = body(
        g.post(
            reverse("policies:health_fields", args=[application.pk, grandparent.pk, "hepatitis_b"]),
            {"q_hepatitis_b": "yes"},
        )
    )
    assert "小三阳" in hepatitis
    unknown = reverse("policies:health_fields", args=[application.pk, grandparent.pk, "flu"])
    assert g.post(unknown, {"q_flu": "yes"}).status_code == 404
    assert a.post(url, {"q_hypertension": "yes"}).status_code == 404


def test_controlled_grade_1_hypertension_is_accepted_at_once(application, g, grandparent):
    url = _health(application, grandparent)
    data = {**no_answers(QUESTIONS, hypertension="yes"), **HYPERTENSION_GRADE_1, "consent": "yes"}
    response = g.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    decision = _decision(application, grandparent)
    assert decision.outcome == "standard"
    assert decision.answers["conditions"][0]["attributes"] == {
        "grade": 1,
        "controlled": True,
        "years": 5,
        "complications": False,
    }
    page = body(g.get(url))
    assert "标准体承保" in page and "1–2级高血压且控制良好" in page
    application.refresh_from_db()
    assert application.status == Application.Status.READY
    assert "标准体承保" in body(g.get(_page(application)))


def test_a_loading_and_an_exclusion_are_worded_plainly(application, g, grandparent):
    data = {
        **no_answers(QUESTIONS, diabetes="yes", hepatitis_b="yes"),
        "diabetes-type": "2",
        "diabetes-hba1c": "7.2",
        "diabetes-complications": "false",
        "diabetes-insulin": "false",
        "hepatitis_b-status": "carrier",
        "hepatitis_b-liver_function_normal": "true",
        "hepatitis_b-hbv_dna_positive": "false",
        "hepatitis_b-cirrhosis": "false",
        "consent": "yes",
    }
    assert g.post(_health(application, grandparent), data).status_code == 302
    page = body(g.get(_health(application, grandparent)))
    assert "有条件承保" in page and "加费 25%" in page and "肝脏疾病（含肝硬化、肝功能衰竭等）除外" in page
    insured = ApplicationInsured.objects.get(application=application)
    assert insured.loading_pct == 25 and insured.premium_fen > insured.base_premium_fen
    assert "加费 25%" in body(g.get(_page(application)))


def test_another_adult_sees_neither_the_decision_nor_the_loading(application, g, a, guardian, grandparent):
    data = {
        **no_answers(QUESTIONS, hepatitis_b="yes"),
        "hepatitis_b-status": "carrier",
        "hepatitis_b-liver_function_normal": "true",
        "hepatitis_b-hbv_dna_positive": "false",
        "hepatitis_b-cirrhosis": "false",
        "consent": "yes",
    }
    g.post(_health(application, grandparent), data)
    insured = ApplicationInsured.objects.get(application=application)
    adult_page = body(a.get(_page(application)))
    assert "已完成健康告知" in adult_page
    for hidden in ("有条件承保", "加费", "标准保费", "肝"):
        assert hidden not in adult_page, hidden
    assert f"{insured.premium_fen // 100:,}" in adult_page  # the premium, not its breakdown
    assert not AuditEvent.objects.filter(action="underwriting_decision.read").exists()
    guardian_page = body(g.get(_page(application)))
    assert "肝脏疾病" in guardian_page and "有条件承保" in guardian_page
    # the policyholder read the grandparent's decision: audited, without the condition
    [event] = AuditEvent.objects.filter(action="underwriting_decision.read")
    assert (event.actor, event.subject_id, event.new) == (
        guardian,
        str(application.pk),
        {"member": grandparent.pk, "decision": insured.decision_id},
    )


def test_the_spouse_sees_her_own_decision_and_the_guardian_only_the_premium(catalog, g, a, adult_member, adult_row):
    hers = application_for(adult_member, adult_row, [adult_row])
    services.application_answer(
        actor=adult_member, application=hers, member=adult_row, conditions=conditions_parsed([DIABETES]), consent=True
    )
    page = body(a.get(_page(hers)))
    assert "有条件承保" in page and "加费 25%" in page and "标准保费" in page
    guardian_page = body(g.get(_page(hers)))
    assert "有条件承保" not in guardian_page and "加费" not in guardian_page and "标准保费" not in guardian_page
    assert not AuditEvent.objects.filter(action="underwriting_decision.read").exists()


def test_other_conditions_go_to_an_underwriter(application, g, grandparent):
    data = {**no_answers(QUESTIONS, other="yes"), "other-description": "痛风，服药中", "consent": "yes"}
    assert g.post(_health(application, grandparent), data).status_code == 302
    assert _decision(application, grandparent).status == UnderwritingDecision.Status.PENDING
    assert "已转人工核保，结果将通知您" in body(g.get(_health(application, grandparent)))
    application.refresh_from_db()
    assert application.status == Application.Status.MANUAL_REVIEW


def test_a_decline_says_why(application, g, grandparent):
    data = {
        **no_answers(QUESTIONS, hypertension="yes"),
        **HYPERTENSION_GRADE_1,
        "hypertension-complications": "true",
        "consent": "yes",
    }
    g.post(_health(application, grandparent), data)
    page = body(g.get(_health(application, grandparent)))
    assert "拒保" in page and "高血压已有并发症" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**no_answers(QUESTIONS)}, "请阅读并勾选健康告知声明"),
        ({**no_answers(QUESTIONS, hypertension="yes"), "consent": "yes"}, "这个字段是必填项"),
        ({**no_answers(QUESTIONS, hypertension="yes"), **HYPERTENSION_GRADE_1, "hypertension-grade": "9"}, "3"),
        ({**no_answers(QUESTIONS, hypertension="maybe"), "consent": "yes"}, "请回答此问题"),
        ({"q_hypertension": "no", "consent": "yes"}, "请回答此问题"),
        ({**no_answers(QUESTIONS, hypertension="yes"), **HYPERTENSION_GRADE_1, "hypertension-years": "-1"}, "0"),
    ],
)
def test_bad_answers_show_a_message_and_decide_nothing(application, g, grandparent, data, message):
    url = _health(application, grandparent)
    response = g.post(url, data)
    assert response.status_code == 422 and message in body(response)
    assert _decision(application, grandparent) is None
    assert not UnderwritingDecision.objects.exists()


def test_without_javascript_yes_posted_renders_the_fields_server_side(application, g, grandparent):
    response = g.post(_health(application, grandparent), {**no_answers(QUESTIONS, diabetes="yes"), "consent": "yes"})
    page = body(response)
    assert response.status_code == 422 and 'name="diabetes-hba1c"' in page and 'name="hypertension-grade"' not in page


def test_the_pay_button_sends_the_policyholder_to_the_checkout_once(application, g, a, o, grandparent):
    g.post(_health(application, grandparent), {**no_answers(QUESTIONS), "consent": "yes"})
    page = body(g.get(_page(application)))
    # the button is disabled on submit by static/js/kincare.js (no inline handler under the CSP)
    assert 'id="pay-button"' in page and "data-busy=" in page and "js/kincare.js" in page
    assert "busy.disabled = true" in (settings.BASE_DIR / "static/js/kincare.js").read_text()
    pay = reverse("policies:pay", args=[application.pk])
    assert o.post(pay).status_code == 404
    refused = a.post(pay)
    assert refused.status_code == 302 and refused["Location"] == _page(application)
    assert not PaymentOrder.objects.exists()
    first = g.post(pay)
    assert first.status_code == 302 and first["Location"].startswith("/pay/sandbox/")
    again = g.post(pay)
    assert again["Location"] == first["Location"]
    assert PaymentOrder.objects.count() == 1
    assert g.get(pay).status_code == 405
    assert "继续支付" in body(g.get(_page(application)))


def test_paying_before_the_questionnaire_is_refused_with_a_message(application, g):
    response = g.post(reverse("policies:pay", args=[application.pk]), follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not PaymentOrder.objects.exists()


def test_after_issue_the_page_links_the_policy_numbers(
    application, g, a, guardian, grandparent, django_capture_on_commit_callbacks
):
    [policy] = issue(guardian, application, django_capture_on_commit_callbacks)
    for client in (g, a):
        page = body(client.get(_page(application)))
        assert policy.number in page and reverse("policies:policy", args=[policy.pk]) in page
    late = g.post(_health(application, grandparent), {**no_answers(QUESTIONS), "consent": "yes"})
    assert late.status_code == 422 and "已不能修改健康告知" in body(late)
    assert 'id="questionnaire-form"' not in body(g.get(_health(application, grandparent)))


@pytest.fixture
def life_application(catalog, guardian, guardian_member):
    return application_for(
        guardian, guardian_member, [guardian_member], code=LIFE_PRODUCT, plan=LIFE_PLAN, payment_years=LIFE_YEARS
    )


def test_beneficiaries_for_a_term_life_product(life_application, g, a, o, adult_row, child, guardian_member):
    page = body(g.get(_page(life_application)))
    assert "身故受益人" in page and "法定继承人" in page
    assert 'name="share_pct_0"' not in body(a.get(_page(life_application)))
    url = reverse("policies:beneficiaries", args=[life_application.pk])
    bad_sum = g.post(
        url,
        {
            "kind": "named",
            "member_0": adult_row.pk,
            "relationship_0": "spouse",
            "share_pct_0": "60",
            "name_1": "王小明",
            "relationship_1": "child",
            "share_pct_1": "30",
        },
    )
    assert bad_sum.status_code == 422 and "100" in body(bad_sum)
    life_application.refresh_from_db()
    assert life_application.beneficiaries.get("kind") != "named"
    insured_self = g.post(
        url, {"kind": "named", "member_0": guardian_member.pk, "relationship_0": "other", "share_pct_0": "100"}
    )
    assert insured_self.status_code == 422
    empty = g.post(url, {"kind": "named"})
    assert empty.status_code == 422 and "请至少填写一位指定受益人" in body(empty)
    missing = g.post(url, {"kind": "named", "name_0": "李秀英", "share_pct_0": "100"})
    assert missing.status_code == 422 and "请选择与被保险人关系" in body(missing)
    assert a.post(url, {"kind": "legal"}).status_code == 404
    assert o.post(url, {"kind": "legal"}).status_code == 404
    ok = g.post(
        url,
        {
            "kind": "named",
            "member_0": adult_row.pk,
            "relationship_0": "spouse",
            "share_pct_0": "70",
            "member_1": child.pk,
            "relationship_1": "child",
            "share_pct_1": "30",
        },
    )
    assert ok.status_code == 302
    life_application.refresh_from_db()
    named = life_application.beneficiaries["named"]
    assert [(b["name"], b["share_pct"]) for b in named] == [("李秀英", 70), ("王小明", 30)]
    assert g.post(url, {"kind": "legal"}).status_code == 302
    life_application.refresh_from_db()
    assert life_application.beneficiaries == {"kind": "legal"}


def test_a_medical_application_has_no_beneficiaries_form(application, g):
    assert 'name="share_pct_0"' not in body(g.get(_page(application)))
    assert g.post(reverse("policies:beneficiaries", args=[application.pk]), {"kind": "legal"}).status_code == 404
