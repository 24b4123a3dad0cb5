"""The family protection page and its API, for each persona: the guardian, another adult member
(with and without her health-data grant), an outsider and an anonymous visitor."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kincare.core.models import AuditEvent
from kincare.families import services as family_services
from kincare.planning.models import FamilyPlan
from kincare.policies.tests.fixtures import client_for

PAGE = reverse("planning:plan")
PREVIEW = reverse("planning:preview")
BUDGET = reverse("planning:budget")
CANCER = {"code": "cancer_history", "attributes": {"years_since_treatment": 1}}

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def home(guardian, guardian_member, family, adult_row, adult_member, child):
    """The guardian earns 300,000 a year; the spouse declared a recent cancer (with her consent)."""
    family_services.member_update(actor=guardian, member=guardian_member, annual_income_fen=30_000_000)
    family_services.consent_give(actor=adult_member, member=adult_row)
    family_services.declaration_add(actor=adult_member, member=adult_row, **CANCER)
    return family


def api_url(family) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/families/{family.pk}/plan"


def test_the_guardian_sees_needs_gaps_the_plan_and_buy_links(home, guardian, child):
    response = client_for(guardian).get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "全家保障规划" in page and "推荐方案" in page and "为什么这样推荐" in page
    assert "王小明" in page and "医疗险" in page and "缺口" in page
    plan = FamilyPlan.objects.get(family=home)
    item = plan.result["items"][0]
    link = (
        reverse("policies:apply", args=[item["product_code"]]) + f"?plan={item['plan']}&amp;member={item['member_id']}"
    )
    assert link in page


def test_the_buy_link_opens_the_application_with_the_plan_and_member_chosen(home, guardian, child):
    client = client_for(guardian)
    client.get(PAGE)
    item = next(i for i in FamilyPlan.objects.get(family=home).result["items"] if i["member_id"] == str(child.pk))
    response = client.get(
        reverse("policies:apply", args=[item["product_code"]]), {"plan": item["plan"], "member": child.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["plan"] == item["plan"] and form.initial["insured"] == [child.pk]


def test_another_adult_sees_the_plan_and_her_own_health_lines(home, adult_member):
    page = client_for(adult_member).get(PAGE).content.decode()
    assert "推荐方案" in page
    assert "拒保或延期" in page  # her own declaration: she may read it


def test_the_guardian_does_not_see_the_other_adults_health_lines_without_her_grant(home, guardian):
    page = client_for(guardian).get(PAGE).content.decode()
    assert "拒保或延期" not in page
    assert "需要本人授权后才能查看" in page


def test_with_her_grant_the_guardian_sees_them_and_the_read_is_audited(
    home, guardian, guardian_member, adult_member, adult_row
):
    family_services.health_grant_give(actor=adult_member, grantor=adult_row, grantee=guardian_member)
    page = client_for(guardian).get(PAGE).content.decode()
    assert "拒保或延期" in page
    assert AuditEvent.objects.filter(action="health_data.read", actor=guardian, subject_id=str(adult_row.pk)).exists()


def test_an_outsider_and_an_anonymous_visitor_see_no_plan(home, outsider):
    response = client_for(outsider).get(PAGE)
    assert response.status_code == 200 and "王小明" not in response.content.decode()  # their own family's page
    assert client_for(None).get(PAGE).status_code == 302


def test_the_budget_control_previews_without_storing(home, guardian):
    client = client_for(guardian)
    client.get(PAGE)
    before = FamilyPlan.objects.filter(family=home).count()
    response = client.get(PREVIEW, {"budget": "500"})
    assert response.status_code == 200
    assert "500.00" in response.content.decode()
    assert FamilyPlan.objects.filter(family=home).count() == before


@pytest.mark.parametrize("budget", ["１２３", "-5", "abc", "1e9", "9" * 40, "12.345"])
def test_a_nasty_budget_gets_a_readable_message_and_changes_nothing(home, guardian, budget):
    client = client_for(guardian)
    client.get(PAGE)
    before = FamilyPlan.objects.filter(family=home).count()
    response = client.get(PREVIEW, {"budget": budget})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    response = client.post(BUDGET, {"budget": budget}, follow=True)
    assert response.status_code == 200
    assert FamilyPlan.objects.filter(family=home).count() == before


def test_saving_a_budget_replans_with_it_and_default_restores(home, guardian):
    client = client_for(guardian)
    response = client.post(BUDGET, {"budget": "3000"}, follow=True)
    assert "已按新的预算重新规划" in response.content.decode()
    latest = FamilyPlan.objects.filter(family=home).latest("id")
    assert latest.budget_fen == 300_000 and latest.total_premium_fen <= 300_000
    client.post(BUDGET, {"default": "1"})
    assert FamilyPlan.objects.filter(family=home).latest("id").budget_is_default


def test_an_outsider_cannot_save_a_budget_for_another_family(home, outsider):
    client_for(outsider).post(BUDGET, {"budget": "3000"})
    assert not FamilyPlan.objects.filter(family=home).exists()


# --- API ---------------------------------------------------------------------------------------


def test_the_api_returns_the_current_plan_to_members(home, guardian, adult_member, child):
    for user in (guardian, adult_member):
        response = client_for(user).get(api_url(home))
        assert response.status_code == 200
        body = response.json()
        assert body["family_id"] == home.pk and body["stored"]
        assert body["total_premium_fen"] <= body["budget_fen"] == 2_400_000
        assert {m["member_id"] for m in body["members"]} >= {child.pk}
        assert set(body["members"][0]["categories"]) == {"medical", "critical_illness", "term_life", "accident"}


def test_the_api_hides_another_adults_health_lines(home, guardian, adult_member):
    guardian_lines = client_for(guardian).get(api_url(home)).json()["explanation"]
    her_lines = client_for(adult_member).get(api_url(home)).json()["explanation"]
    assert not any("拒保" in line for line in guardian_lines)
    assert any("拒保" in line for line in her_lines)


def test_the_api_recomputes_with_a_budget_and_previews_without_storing(home, guardian):
    client = client_for(guardian)
    post = lambda data: client.post(api_url(home), json.dumps(data), content_type="application/json")  # noqa: E731
    stored = post({"budget_fen": 200_000})
    assert stored.status_code == 200 and stored.json()["budget_fen"] == 200_000 and stored.json()["stored"]
    count = FamilyPlan.objects.filter(family=home).count()
    preview = post({"budget_fen": 900_000, "preview": True})
    assert preview.json()["budget_fen"] == 900_000 and not preview.json()["stored"]
    assert FamilyPlan.objects.filter(family=home).count() == count
    assert post({}).json()["budget_fen"] == 200_000  # the family's budget is kept
    assert post({"budget_fen": None}).json()["budget_is_default"]


@pytest.mark.parametrize(
    "bad",
    [
        {"budget_fen": -1},
        {"budget_fen": "100"},
        {"budget_fen": 1.5},
        {"budget_fen": True},
        {"budget_fen": 10**20},
        {"preview": "yes"},
    ],
)
def test_the_api_refuses_a_nasty_budget_with_a_stable_code(home, guardian, bad):
    response = client_for(guardian).post(api_url(home), json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "field"}
    assert not FamilyPlan.objects.filter(family=home).exists()


def test_the_api_answers_404_to_an_outsider_and_401_to_nobody(home, outsider):
    assert client_for(outsider).get(api_url(home)).status_code == 404
    assert client_for(outsider).post(api_url(home), "{}", content_type="application/json").status_code == 404
    assert client_for(None).get(api_url(home)).status_code == 401
    assert client_for(outsider).get("/api/v1/families/999999/plan").status_code == 404
