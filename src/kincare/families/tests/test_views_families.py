"""Pages × guardian / adult member / outsider, with readable errors and no 500s."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from kincare.families import services
from kincare.families.models import HealthDeclaration, Invitation, LifeEvent, Member
from kincare.families.tests import factories


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def g(guardian, family):
    return _client(guardian)


@pytest.fixture
def a(adult_member):
    return _client(adult_member)


@pytest.fixture
def o(outsider, other_family):
    return _client(outsider)


def test_the_family_home_requires_login(db):
    response = Client().get(reverse("families:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_a_family_is_asked_to_verify_or_create(db):
    unverified = _client(factories.UserFactory())
    assert "实名认证" in unverified.get(reverse("families:home")).content.decode()
    user = factories.verified_user(name="孙悟空")
    client = _client(user)
    assert "创建家庭" in client.get(reverse("families:home")).content.decode()
    response = client.post(reverse("families:home"), {"name": "孙家"})
    assert response.status_code == 302
    assert Member.objects.get(user=user).relationship == "self"
    empty = _client(factories.verified_user(name="猪八戒")).post(reverse("families:home"), {"name": ""})
    assert empty.status_code == 422


def test_the_home_shows_roles_masking_and_health_access(g, a, o, child, adult_row):
    page = g.get(reverse("families:home")).content.decode()
    child_row = Member.objects.get(pk=child.pk)
    assert child_row.resident_id in page  # the guardian sees the minor's ID
    assert adult_row.resident_id not in page  # but not the other adult's
    assert "监护人" in page and "未成年人" in page and "需本人授权" in page
    adult_page = a.get(reverse("families:home")).content.decode()
    assert child_row.resident_id not in adult_page
    assert adult_row.resident_id in adult_page
    assert "仅监护人可见" in adult_page
    outsider_page = o.get(reverse("families:home")).content.decode()
    assert "王小明" not in outsider_page and "赵家" in outsider_page


def test_add_a_member_page(g, a, o, family):
    url = reverse("families:member_add")
    assert g.get(url).status_code == 200
    assert a.get(url).status_code == 404
    resident_id = factories.make_resident_id(dt.date(2019, 5, 5), sex="F")
    bad = g.post(
        url,
        {
            "name": "王小红",
            "resident_id": "１２３",
            "relationship": "child",
            "social_insurance": "none",
            "occupation_class": "1",
        },
    )
    assert bad.status_code == 422 and "身份证号码不正确" in bad.content.decode()
    mismatch = g.post(
        url,
        {
            "name": "王小红",
            "resident_id": resident_id,
            "relationship": "child",
            "sex": "M",
            "social_insurance": "none",
            "occupation_class": "1",
        },
    )
    assert mismatch.status_code == 422 and "性别与身份证号不一致" in mismatch.content.decode()
    money = g.post(
        url,
        {
            "name": "王小红",
            "resident_id": resident_id,
            "relationship": "child",
            "annual_income_fen": "-5",
            "social_insurance": "none",
            "occupation_class": "1",
        },
    )
    assert money.status_code == 422
    ok = g.post(
        url,
        {
            "name": "王小红",
            "resident_id": resident_id,
            "relationship": "child",
            "annual_income_fen": "１２",
            "social_insurance": "none",
            "occupation_class": "1",
        },
    )
    assert ok.status_code == 302
    assert Member.objects.get(family=family, name="王小红").annual_income_fen == 1200
    # the outsider's post lands in their own family (the page never takes a family id)
    assert o.post(url, {"name": "王小红"}).status_code == 422
    assert Member.objects.filter(name="王小红").count() == 1


def test_edit_member_page(g, a, o, child, adult_row):
    child_url = reverse("families:member_edit", args=[child.pk])
    page = g.get(child_url)
    assert page.status_code == 200
    assert a.get(child_url).status_code == 404
    assert o.get(child_url).status_code == 404
    own = a.get(reverse("families:member_edit", args=[adult_row.pk]))
    assert own.status_code == 200 and 'name="relationship"' not in own.content.decode()
    response = a.post(
        reverse("families:member_edit", args=[adult_row.pk]),
        {
            "name": "李秀英",
            "resident_id": "",
            "social_insurance": "urban_employee",
            "occupation_class": "2",
            "city": "北京",
            "annual_income_fen": "120000.50",
        },
    )
    assert response.status_code == 302
    adult_row.refresh_from_db()
    assert (adult_row.city, adult_row.annual_income_fen, adult_row.occupation_class) == ("北京", 12000050, 2)


def test_remove_member(g, a, o, child):
    url = reverse("families:member_remove", args=[child.pk])
    assert o.post(url).status_code == 404
    a.post(url)
    assert Member.objects.get(pk=child.pk).removed_at is None
    assert g.post(url).status_code == 302
    assert Member.objects.get(pk=child.pk).removed_at is not None


def test_invite_page_shows_a_link_once(g, a, o, family):
    url = reverse("families:invite")
    assert a.get(url).status_code == 404
    # the outsider guards another family: the page shows their own invitations, not ours
    assert "139****1234" not in o.get(url).content.decode()
    response = g.post(url, {"phone": "139 0000 1234", "relationship": "sibling"})
    assert response.status_code == 200
    assert "/family/invite/" in response.content.decode()
    bad = g.post(url, {"phone": "123", "relationship": "sibling"})
    assert bad.status_code == 422 and "手机号" in bad.content.decode()
    invitation = Invitation.objects.get(family=family, accepted_at__isnull=True)
    assert o.post(reverse("families:invitation_revoke", args=[invitation.pk])).status_code == 404
    g.post(reverse("families:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_accepting_an_invitation_page(family, outsider, other_family):
    invitee = factories.verified_user(name="周杰", birth_date=dt.date(1990, 1, 1))
    _inv, token = services.invitation_create(actor=family.guardian, family=family, phone=invitee.phone)
    url = reverse("families:invitation_accept", args=[token])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    wrong = _client(outsider).get(url)
    assert "不是发给当前手机号" in wrong.content.decode()
    assert _client(outsider).post(url).status_code == 409
    client = _client(invitee)
    assert "王家" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Member.objects.get(user=invitee).family == family
    assert client.get(reverse("families:invitation_accept", args=["garbage"])).status_code == 404


def test_consents_page_gives_and_withdraws(g, a, o, adult_row, child, guardian_member):
    page = a.get(reverse("families:consents")).content.decode()
    assert "敏感个人信息处理同意" in page and "王小明" not in page
    assert "王小明" in g.get(reverse("families:consents")).content.decode()
    url = reverse("families:consent_give", args=[adult_row.pk])
    a.post(url, {"policy_version": services.CONSENT_POLICY_VERSION})  # box not ticked
    assert services.consent_active(adult_row) is None
    assert g.post(url, {"agree": "yes", "policy_version": services.CONSENT_POLICY_VERSION}).status_code == 302
    assert services.consent_active(adult_row) is None
    assert o.post(url, {"agree": "yes"}).status_code == 404
    a.post(url, {"agree": "yes", "policy_version": services.CONSENT_POLICY_VERSION})
    assert services.consent_active(adult_row) is not None
    a.post(reverse("families:grant_give"), {"grantee": guardian_member.pk})
    grant = adult_row.grants_given.get()
    assert "撤销授权" in a.get(reverse("families:consents")).content.decode()
    assert o.post(reverse("families:grant_revoke", args=[grant.pk])).status_code == 404
    g.post(reverse("families:grant_revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is None
    a.post(reverse("families:grant_revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    a.post(reverse("families:consent_withdraw", args=[adult_row.pk]))
    assert services.consent_active(adult_row) is None


def test_health_page_and_htmx_fields(g, a, o, adult_member, adult_row, child):
    url = reverse("families:health", args=[adult_row.pk])
    assert o.get(url).status_code == 404
    assert "需本人授权" in g.get(url).content.decode()
    assert "去同意" in a.get(url).content.decode()
    services.consent_give(actor=adult_member, member=adult_row)
    fields = a.post(reverse("families:condition_fields"), {"code": "diabetes"}, HTTP_HX_REQUEST="true")
    assert 'name="hba1c"' in fields.content.decode()
    assert a.post(reverse("families:condition_fields"), {"code": "nope"}).content.decode().strip() == ""
    bad = a.post(url, {"code": "diabetes", "type": "2", "hba1c": "99"})
    assert bad.status_code == 422
    assert not HealthDeclaration.objects.exists()
    ok = a.post(
        url, {"code": "hypertension", "grade": "2", "controlled": "on", "years": "3", "diagnosed_on": "2020-01-01"}
    )
    assert ok.status_code == 302
    page = a.get(url).content.decode()
    assert "高血压" in page
    assert "高血压" not in g.get(url).content.decode()
    declaration = HealthDeclaration.objects.get()
    assert g.post(url, {"code": "other", "description": "x"}).status_code == 403  # no write access
    assert HealthDeclaration.objects.count() == 1
    assert o.post(reverse("families:declaration_remove", args=[declaration.pk])).status_code == 404
    a.post(reverse("families:declaration_remove", args=[declaration.pk]))
    assert HealthDeclaration.objects.get().status == "removed"


def test_the_guardian_declares_for_a_minor(g, child, guardian):
    services.consent_give(actor=guardian, member=child)
    response = g.post(reverse("families:health", args=[child.pk]), {"code": "other", "description": "哮喘"})
    assert response.status_code == 302
    assert HealthDeclaration.objects.get().payload["attributes"]["description"] == "哮喘"


def test_life_events_page(g, a, o, family, adult_row, guardian_member):
    url = reverse("families:life_events")
    assert g.get(url).status_code == 200
    response = a.post(
        url,
        {"kind": "income_change", "occurred_on": "2025-01-01", "member": adult_row.pk, "annual_income_fen": "88000"},
    )
    assert response.status_code == 302
    adult_row.refresh_from_db()
    assert adult_row.annual_income_fen == 8_800_000
    refused = a.post(url, {"kind": "birth", "occurred_on": "2025-01-01"})
    assert refused.status_code == 422 and "只有监护人" in refused.content.decode()
    bad_child = g.post(
        url,
        {
            "kind": "birth",
            "occurred_on": "2025-01-01",
            "member": guardian_member.pk,
            "child_name": "王宝宝",
            "child_resident_id": "123",
        },
    )
    assert bad_child.status_code == 422 and "身份证号码不正确" in bad_child.content.decode()
    assert "收入变化" in g.get(url).content.decode()
    assert "暂无记录" in o.get(url).content.decode()
    assert LifeEvent.objects.filter(family=family).count() == 1
