"""In a browser: open a product from the ranked list, price it, compare two products."""

from __future__ import annotations

from typing import Any

import pytest

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.tests.conftest import page  # noqa: F401 - the shared Playwright fixture


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_opens_prices_and_compares_products(page: Any) -> None:  # noqa: F811
    catalog_import(directory=DATA_DIR)

    page.goto("/catalog/?category=medical")
    cards = page.locator("article.product-card")
    assert cards.count() >= 5
    first = cards.nth(0)
    first_code = first.get_attribute("data-code")
    second_code = cards.nth(1).get_attribute("data-code")
    first.locator("h2 a").click()
    page.wait_for_url(f"**/catalog/p/{first_code}/")
    assert page.locator("h2", has_text="评分明细").is_visible()

    page.fill("#q-age", "30")
    page.select_option("#q-sex", "F")
    page.click("#calculator button[type=submit]")
    result = page.locator("#quote-result .quote-result")
    result.wait_for()
    assert "/年" in result.inner_text()
    assert int(result.get_attribute("data-premium-fen") or 0) > 0

    page.fill("#q-age", "99")
    page.click("#calculator button[type=submit]")
    page.locator("#quote-result [role=alert]").wait_for()
    assert "最高投保年龄" in page.locator("#quote-result").inner_text()

    page.goto("/catalog/?category=medical")
    page.check(f"article[data-code={first_code}] input[name=codes]")
    page.check(f"article[data-code={second_code}] input[name=codes]")
    page.click("#compare-form button[type=submit]")
    page.wait_for_url("**/catalog/compare?**")
    table = page.locator("table.compare")
    assert table.locator("thead th").count() == 3
    assert table.locator("tr.different").count() >= 1
