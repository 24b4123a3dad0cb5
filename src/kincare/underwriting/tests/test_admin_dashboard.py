"""The operator dashboard on the admin index: automation figures against their industry targets."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.utils import timezone

from kincare.accounts.models import User
from kincare.core.dashboard import dashboard_figures
from kincare.families.models import Member
from kincare.policies.models import Application, Policy
from kincare.underwriting.form_schemas import ManualTerms
from kincare.underwriting.models import UnderwritingDecision
from kincare.underwriting.services import underwriting_manual_decide
from kincare.underwriting.tests.helpers import (
    chronic_product,
    claims_adjuster,
    engine_decided,
    referred,
)

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def _figures() -> dict[str, dict]:
    return {f["code"]: f for f in dashboard_figures()}


def _issue(guardian: User, member: Member, decision: UnderwritingDecision | None, *, issued: bool = True) -> Policy:
    """A policy row as the policies services leave it once paid (or still unpaid)."""
    product = chronic_product()
    policyholder = member
    application = Application.objects.create(
        family_id=member.family_id,
        product=product,
        plan=product.plans.first(),
        policyholder=policyholder,
        created_by=guardian,
        status=Application.Status.ISSUED if issued else Application.Status.PENDING_PAYMENT,
    )
    return Policy.objects.create(
        family_id=member.family_id,
        application=application,
        product=product,
        plan=application.plan,
        policyholder=policyholder,
        insured=member,
        decision=decision,
        sum_insured_fen=100_000_00,
        base_premium_fen=300_00,
        premium_fen=300_00,
        status=Policy.Status.ACTIVE if issued else Policy.Status.PENDING_PAYMENT,
        number=f"KC-TEST-{next(_numbers):06d}" if issued else None,
        issued_at=timezone.now() if issued else None,
    )


def test_with_nothing_to_count_every_figure_shows_a_dash(catalog):
    figures = _figures()
    assert list(figures) == ["underwriting", "issuance", "claims"]
    for figure in figures.values():
        assert (figure["rate"], figure["display"], figure["met"]) == (None, "—", None)
    assert [figures[c]["target_display"] for c in figures] == ["> 80%", "> 70%", "> 40%"]
    assert "全部已理算案件" in figures["claims"]["note"]


def test_the_figures_are_computed_from_decisions_and_issued_policies(
    catalog, guardian, grandparent, underwriter, on_decision_calls
):
    engine = [engine_decided(guardian, grandparent) for _ in range(3)]
    manual = referred(guardian, grandparent)
    referred(guardian, grandparent)  # still pending: counts as not automated
    underwriting_manual_decide(actor=underwriter, decision=manual, terms=ManualTerms(outcome="standard", note="无碍"))
    _issue(guardian, grandparent, engine[0])
    _issue(guardian, grandparent, engine[1])
    _issue(guardian, grandparent, None)  # a product without health questions: no one had to look at it
    _issue(guardian, grandparent, manual)
    _issue(guardian, grandparent, engine[2], issued=False)  # not paid yet: not issued
    figures = _figures()
    assert (figures["underwriting"]["numerator"], figures["underwriting"]["denominator"]) == (3, 5)
    assert figures["underwriting"]["display"] == "60.0%"
    assert figures["underwriting"]["met"] is False
    assert (figures["issuance"]["numerator"], figures["issuance"]["denominator"]) == (3, 4)
    assert figures["issuance"]["display"] == "75.0%"
    assert figures["issuance"]["met"] is True
    assert figures["claims"]["display"] == "—"


def test_the_figures_take_a_fixed_number_of_queries(catalog, guardian, grandparent, django_assert_max_num_queries):
    for _ in range(5):
        engine_decided(guardian, grandparent)
    with django_assert_max_num_queries(3):
        dashboard_figures()


def test_the_admin_index_shows_the_figures_and_the_queue_to_an_underwriter(catalog, guardian, grandparent, underwriter):
    engine_decided(guardian, grandparent)
    referred(guardian, grandparent)
    client = Client()
    client.force_login(underwriter)
    html = client.get("/admin/").content.decode()
    for text in ("运营看板", "自动核保率", "50.0%", "&gt; 80%", "自动出单率", "自动理赔率"):
        assert text in html, text
    assert '<strong id="manual-queue-count">1</strong>' in html
    assert "进入人工核保队列" in html


def test_other_staff_see_the_figures_without_the_queue_link(catalog, guardian, grandparent):
    referred(guardian, grandparent)
    client = Client()
    client.force_login(claims_adjuster())
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "自动核保率" in html
    assert '<strong id="manual-queue-count">1</strong>' in html
    assert "进入人工核保队列" not in html
