"""Every endpoint × guardian / adult member / outsider (the guardian of another family) + IDOR."""

import datetime as dt
import json

import pytest
from django.test import Client

from kincare.families import services
from kincare.families.models import HealthDeclaration, Member
from kincare.families.tests import factories
from kincare.families.tests.factories import hypertension

API = "/api/v1/families"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs)


@pytest.fixture
def g(guardian):
    return _client(guardian)


@pytest.fixture
def a(adult_member):
    return _client(adult_member)


@pytest.fixture
def o(outsider, other_family):
    return _client(outsider)


def test_it_requires_authentication(family):
    response = Client().get(f"{API}/{family.pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_create_a_family(db):
    user = factories.verified_user(name="孙悟空")
    response = _json(_client(user), "post", f"{API}/", {"name": "孙家"})
    assert response.status_code == 201
    assert response.json()["is_guardian"] is True
    again = _json(_client(user), "post", f"{API}/", {"name": "孙家"})
    assert (again.status_code, again.json()["code"]) == (409, "already_in_family")
    unverified = _json(_client(factories.UserFactory()), "post", f"{API}/", {"name": "家"})
    assert (unverified.status_code, unverified.json()["code"]) == (403, "real_name_required")
    wrong_type = _json(_client(factories.UserFactory()), "post", f"{API}/", {"name": 12})
    assert wrong_type.status_code == 422


def test_get_a_family_and_mine(g, a, o, family, other_family):
    assert g.get(f"{API}/{family.pk}").json()["is_guardian"] is True
    assert a.get(f"{API}/{family.pk}").json()["is_guardian"] is False
    assert a.get(f"{API}/mine").json()["id"] == family.pk
    assert o.get(f"{API}/mine").json()["id"] == other_family.pk
    response = o.get(f"{API}/{family.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert g.get(f"{API}/{other_family.pk}").status_code == 404
    assert g.get(f"{API}/999999").status_code == 404


def test_mine_without_a_family(db):
    response = _client(factories.UserFactory()).get(f"{API}/mine")
    assert (response.status_code, response.json()["code"]) == (404, "no_family")


def test_update_finances(g, a, o, family):
    assert _json(g, "patch", f"{API}/{family.pk}", {"savings_fen": 100}).json()["savings_fen"] == 100
    assert _json(a, "patch", f"{API}/{family.pk}", {"savings_fen": 1}).status_code == 403
    assert _json(o, "patch", f"{API}/{family.pk}", {"savings_fen": 1}).status_code == 404
    assert _json(g, "patch", f"{API}/{family.pk}", {"savings_fen": "1"}).status_code == 422


def test_member_list_masks_ids_per_viewer(g, a, o, family, guardian, adult_member, child):
    guardian_view = {m["name"]: m for m in g.get(f"{API}/{family.pk}/members").json()}
    adult_view = {m["name"]: m for m in a.get(f"{API}/{family.pk}/members").json()}
    child_row = Member.objects.get(pk=child.pk)
    # the guardian sees their own and the minor's IDs in full, the other adult's masked
    assert guardian_view["王小明"]["resident_id"] == child_row.resident_id
    assert guardian_view["王建国"]["resident_id_masked"] is False
    assert guardian_view["李秀英"]["resident_id_masked"] is True
    assert "*" in guardian_view["李秀英"]["resident_id"]
    # an adult member sees only their own in full
    assert adult_view["李秀英"]["resident_id_masked"] is False
    assert adult_view["王小明"]["resident_id_masked"] is True
    assert adult_view["王建国"]["resident_id_masked"] is True
    assert guardian_view["王建国"]["role"] == "guardian"
    assert guardian_view["王小明"]["role"] == "minor"
    assert adult_view["李秀英"]["role"] == "adult"
    assert adult_view["王建国"]["health_access"] == "grant_needed"
    assert adult_view["王小明"]["health_access"] == "guardian_only"
    assert o.get(f"{API}/{family.pk}/members").status_code == 404


def test_member_add(g, a, o, family):
    body = {
        "name": "王小红",
        "resident_id": factories.make_resident_id(dt.date(2018, 1, 1), sex="F"),
        "relationship": "child",
        "annual_income_fen": None,
    }
    created = _json(g, "post", f"{API}/{family.pk}/members", body)
    assert created.status_code == 201
    assert created.json()["resident_id"] == body["resident_id"]
    assert _json(a, "post", f"{API}/{family.pk}/members", body).status_code == 403
    assert _json(o, "post", f"{API}/{family.pk}/members", body).status_code == 404
    duplicate = _json(g, "post", f"{API}/{family.pk}/members", body)
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "member_duplicate")
    bad = _json(g, "post", f"{API}/{family.pk}/members", {**body, "resident_id": "１２３"})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (422, "resident_id_invalid", "resident_id")
    negative = _json(g, "post", f"{API}/{family.pk}/members", {**body, "annual_income_fen": -1})
    assert negative.json()["code"] == "income_invalid"
    wrong_type = _json(g, "post", f"{API}/{family.pk}/members", {**body, "occupation_class": "2"})
    assert wrong_type.status_code == 422


def test_member_update_and_get(g, a, o, family, adult_row, child, other_family):
    assert _json(a, "patch", f"{API}/members/{adult_row.pk}", {"city": "杭州"}).json()["city"] == "杭州"
    assert _json(a, "patch", f"{API}/members/{child.pk}", {"city": "杭州"}).status_code == 403
    assert _json(g, "patch", f"{API}/members/{child.pk}", {"smoker": False}).status_code == 200
    assert _json(o, "patch", f"{API}/members/{child.pk}", {"city": "x"}).status_code == 404
    assert a.get(f"{API}/members/{child.pk}").json()["resident_id_masked"] is True
    assert o.get(f"{API}/members/{child.pk}").status_code == 404
    other_row = Member.objects.get(family=other_family)
    assert _json(g, "patch", f"{API}/members/{other_row.pk}", {"city": "x"}).status_code == 404


def test_member_delete(g, a, o, family, child, guardian_member):
    assert a.delete(f"{API}/members/{child.pk}").status_code == 403
    assert o.delete(f"{API}/members/{child.pk}").status_code == 404
    refused = g.delete(f"{API}/members/{guardian_member.pk}")
    assert (refused.status_code, refused.json()["code"]) == (409, "cannot_remove_guardian")
    assert g.delete(f"{API}/members/{child.pk}").status_code == 204
    assert g.get(f"{API}/members/{child.pk}").status_code == 404


def test_invitations(g, a, o, family, other_family):
    invitee = factories.verified_user(name="周杰", birth_date=dt.date(1990, 1, 1))
    created = _json(g, "post", f"{API}/{family.pk}/invitations", {"phone": invitee.phone, "relationship": "sibling"})
    assert created.status_code == 201
    body = created.json()
    assert body["url"].endswith(f"/family/invite/{body['token']}/")
    assert "*" in body["invitation"]["phone"]
    assert _json(a, "post", f"{API}/{family.pk}/invitations", {"phone": "13900001234"}).status_code == 403
    assert _json(o, "post", f"{API}/{family.pk}/invitations", {"phone": "13900001234"}).status_code == 404
    assert len(g.get(f"{API}/{family.pk}/invitations").json()) == 2  # with the adult member's accepted one
    assert a.get(f"{API}/{family.pk}/invitations").json() == []
    assert o.get(f"{API}/{family.pk}/invitations").status_code == 404
    wrong_user = _json(o, "post", f"{API}/invitations/accept", {"token": body["token"]})
    assert (wrong_user.status_code, wrong_user.json()["code"]) == (403, "invitation_phone_mismatch")
    accepted = _json(_client(invitee), "post", f"{API}/invitations/accept", {"token": body["token"]})
    assert (accepted.status_code, accepted.json()["relationship"]) == (200, "sibling")
    reused = _json(_client(invitee), "post", f"{API}/invitations/accept", {"token": body["token"]})
    assert reused.json()["code"] == "invitation_used"
    unknown = _json(_client(invitee), "post", f"{API}/invitations/accept", {"token": "nope"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "invitation_not_found")


def test_invitation_revoke(g, a, o, family):
    invitation, _token = services.invitation_create(actor=family.guardian, family=family, phone="13900001234")
    assert a.post(f"{API}/invitations/{invitation.pk}/revoke").status_code == 404
    assert o.post(f"{API}/invitations/{invitation.pk}/revoke").status_code == 404
    response = g.post(f"{API}/invitations/{invitation.pk}/revoke")
    assert response.status_code == 200 and response.json()["revoked_at"]


def test_consents_and_grants(g, a, o, family, adult_row, guardian_member):
    assert _json(g, "post", f"{API}/members/{adult_row.pk}/consent", {"policy_version": "2026-01"}).status_code == 403
    assert _json(o, "post", f"{API}/members/{adult_row.pk}/consent", {"policy_version": "2026-01"}).status_code == 404
    given = _json(
        a, "post", f"{API}/members/{adult_row.pk}/consent", {"policy_version": services.CONSENT_POLICY_VERSION}
    )
    assert given.status_code == 201
    assert [c["member_id"] for c in a.get(f"{API}/{family.pk}/consents").json()] == [adult_row.pk]
    assert g.get(f"{API}/{family.pk}/consents").json() == []
    assert o.get(f"{API}/{family.pk}/consents").status_code == 404

    grant_body = {"grantor_id": adult_row.pk, "grantee_id": guardian_member.pk}
    assert _json(g, "post", f"{API}/grants", grant_body).json()["code"] == "grant_own_data_only"
    assert _json(o, "post", f"{API}/grants", grant_body).status_code == 404
    grant = _json(a, "post", f"{API}/grants", grant_body)
    assert grant.status_code == 201
    grant_id = grant.json()["id"]
    assert [x["id"] for x in g.get(f"{API}/{family.pk}/grants").json()] == [grant_id]
    assert o.get(f"{API}/{family.pk}/grants").status_code == 404
    assert g.post(f"{API}/grants/{grant_id}/revoke").status_code == 403
    assert o.post(f"{API}/grants/{grant_id}/revoke").status_code == 404
    assert a.post(f"{API}/grants/{grant_id}/revoke").json()["revoked_at"]

    assert a.delete(f"{API}/members/{adult_row.pk}/consent").json()["withdrawn_at"]
    assert a.delete(f"{API}/members/{adult_row.pk}/consent").json()["code"] == "consent_not_active"


def test_declarations_follow_consent_and_grants(g, a, o, family, adult_member, adult_row, guardian_member, staff_user):
    url = f"{API}/members/{adult_row.pk}/declarations"
    body = {"code": "hypertension", "attributes": hypertension(), "diagnosed_on": "2020-05-01"}
    refused = _json(a, "post", url, body)
    assert (refused.status_code, refused.json()["code"]) == (403, "consent_required")
    services.consent_give(actor=adult_member, member=adult_row)
    created = _json(a, "post", url, body)
    assert created.status_code == 201
    assert created.json()["attributes"]["grade"] == 1
    bad = _json(a, "post", url, {**body, "attributes": hypertension(grade=5)})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        422,
        "condition_attributes_invalid",
        "attributes.grade",
    )
    assert len(a.get(url).json()) == 1
    assert g.get(url).json()["code"] == "health_access_denied"
    assert o.get(url).status_code == 404
    assert _client(staff_user).get(url).status_code == 404
    services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    assert len(g.get(url).json()) == 1
    declaration_id = created.json()["id"]
    assert _json(g, "patch", f"{API}/declarations/{declaration_id}", {"attributes": hypertension()}).status_code == 403
    assert g.delete(f"{API}/declarations/{declaration_id}").status_code == 403
    assert o.delete(f"{API}/declarations/{declaration_id}").status_code == 404
    patched = _json(a, "patch", f"{API}/declarations/{declaration_id}", {"attributes": hypertension(grade=2)})
    assert patched.json()["attributes"]["grade"] == 2
    assert a.delete(f"{API}/declarations/{declaration_id}").status_code == 204
    assert HealthDeclaration.objects.get(pk=declaration_id).status == "removed"
    assert a.delete(f"{API}/declarations/{declaration_id}").status_code == 404


def test_life_events(g, a, o, family, adult_row, child):
    url = f"{API}/{family.pk}/life-events"
    created = _json(
        a,
        "post",
        url,
        {
            "kind": "income_change",
            "occurred_on": "2025-01-01",
            "member_id": adult_row.pk,
            "details": {"annual_income_fen": 100},
        },
    )
    assert created.status_code == 201
    assert _json(a, "post", url, {"kind": "birth", "occurred_on": "2025-01-01"}).json()["code"] == "guardian_only"
    assert _json(o, "post", url, {"kind": "marriage", "occurred_on": "2025-01-01"}).status_code == 404
    assert _json(g, "post", url, {"kind": "marriage", "occurred_on": "2025-01-01"}).status_code == 201
    assert len(g.get(url).json()) == 2
    assert o.get(url).status_code == 404
    assert _json(g, "post", url, {"kind": "marriage", "occurred_on": "not a date"}).status_code == 422


@pytest.mark.parametrize(
    ("field", "code", "words"),
    [
        ("debts_fen", "debts_invalid", "负债"),
        ("savings_fen", "savings_invalid", "储蓄"),
        ("annual_expenses_fen", "annual_expenses_invalid", "家庭年支出"),
    ],
)
def test_a_negative_household_amount_is_refused_with_its_own_message(g, family, field, code, words):
    response = _json(g, "patch", f"{API}/{family.pk}", {field: -1})
    body = response.json()
    assert response.status_code == 422
    assert (body["code"], body["field"]) == (code, field)
    assert words in body["message"] and "年收入" not in body["message"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("", {"name": "王家\x00"}, "name"),
        ("/members", {"name": "王\x1b小红", "resident_id": "110101201801010022", "relationship": "child"}, "name"),
    ],
)
def test_it_refuses_control_characters_in_names(g, family, url, body, field):
    method = "patch" if not url else "post"
    response = _json(g, method, f"{API}/{family.pk}{url}", body)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_characters", field)
    family.refresh_from_db()
    assert "\x00" not in family.name
