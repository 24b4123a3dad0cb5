"""Applications through the API: the whole purchase per persona, answers, beneficiaries, payment."""

import pytest

from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentOrder
from kincare.families.models import Member
from kincare.families.services.health import consent_give, health_grant_give
from kincare.policies.models import Application, Policy
from kincare.policies.tests.api_helpers import (
    API,
    CHRONIC_PLAN,
    CHRONIC_PRODUCT,
    answer,
    apply,
    call,
    client_for,
    error,
    hypertension_answer,
    ok,
    sandbox_pay,
)

APPS = f"{API}/applications"


@pytest.fixture
def application(catalog, g, guardian_member, grandparent):
    """The guardian applies for the chronic-friendly medical product for the grandparent."""
    return apply(g, policyholder=guardian_member, insured=[grandparent])


def test_the_guardian_buys_a_medical_product_for_the_grandparent_with_hypertension(
    catalog, g, guardian_member, grandparent, django_capture_on_commit_callbacks
):
    quote = ok(
        call(
            g,
            "post",
            f"{API}/quotes",
            {"product_code": CHRONIC_PRODUCT, "plan_code": CHRONIC_PLAN, "member_ids": [grandparent.pk]},
        )
    )
    created = apply(g, policyholder=guardian_member, insured=[grandparent])
    assert (created["status"], created["policyholder_member_id"]) == ("underwriting", guardian_member.pk)
    assert created["insured"][0]["member_id"] == grandparent.pk
    assert created["insured"][0]["base_premium_fen"] == quote["lines"][0]["base_premium_fen"]
    assert created["insured"][0]["answered"] is False
    assert created["order"] is None

    form = ok(g.get(f"{APPS}/{created['id']}/insured/{grandparent.pk}/questionnaire"))
    assert form["questionnaire"] == "medical_chronic"
    assert "hypertension" in [q["condition"] for q in form["questions"]]
    assert form["prefilled"] == []

    url = f"{APPS}/{created['id']}/insured/{grandparent.pk}/answers"
    refused = call(g, "post", url, {"conditions": [hypertension_answer()], "consent": False})
    error(refused, 422, "disclosure_consent_required")
    result = ok(call(g, "post", url, {"conditions": [hypertension_answer()], "consent": True}))
    decision = result["decision"]
    assert (decision["outcome"], decision["status"], decision["decided_by"]) == ("standard", "decided", "engine")
    assert decision["summary"].startswith("标准体承保")
    assert [c["code"] for c in decision["conditions"]] == ["hypertension"]
    assert decision["conditions"][0]["label"] == "高血压"
    assert decision["conditions"][0]["message"]
    assert result["application_status"] == "ready"
    assert result["application"]["insured"][0]["decision"]["id"] == decision["id"]
    assert result["application"]["premium_fen"] == quote["total_fen"]

    paid = ok(call(g, "post", f"{APPS}/{created['id']}/pay"))
    order = paid["order"]
    assert (order["amount_fen"], order["status"], paid["application_status"]) == (
        quote["total_fen"],
        "created",
        "pending_payment",
    )
    assert order["pay_url"]
    again = ok(call(g, "post", f"{APPS}/{created['id']}/pay"))
    assert again["order"]["out_trade_no"] == order["out_trade_no"]
    assert PaymentOrder.objects.filter(out_trade_no=order["out_trade_no"]).count() == 1

    sandbox_pay(order["out_trade_no"], django_capture_on_commit_callbacks)
    assert ok(g.get(f"{APPS}/{created['id']}"))["status"] == "issued"
    policy = Policy.objects.get(application_id=created["id"])
    detail = ok(g.get(f"{API}/{policy.pk}"))
    assert (detail["status"], detail["insured_member_id"], detail["premium_fen"]) == (
        "active",
        grandparent.pk,
        quote["total_fen"],
    )
    assert detail["number"]
    assert detail["exclusions"] == []
    wallet_text = g.get(f"{API}/").content.decode()
    assert detail["number"] in wallet_text


def test_the_other_adult_buys_for_themself(catalog, a, adult_row, django_capture_on_commit_callbacks):
    created = apply(a, policyholder=adult_row, insured=[adult_row])
    result = answer(a, created["id"], adult_row, [])
    assert (result["decision"]["outcome"], result["application_status"]) == ("standard", "ready")
    paid = ok(call(a, "post", f"{APPS}/{created['id']}/pay"))
    sandbox_pay(paid["order"]["out_trade_no"], django_capture_on_commit_callbacks)
    policy = Policy.objects.get(application_id=created["id"])
    assert ok(a.get(f"{API}/{policy.pk}"))["status"] == "active"
    assert str(policy.number) in a.get(f"{API}/").content.decode()


