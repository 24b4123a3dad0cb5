"""In a browser: a guardian answers a questionnaire with hypertension grade 1 and buys a
medical product for a grandparent, pays on the sandbox checkout and finds the policy in the wallet."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.families.tests import factories
from kincare.policies.models import Policy
from kincare.policies.tests.fixtures import years_ago
from kincare.tests.conftest import page  # noqa: F401 - the shared Playwright fixture
from kincare.underwriting.questions import questions_for
from kincare.underwriting.services import ruleset_import_shipped

PRODUCT = "med_11"  # 安康三高也能保: medical_chronic questionnaire, issue ages up to 70


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guardian_buys_a_medical_product_for_the_grandparent_with_hypertension(page: Any) -> None:  # noqa: F811
    catalog_import(directory=DATA_DIR)
    ruleset_import_shipped()
    guardian = factories.verified_user(name="王建国", birth_date=years_ago(40), sex="M")
    family = factories.family_for(guardian, name="王家")
    grandparent = factories.member_add(
        family,
        name="王德福",
        birth_date=years_ago(66, month=2, day=10),
        sex="M",
        relationship="parent",
        social_insurance="urban_employee",
    )

    page.goto("/accounts/login/")
    page.fill("#password-login input[name=phone]", guardian.phone)
    page.fill("#password-login input[name=password]", factories.PASSWORD)
    page.click("#password-login button[type=submit]")
    page.wait_for_url("**/family/")

    page.goto(f"/catalog/p/{PRODUCT}/")
    page.click("#buy-button")
    page.wait_for_url(f"**/policies/apply/{PRODUCT}/")
    page.check(f"input[name=insured][value='{grandparent.pk}']")
    total = page.locator("#quote [data-total-fen]")
    total.wait_for()  # the live quote (htmx)
    assert int(total.get_attribute("data-total-fen") or 0) > 0
    assert "王德福" in page.locator("#quote").inner_text()
    page.click("#apply-form button[type=submit]")
    page.wait_for_url("**/policies/applications/*/")

    page.click(f"#insured-{grandparent.pk} a.button")
    page.wait_for_url(f"**/health/{grandparent.pk}/")
    assert page.locator("input[name=hypertension-grade]").count() == 0
    for question in questions_for("medical_chronic"):
        if question["condition"] != "hypertension":
            page.check(f"input[name=q_{question['condition']}][value=no]")
    page.check("input[name=q_hypertension][value=yes]")
    grade = page.locator("input[name=hypertension-grade]")
    grade.wait_for()  # 是 opens the follow-up fields
    grade.fill("1")
    page.check("input[name=hypertension-controlled][value=true]")
    page.fill("input[name=hypertension-years]", "6")
    page.check("input[name=hypertension-complications][value=false]")
    page.check("#id_consent")
    page.click("#questionnaire-form button[type=submit]")
    headline = page.locator("#decision .headline")
    headline.wait_for()
    assert "标准体承保" in headline.inner_text()
    assert "控制良好" in page.locator("#decision").inner_text()

    page.click("#decision a.button")
    page.wait_for_url("**/policies/applications/*/")
    page.click("#pay-button")
    page.wait_for_url("**/pay/sandbox/**")
    page.click("button[value=pay]")
    page.locator("#sandbox-panel .success").wait_for()

    policy = Policy.objects.get(insured=grandparent)
    assert policy.status == Policy.Status.ACTIVE and policy.number
    page.goto("/policies/")
    card = page.locator(f"#member-{grandparent.pk}")
    assert "安康三高也能保" in card.inner_text()
    assert "待生效" in card.inner_text()
    page.click(f"a[href='/policies/{policy.pk}/']")
    page.wait_for_url(f"**/policies/{policy.pk}/")
    assert policy.number in page.locator(".policy-number").inner_text()
