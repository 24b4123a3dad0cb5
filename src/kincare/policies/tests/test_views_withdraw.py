"""Withdrawing an application (page and API), and the wallet's "not yet in force" label."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kincare.policies.models import Application
from kincare.policies.tests.page_helpers import application_for, body, issue

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def application(guardian, guardian_member, grandparent):
    return application_for(guardian, guardian_member, [grandparent])


def test_the_policyholder_withdraws_an_application_from_its_page(g, application):
    page = g.get(reverse("policies:application", args=[application.pk]))
    assert 'id="withdraw"' in body(page)

    response = g.post(reverse("policies:withdraw", args=[application.pk]))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_another_member_cannot_withdraw_the_guardians_application(a, application):
    page = a.get(reverse("policies:application", args=[application.pk]))
    assert 'id="withdraw"' not in body(page)

    a.post(reverse("policies:withdraw", args=[application.pk]))

    application.refresh_from_db()
    assert application.status == Application.Status.UNDERWRITING


def test_an_outsider_gets_404_when_withdrawing(o, application):
    assert o.post(reverse("policies:withdraw", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.UNDERWRITING


def test_withdrawing_needs_a_post(g, application):
    assert g.get(reverse("policies:withdraw", args=[application.pk])).status_code == 405


def test_the_api_withdraws_for_the_policyholder_only(g, a, o, application):
    url = f"/api/v1/policies/applications/{application.pk}/withdraw"
    assert o.post(url, "{}", content_type="application/json").status_code == 404
    assert a.post(url, "{}", content_type="application/json").status_code == 403
    response = g.post(url, '{"reason": "再考虑一下"}', content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    again = g.post(url, "{}", content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "application_not_withdrawable"


def test_an_issued_application_cannot_be_withdrawn(g, guardian, application, django_capture_on_commit_callbacks):
    issue(guardian, application, django_capture_on_commit_callbacks)
    page = g.get(reverse("policies:application", args=[application.pk]))
    assert 'id="withdraw"' not in body(page)
    g.post(reverse("policies:withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUED


def test_a_policy_paid_today_shows_as_not_yet_in_force(g, guardian, application, django_capture_on_commit_callbacks):
    issue(guardian, application, django_capture_on_commit_callbacks)
    assert "待生效" in body(g.get(reverse("policies:wallet")))