def test_the_other_adult_may_not_insure_others_or_sign_for_the_guardian(
    catalog, a, adult_row, grandparent, guardian_member
):
    body = {
        "product_code": CHRONIC_PRODUCT,
        "plan_code": CHRONIC_PLAN,
        "policyholder_member_id": adult_row.pk,
        "insured_member_ids": [grandparent.pk],
    }
    response = call(a, "post", APPS, body)
    assert response.status_code in (403, 422)
    assert response.json()["code"] == "insured_not_allowed"
    body = {**body, "policyholder_member_id": guardian_member.pk, "insured_member_ids": [guardian_member.pk]}
    response = call(a, "post", APPS, body)
    assert response.status_code in (403, 422)
    assert response.json()["code"] == "policyholder_not_self"
    assert not Application.objects.exists()


def test_outsiders_get_404_and_anonymous_401_on_every_application_endpoint(
    application, o, grandparent, guardian_member
):
    base = f"{APPS}/{application['id']}"
    anonymous = client_for()
    for method, url, body in [
        ("get", base, None),
        ("get", f"{base}/insured/{grandparent.pk}/questionnaire", None),
        ("post", f"{base}/insured/{grandparent.pk}/answers", {"conditions": [], "consent": True}),
        ("put", f"{base}/beneficiaries", {"kind": "legal"}),
        ("post", f"{base}/pay", None),
    ]:
        error(call(o, method, url, body), 404)
        error(call(anonymous, method, url, body), 401, "not_authenticated")
    assert ok(o.get(APPS)) == []
    error(anonymous.get(APPS), 401)
    huge = "99999999999999999999999"
    error(o.get(f"{APPS}/{huge}"), 404)
    error(o.get(f"{base}/insured/{huge}/questionnaire"), 404)
    error(call(o, "post", f"{APPS}/{huge}/pay"), 404)
    body = {
        "product_code": CHRONIC_PRODUCT,
        "plan_code": CHRONIC_PLAN,
        "policyholder_member_id": guardian_member.pk,
        "insured_member_ids": [grandparent.pk],
    }
    error(call(o, "post", APPS, body), 404, "not_found")
    error(call(anonymous, "post", APPS, body), 401)


def test_the_guardian_lists_and_reads_the_application(application, g, a):
    assert [x["id"] for x in ok(g.get(APPS))] == [application["id"]]
    detail = ok(g.get(f"{APPS}/{application['id']}"))
    assert detail["beneficiaries"] == {}
    # the other adult sees the family's application, not the policyholder's beneficiaries
    assert ok(a.get(f"{APPS}/{application['id']}"))["beneficiaries"] is None
    assert [x["id"] for x in ok(a.get(APPS))] == [application["id"]]


def test_answers_only_for_an_insured_member_of_this_application(application, g, child, outsider):
    url = f"{APPS}/{application['id']}/insured/{child.pk}/answers"
    error(call(g, "post", url, {"conditions": [], "consent": True}), 404, "insured_not_found")
    other = Member.objects.get(user=outsider)
    url = f"{APPS}/{application['id']}/insured/{other.pk}/answers"
    error(call(g, "post", url, {"conditions": [], "consent": True}), 404, "not_found")
    error(g.get(f"{APPS}/{application['id']}/insured/{child.pk}/questionnaire"), 404, "insured_not_found")
    error(g.get(f"{APPS}/999999999/insured/{child.pk}/questionnaire"), 404)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"conditions": "hypertension", "consent": True}, "validation_error"),
        ({"conditions": [], "consent": "true"}, "validation_error"),
        ({"conditions": [], "consent": 1}, "validation_error"),
        ({"conditions": [{"code": "flu", "attributes": {}}], "consent": True}, "condition_unknown"),
        ({"conditions": ["hypertension"], "consent": True}, "condition_invalid"),
        ({"conditions": [hypertension_answer(grade="１")], "consent": True}, "condition_attributes_invalid"),
        ({"conditions": [hypertension_answer(grade=9)], "consent": True}, "condition_attributes_invalid"),
        ({"conditions": [hypertension_answer(controlled="yes")], "consent": True}, "condition_attributes_invalid"),
        ({"conditions": [hypertension_answer()] * 21, "consent": True}, "conditions_too_many"),
        ({"conditions": []}, "disclosure_consent_required"),
    ],
)
def test_nasty_answers_are_refused_and_change_nothing(application, g, grandparent, body, code):
    url = f"{APPS}/{application['id']}/insured/{grandparent.pk}/answers"
    refused = error(call(g, "post", url, body), 422, code)
    assert refused["field"] or code == "disclosure_consent_required"
    assert ok(g.get(f"{APPS}/{application['id']}"))["status"] == "underwriting"
    assert ok(g.get(f"{APPS}/{application['id']}"))["insured"][0]["answered"] is False


