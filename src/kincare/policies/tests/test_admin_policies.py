"""The operator console's policies, applications and external policies: read-only, masked, by role
(underwriters see all three, claims adjusters the policies only, family users nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from kincare.accounts.services import staff_user_create
from kincare.policies import services
from kincare.policies.models import Application, ExternalPolicy, Policy
from kincare.policies.tests.services_helpers import STANDARD_MEDICAL, buy

pytestmark = pytest.mark.usefixtures("catalog")

POLICIES = "/admin/policies/policy/"
APPLICATIONS = "/admin/policies/application/"
EXTERNAL = "/admin/policies/externalpolicy/"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay) -> Policy:
    [bought] = buy(
        guardian, sandbox_pay, code=STANDARD_MEDICAL, policyholder=guardian_member, insured=[guardian_member]
    )
    return bought


@pytest.fixture
def external(guardian, guardian_member) -> ExternalPolicy:
    return services.external_policy_add(
        actor=guardian,
        insured=guardian_member,
        insurer_name="平安人寿",
        product_name="平安福",
        category="critical_illness",
        sum_insured_fen=30_000_000,
        premium_fen=600_000,
        starts_on=dt.date(2024, 3, 1),
        policy_number="P-EXT-778899",
    )


@pytest.fixture
def uw(underwriter) -> Client:
    return _login(underwriter)


@pytest.fixture
def adj(db) -> Client:
    adjuster = staff_user_create(
        phone="13900008821", password="Adjuster-2026!", role="claims_adjuster", display_name="理赔员丙"
    )
    return _login(adjuster)


def test_the_underwriter_sees_policies_applications_and_external_policies_on_the_index(uw):
    html = uw.get(reverse("admin:index")).content.decode()
    assert POLICIES in html and APPLICATIONS in html and EXTERNAL in html


def test_the_policy_list_shows_status_chips_masked_people_and_searches_by_number(uw, policy, guardian_member):
    response = uw.get(POLICIES)
    assert response.status_code == 200
    html = response.content.decode()
    assert policy.number in html and "kc-chip kc-chip-ok" in html and "保障中" in html
    assert guardian_member.name not in html and "王*国" in html
    assert {p.pk for p in uw.get(POLICIES, {"q": policy.number}).context["cl"].result_list} == {policy.pk}
    assert list(uw.get(POLICIES, {"q": "NO-SUCH-NUMBER"}).context["cl"].result_list) == []
    assert {p.pk for p in uw.get(POLICIES, {"status__exact": "active"}).context["cl"].result_list} == {policy.pk}
    assert list(uw.get(POLICIES, {"status__exact": "lapsed"}).context["cl"].result_list) == []


def test_a_policy_page_is_read_only_with_the_resident_id_masked(uw, policy, guardian_member):
    page = uw.get(reverse("admin:policies_policy_change", args=[policy.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert policy.number in html and 'name="_save"' not in html
    assert guardian_member.resident_id not in html and guardian_member.resident_id[-4:] in html
    assert uw.get(reverse("admin:policies_policy_add")).status_code == 403
    assert uw.post(reverse("admin:policies_policy_delete", args=[policy.pk])).status_code == 403
    assert Policy.objects.filter(pk=policy.pk).exists()


def test_an_application_shows_its_insured_members_read_only_and_masked(uw, policy, guardian_member):
    application = policy.application
    assert uw.get(APPLICATIONS).status_code == 200
    for query in (str(application.pk), policy.number):
        assert {a.pk for a in uw.get(APPLICATIONS, {"q": query}).context["cl"].result_list} == {application.pk}
    assert list(uw.get(APPLICATIONS, {"q": "不是编号"}).context["cl"].result_list) == []
    page = uw.get(reverse("admin:policies_application_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "王*国" in html and guardian_member.name not in html and guardian_member.resident_id not in html
    assert 'name="_save"' not in html, "read-only"
    assert "标准保费" in html and 'name="insured-0-member"' not in html  # the inline, without inputs
    assert uw.post(reverse("admin:policies_application_delete", args=[application.pk])).status_code == 403
    assert Application.objects.filter(pk=application.pk).exists()


def test_the_external_policies_list_is_masked(uw, external, guardian_member):
    html = uw.get(EXTERNAL).content.decode()
    assert "平安福" in html and "王*国" in html and guardian_member.name not in html
    page = uw.get(reverse("admin:policies_externalpolicy_change", args=[external.pk])).content.decode()
    assert guardian_member.resident_id not in page and 'name="_save"' not in page


def test_a_claims_adjuster_sees_policies_only(adj, policy, external):
    html = adj.get(reverse("admin:index")).content.decode()
    assert POLICIES in html and APPLICATIONS not in html and EXTERNAL not in html
    assert adj.get(POLICIES).status_code == 200
    assert adj.get(reverse("admin:policies_policy_change", args=[policy.pk])).status_code == 200
    assert adj.get(APPLICATIONS).status_code == 403
    assert adj.get(reverse("admin:policies_application_change", args=[policy.application_id])).status_code == 403
    assert adj.get(EXTERNAL).status_code == 403


def test_a_family_user_never_enters(guardian, policy, external):
    client = _login(guardian)
    for url in (POLICIES, APPLICATIONS, EXTERNAL, reverse("admin:policies_policy_change", args=[policy.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), url
