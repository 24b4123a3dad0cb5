"""In a browser: a father raises money for his son (the guided form, hospital and diagnosis
search, documents), a reviewer approves it in the console, a friend shares it, a stranger donates
through the friend's link and pays in the sandbox, and the fundraiser sees the donation counted
on the friend's share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kincare.accounts.services import staff_user_create
from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.crowdfunding.models import Campaign, Donation
from kincare.crowdfunding.tests.conftest import PDF, PNG
from kincare.families.tests import factories
from kincare.policies.tests.fixtures import years_ago
from kincare.tests.conftest import page  # noqa: F401 - the shared Playwright fixture
from kincare.underwriting.services import ruleset_import_shipped


def login(tab: Any, phone: str, password: str = factories.PASSWORD) -> None:
    tab.goto("/accounts/login/")
    tab.fill("#password-login input[name=phone]", phone)
    tab.fill("#password-login input[name=password]", password)
    tab.click("#password-login button[type=submit]")
    tab.wait_for_load_state()


def logout(tab: Any) -> None:
    tab.context.clear_cookies()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_create_approve_share_donate_and_see_it_attributed(page: Any) -> None:  # noqa: F811
    catalog_import(directory=DATA_DIR)
    ruleset_import_shipped()
    father = factories.verified_user(name="王建国", birth_date=years_ago(38), sex="M")
    from django.utils import timezone

    from kincare.accounts.models import User

    User.objects.filter(pk=father.pk).update(date_joined=timezone.now() - dt.timedelta(days=400))
    family = factories.family_for(father, name="王家")
    son = factories.member_add(family, name="王小明", birth_date=years_ago(8))
    reviewer = staff_user_create(
        phone="13900008831", password="Reviewer-2026!", role="campaign_reviewer", display_name="审核员"
    )
    friend = factories.UserFactory()
    stranger = factories.UserFactory()

    # the father fills in the guided form
    login(page, father.phone)
    page.goto("/c/new/")
    page.select_option("#id_patient", str(son.pk))
    page.select_option("#id_relationship", "parent")
    page.fill("#hospital-q", "安和")
    page.click("#hospital-results button[data-code=BJ001]")
    page.locator("#hospital-chosen [data-hospital=BJ001]").wait_for()
    page.fill("#id_department", "血液科")
    page.fill("#id_doctor", "李医生")
    page.fill("#diagnosis-q", "急性淋巴")
    page.click("#diagnosis-results button[data-code='C91.0']")
    page.locator("#diagnosis-chosen [data-diagnosis='C91.0']").wait_for()
    page.fill("#id_diagnosed_on", (dt.date.today() - dt.timedelta(days=15)).isoformat())
    page.fill("#id_estimated_cost", "500000")
    page.fill("#id_house_1", "1500000")
    page.check("#id_house_1_only")
    page.fill("#id_annual_income", "120000")
    page.select_option("#id_social_insurance", "urban_rural_resident")
    page.fill("#id_goal", "300000")
    page.locator("#goal-cap").filter(has_text="500,000.00").wait_for()  # the cap, explained live
    page.fill("#id_title", "救救我的儿子小明")
    page.fill("#id_story", "孩子八岁，确诊急性淋巴细胞白血病，需要化疗和骨髓移植，恳请帮助。")
    page.set_input_files(
        "#id_doc_diagnosis", files=[{"name": "诊断.pdf", "mimeType": "application/pdf", "buffer": PDF + b"%1"}]
    )
    page.set_input_files(
        "#id_doc_cost_estimate", files=[{"name": "费用.pdf", "mimeType": "application/pdf", "buffer": PDF + b"%2"}]
    )
    page.set_input_files("#id_photo", files=[{"name": "小明.png", "mimeType": "image/png", "buffer": PNG + b"x"}])
    page.click("#save-campaign")
    page.wait_for_url("**/manage/")
    page.click("#submit-campaign")
    page.locator("#campaign-status").filter(has_text="审核中").wait_for()
    campaign = Campaign.objects.get()

    # the reviewer approves it in the console
    logout(page)
    login(page, reviewer.phone, "Reviewer-2026!")
    page.goto(f"/admin/crowdfunding/campaign/{campaign.pk}/case/")
    assert son.resident_id in page.content()  # the reviewer sees the identity unmasked
    page.click("#approve")
    page.wait_for_load_state()
    assert Campaign.objects.get().status == Campaign.Status.LIVE

    # a friend shares it
    logout(page)
    login(page, friend.phone)
    page.goto(f"/c/{campaign.pk}/")
    assert son.resident_id not in page.content()
    page.click("#share-button")
    link = page.locator("#share-link").input_value()
    assert "?s=" in link

    # a stranger donates through the friend's link and pays in the sandbox
    logout(page)
    login(page, stranger.phone)
    page.goto(link)
    page.fill("#id_amount", "200")
    page.fill("#id_message", "小明加油")
    page.click("#donate-button")
    page.wait_for_url("**/pay/sandbox/**")
    page.click("button[value=pay]")
    page.locator("text=支付成功").first.wait_for()
    donation = Donation.objects.get()
    assert donation.status == Donation.Status.CONFIRMED and donation.share is not None
    assert donation.share.sharer_id == friend.pk
    page.goto(f"/c/{campaign.pk}/")
    assert "200.00" in page.locator("#progress").inner_text()

    # the father sees the donation attributed to the friend's share
    logout(page)
    login(page, father.phone)
    page.goto(f"/c/{campaign.pk}/manage/")
    assert "200.00" in page.locator("#share-reach").inner_text()