def test_an_uncontrolled_hypertension_is_accepted_with_an_exclusion_in_plain_chinese(application, g, a, grandparent):
    result = answer(g, application["id"], grandparent, [hypertension_answer(controlled=False)])
    decision = result["decision"]
    assert decision["outcome"] == "conditional"
    assert decision["exclusions"] and decision["exclusions"][0]["icd10"]
    assert decision["summary"].startswith("有条件承保：除外高血压")
    assert result["application_status"] == "ready"
    # the other adult may not read the grandparent's health data: no decision details for her
    response = a.get(f"{APPS}/{application['id']}")
    assert ok(response)["insured"][0]["decision"] is None
    assert ok(response)["insured"][0]["answered"] is True
    assert "I10" not in response.content.decode()


def test_staff_are_outsiders_to_a_familys_applications(application, underwriter, grandparent):
    client = client_for(underwriter)
    error(client.get(f"{APPS}/{application['id']}"), 404)
    error(client.get(f"{APPS}/{application['id']}/insured/{grandparent.pk}/questionnaire"), 404)
    assert ok(client.get(APPS)) == []


def test_a_free_text_condition_goes_to_an_underwriter(application, g, grandparent):
    other = {"code": "other", "attributes": {"description": "去年做过胆囊手术"}}
    result = answer(g, application["id"], grandparent, [other])
    assert (result["decision"]["outcome"], result["decision"]["status"]) == ("manual", "pending")
    assert result["application_status"] == "manual_review"
    assert "人工" in result["decision"]["summary"]
    response = call(g, "post", f"{APPS}/{application['id']}/pay")
    assert response.status_code in (409, 422)
    assert not PaymentOrder.objects.exists()


def test_paying_before_the_questionnaire_is_answered_is_refused(application, g):
    response = call(g, "post", f"{APPS}/{application['id']}/pay")
    assert response.status_code in (409, 422)
    assert set(response.json()) == {"code", "message", "field"}
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"insured_member_ids": []},
        {"insured_member_ids": "5"},
        {"insured_member_ids": [True]},
        {"policyholder_member_id": "1"},
        {"policyholder_member_id": 1.0},
        {"policyholder_member_id": None},
        {"payment_years": -1},
        {"plan_code": None},
    ],
)
def test_nasty_applications_are_refused(catalog, g, guardian_member, grandparent, overrides):
    body = {
        "product_code": CHRONIC_PRODUCT,
        "plan_code": CHRONIC_PLAN,
        "policyholder_member_id": guardian_member.pk,
        "insured_member_ids": [grandparent.pk],
        **overrides,
    }
    error(call(g, "post", APPS, body), 422, "validation_error")
    assert not Application.objects.exists()


def test_unknown_products_plans_and_duplicates(catalog, g, guardian_member, grandparent):
    body = {
        "product_code": CHRONIC_PRODUCT,
        "plan_code": CHRONIC_PLAN,
        "policyholder_member_id": guardian_member.pk,
        "insured_member_ids": [grandparent.pk],
    }
    error(call(g, "post", APPS, {**body, "product_code": "zz_404"}), 404, "product_not_found")
    error(call(g, "post", APPS, {**body, "plan_code": "gold"}), 422, "plan_unknown")
    error(call(g, "post", APPS, {**body, "insured_member_ids": [grandparent.pk] * 2}), 422, "insured_duplicate")
    assert not Application.objects.exists()


# Beneficiaries (life products) -------------------------------------------------------------------


@pytest.fixture
def life_application(catalog, g, guardian_member):
    from kincare.catalog.models import Product

    product = Product.objects.filter(is_current=True, category="term_life", on_sale=True).order_by("code").first()
    plan = product.plans.order_by("position").first()
    years = product.premium_rows.filter(plan=plan).order_by("payment_years").first().payment_years
    return apply(
        g,
        policyholder=guardian_member,
        insured=[guardian_member],
        product=product.code,
        plan=plan.code,
        payment_years=years,
    )


