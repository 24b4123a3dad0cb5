"""In a browser: the guardian opens the family protection plan, drags the budget down and sees
the plan re-made live, keeps the budget, and follows "投保" into the application."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.families import services as family_services
from kincare.families.models import Member
from kincare.families.tests import factories
from kincare.planning.models import FamilyPlan
from kincare.policies.tests.fixtures import years_ago
from kincare.tests.conftest import page  # noqa: F401 - the shared Playwright fixture
from kincare.underwriting.services import ruleset_import_shipped


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_guardian_replans_with_a_smaller_budget_and_buys_an_item(page: Any) -> None:  # noqa: F811
    catalog_import(directory=DATA_DIR)
    ruleset_import_shipped()
    guardian = factories.verified_user(name="王建国", birth_date=years_ago(38), sex="M")
    family = factories.family_for(guardian, name="王家")
    me = Member.objects.get(family=family, user=guardian)
    family_services.member_update(actor=guardian, member=me, annual_income_fen=30_000_000)
    child = factories.member_add(family, name="王小明", birth_date=years_ago(9), sex="M")

    page.goto("/accounts/login/")
    page.fill("#password-login input[name=phone]", guardian.phone)
    page.fill("#password-login input[name=password]", factories.PASSWORD)
    page.click("#password-login button[type=submit]")
    page.wait_for_url("**/family/")

    page.goto("/family/plan/")
    summary = page.locator("#plan-summary p").first
    assert "24,000.00" in summary.inner_text()  # 8% of 300,000 yuan
    assert page.locator(f"#plan-member-{child.pk}").is_visible()

    stored = FamilyPlan.objects.filter(family=family).count()
    page.fill("#budget-range", "1000")  # the slider: the plan is re-made without a page load
    # (a locator wait: a string predicate would need 'unsafe-eval', which the CSP forbids)
    from playwright.sync_api import expect

    expect(page.locator("#plan-summary p").first).to_contain_text("1,000.00")
    assert FamilyPlan.objects.filter(family=family).count() == stored  # a preview stores nothing

    page.click("#budget-form button[type=submit]:not([name])")
    page.wait_for_url("**/family/plan/")
    latest = FamilyPlan.objects.filter(family=family).latest("id")
    assert latest.budget_fen == 100_000 and latest.total_premium_fen <= 100_000
    assert "调整预算" in page.content()

    page.locator(".plan-items a.button").first.click()
    page.wait_for_url("**/policies/apply/**")
    item = latest.result["items"][0]
    assert page.locator(f"input[name=insured][value='{item['member_id']}']").is_checked()
