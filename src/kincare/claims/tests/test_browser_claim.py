"""In a browser: the guardian submits the spec's main example (inpatient, K35.8 appendicitis,
drug 25,000 + non-medical 300 yuan, social insurance paid 12,000) on a back-dated medical
policy with a 10,000-yuan deductible, and reads the explanation of benefits."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.claims.models import Claim
from kincare.claims.tests.page_helpers import MEDICAL, MEDICAL_PLAN, medical_policy, service_day
from kincare.claims.tests.services_helpers import unique_pdf
from kincare.families.models import Member
from kincare.families.tests import factories
from kincare.policies.tests.fixtures import years_ago
from kincare.tests.conftest import page  # noqa: F401 - the shared Playwright fixture
from kincare.underwriting.services import ruleset_import_shipped


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_guardian_submits_the_spec_example_and_reads_the_explanation(page: Any, sandbox_pay: Any) -> None:  # noqa: F811
    catalog_import(directory=DATA_DIR)
    ruleset_import_shipped()
    guardian = factories.verified_user(name="王建国", birth_date=years_ago(40), sex="M")
    family = factories.family_for(guardian, name="王家")
    me = Member.objects.get(family=family, user=guardian)
    policy = medical_policy(guardian, sandbox_pay, policyholder=me, insured=me, code=MEDICAL, plan=MEDICAL_PLAN)
    start = service_day(20)

    page.goto("/accounts/login/")
    page.fill("#password-login input[name=phone]", guardian.phone)
    page.fill("#password-login input[name=password]", factories.PASSWORD)
    page.click("#password-login button[type=submit]")
    page.wait_for_url("**/family/")

    page.goto(f"/policies/{policy.pk}/")
    page.click("#claim-button")
    page.wait_for_url(f"**/claims/new/?policy={policy.pk}")
    assert "王建国" in page.locator("#claim-member").inner_text()

    page.check("input[name=claim_type][value=inpatient]")
    page.fill("#id_service_start", start.isoformat())
    page.fill("#id_service_end", start.isoformat())

    page.fill("#hospital-q", "安和")  # htmx suggestions from the shipped directory
    page.click("#hospital-results button[data-code=BJ001]")
    page.locator("#hospital-chosen [data-hospital=BJ001]").wait_for()
    assert page.locator("#hospital-results li").count() == 0  # the suggestions close

    page.fill("#diagnosis-q", "阑尾")
    page.click("#diagnosis-results button[data-code='K35.8']")
    page.locator("#diagnoses-chosen input[name=diagnoses][value='K35.8']").wait_for()

    rows = page.locator("#item-rows .item-row")
    page.click("#add-item")  # one more row (htmx)
    # (a locator wait: a string predicate would need 'unsafe-eval', which the CSP forbids)
    from playwright.sync_api import expect

    expect(page.locator("#item-rows .item-row")).to_have_count(4)
    rows.nth(0).locator("select").select_option("drug")
    rows.nth(0).locator("input[name=item_amount]").fill("25000")
    rows.nth(1).locator("select").select_option("non_medical")
    rows.nth(1).locator("input[name=item_amount]").fill("300")

    page.check("#id_social_insurance_used")
    page.fill("#id_social_insurance_paid", "12000")
    page.set_input_files(
        "input[name=doc_invoice]", files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": unique_pdf()}]
    )
    page.click("#submit-claim")
    page.wait_for_url("**/claims/*/")

    claim = Claim.objects.get(policy=policy)
    assert claim.status == Claim.Status.PAID and claim.payout_fen == 300_000
    assert "已赔付" in page.locator("#decision").inner_text()
    assert page.locator("#payout").inner_text().strip() == "¥3,000.00"
    explanation = page.locator("#explanation")
    deductible = explanation.locator("tr[data-line=deductible]").inner_text()
    assert "免赔额：每年 ¥10,000.00" in deductible and "−¥10,000.00" in deductible
    not_covered = explanation.locator("tr[data-line=item_not_covered]").inner_text()
    assert "非医疗费用" in not_covered and "不予赔付" in not_covered and "¥300.00" in not_covered
    assert "−¥12,000.00" in explanation.locator("tr[data-line=social_insurance]").inner_text()
    assert "¥3,000.00" in explanation.locator("tr[data-line=payout]").inner_text()
    assert claim.documents.count() == 1

    page.goto("/claims/")
    assert claim.number in page.locator(f"#claim-{claim.pk}").inner_text()