def test_beneficiaries_named_with_shares_adding_to_100(life_application, g, a, adult_row, child, guardian_member):
    url = f"{APPS}/{life_application['id']}/beneficiaries"
    named = [
        {"name": "李秀英", "relationship": "spouse", "share_pct": 60, "member_id": adult_row.pk},
        {"name": "王小明", "relationship": "child", "share_pct": 40, "member_id": child.pk},
    ]
    saved = ok(call(g, "put", url, {"kind": "named", "named": named}))
    assert [b["share_pct"] for b in saved["beneficiaries"]["named"]] == [60, 40]
    assert ok(call(g, "put", url, {"kind": "legal"}))["beneficiaries"] == {"kind": "legal"}
    short = [{**named[0], "share_pct": 60}, {**named[1], "share_pct": 30}]
    error(call(g, "put", url, {"kind": "named", "named": short}), 422, "beneficiary_shares_invalid")
    himself = [{"name": "王建国", "relationship": "other", "share_pct": 100, "member_id": guardian_member.pk}]
    error(call(g, "put", url, {"kind": "named", "named": himself}), 422, "beneficiary_is_insured")
    for bad in (
        {"kind": "heirs"},
        {},
        {"kind": "named", "named": [{**named[0], "share_pct": "60"}]},
        {"kind": "named", "named": [{**named[0], "share_pct": 60.5}]},
        {"kind": "named", "named": [{**named[0], "share_pct": 0}]},
        {"kind": "named", "named": "李秀英"},
    ):
        error(call(g, "put", url, bad), 422, "validation_error")
    # only the policyholder designates beneficiaries
    response = call(a, "put", url, {"kind": "legal"})
    assert response.status_code in (403, 404)
    assert ok(g.get(f"{APPS}/{life_application['id']}"))["beneficiaries"] == {"kind": "legal"}


# -- who sees the underwriting terms (health data) ----------------------------------------------

DIABETES = {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.0, "complications": False, "insulin": False}}


def _reads(member=None):
    rows = AuditEvent.objects.filter(action="underwriting_decision.read")
    return rows.filter(new__member=member.pk) if member is not None else rows


def test_the_policyholder_sees_the_grandparents_decision_and_the_read_is_audited(application, g, guardian, grandparent):
    answer(g, application["id"], grandparent, [DIABETES])
    before = _reads().count()
    seen = ok(g.get(f"{APPS}/{application['id']}"))["insured"][0]
    assert (seen["decision"]["outcome"], seen["loading_pct"]) == ("conditional", 25)
    assert seen["base_premium_fen"] < seen["premium_fen"]
    [event] = _reads().order_by("id")[before:]
    assert (event.actor, event.subject_id, event.new["member"]) == (guardian, str(application["id"]), grandparent.pk)
    assert "diabetes" not in str(event.new) and "糖尿病" not in str(event.new)
    # the list reads the same way
    listed = ok(g.get(APPS))
    assert listed[0]["insured"][0]["loading_pct"] == 25
    assert _reads().count() == before + 2


def test_another_adult_sees_neither_the_outcome_nor_the_loading_nor_the_standard_premium(
    application, g, a, adult_member, grandparent
):
    answer(g, application["id"], grandparent, [DIABETES])
    for response in (a.get(f"{APPS}/{application['id']}"), a.get(APPS)):
        text = response.content.decode()
        body = ok(response)
        insured = (body[0] if isinstance(body, list) else body)["insured"][0]
        assert (insured["decision"], insured["loading_pct"], insured["base_premium_fen"]) == (None, None, None)
        assert insured["answered"] is True and insured["premium_fen"] > 0
        assert "conditional" not in text and "有条件" not in text and "加费" not in text and "diabetes" not in text
    assert not _reads().filter(actor=adult_member).exists()  # nothing was shown to her


def test_the_spouse_sees_her_own_decision_unaudited_and_the_guardian_does_not(catalog, g, a, adult_member, adult_row):
    mine = apply(a, policyholder=adult_row, insured=[adult_row])
    answer(a, mine["id"], adult_row, [DIABETES])
    hers = ok(a.get(f"{APPS}/{mine['id']}"))["insured"][0]
    assert (hers["decision"]["outcome"], hers["loading_pct"]) == ("conditional", 25)
    assert not _reads(adult_row).exists()  # her own health data
    theirs = ok(g.get(f"{APPS}/{mine['id']}"))["insured"][0]
    assert (theirs["decision"], theirs["loading_pct"], theirs["base_premium_fen"]) == (None, None, None)
    assert not _reads(adult_row).exists()


def test_whom_she_lets_read_her_health_data_sees_her_decision_audited(
    catalog, g, a, guardian, adult_member, adult_row, guardian_member
):
    mine = apply(a, policyholder=adult_row, insured=[adult_row])
    answer(a, mine["id"], adult_row, [DIABETES])
    consent_give(actor=adult_member, member=adult_row)
    health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    theirs = ok(g.get(f"{APPS}/{mine['id']}"))["insured"][0]
    assert (theirs["decision"]["outcome"], theirs["loading_pct"]) == ("conditional", 25)
    assert [e.actor for e in _reads(adult_row)] == [guardian]


def test_an_outsider_gets_404_on_an_answered_application(application, g, o, grandparent):
    answer(g, application["id"], grandparent, [DIABETES])
    error(o.get(f"{APPS}/{application['id']}"), 404)
    assert ok(o.get(APPS)) == []
