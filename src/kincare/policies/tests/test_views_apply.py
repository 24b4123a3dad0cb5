"""The apply page and its live quote × guardian / adult member / outsider / anonymous."""

import pytest
from django.urls import reverse

from kincare.policies.models import Application
from kincare.policies.tests.page_helpers import (
    CHRONIC_PLAN,
    CHRONIC_PRODUCT,
    LIFE_PLAN,
    LIFE_PRODUCT,
    LIFE_YEARS,
    body,
    client_for,
)

APPLY = reverse("policies:apply", args=[CHRONIC_PRODUCT])
QUOTE = reverse("policies:apply_quote", args=[CHRONIC_PRODUCT])


def _checkbox(member) -> str:
    return f'name="insured" value="{member.pk}"'


def test_the_apply_page_requires_login(catalog):
    for url in (APPLY, QUOTE):
        response = client_for().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_guardian_may_insure_every_living_member_and_another_adult_only_themselves(
    catalog, g, a, guardian_member, adult_row, grandparent, child
):
    page = body(g.get(APPLY))
    assert all(_checkbox(m) in page for m in (guardian_member, adult_row, grandparent, child))
    assert "安康三高也能保" in page and "300万保额" in page
    adult_page = a.get(APPLY)
    assert adult_page.status_code == 200
    assert _checkbox(adult_row) in body(adult_page)
    assert not any(_checkbox(m) in body(adult_page) for m in (guardian_member, grandparent, child))


def test_an_unknown_product_is_404(catalog, g):
    assert g.get(reverse("policies:apply", args=["no_such_product"])).status_code == 404
    assert g.get(reverse("policies:apply_quote", args=["no_such_product"])).status_code == 404


def test_the_catalog_product_page_links_to_the_apply_page(catalog):
    page = body(client_for().get(reverse("catalog:product", args=[CHRONIC_PRODUCT])))
    assert APPLY in page and "投保" in page


def test_the_live_quote_shows_each_members_premium_and_the_total(catalog, g, grandparent, guardian_member):
    response = g.get(QUOTE, {"plan": CHRONIC_PLAN, "insured": [grandparent.pk, guardian_member.pk]})
    assert response.status_code == 200
    page = body(response)
    assert "王德福" in page and "王建国" in page and "data-total-fen" in page and 'role="alert"' not in page


def test_the_live_quote_explains_an_age_limit_inline(catalog, g, grandparent):
    url = reverse("policies:apply_quote", args=["med_01"])  # takes applicants up to 65
    page = body(g.get(url, {"plan": "standard", "insured": [grandparent.pk]}))
    assert 'role="alert"' in page and "最高投保年龄" in page and "data-total-fen" not in page


def test_the_live_quote_refuses_a_member_the_user_may_not_insure(catalog, a, grandparent, outsider):
    page = body(a.get(QUOTE, {"plan": CHRONIC_PLAN, "insured": [grandparent.pk]}))
    assert 'role="alert"' in page and "data-total-fen" not in page
    assert "请至少选择一位被保险人" in body(a.get(QUOTE, {"plan": CHRONIC_PLAN}))


def test_submitting_creates_the_application_and_opens_it(catalog, g, grandparent, guardian_member):
    response = g.post(APPLY, {"plan": CHRONIC_PLAN, "insured": [grandparent.pk]})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("policies:application", args=[application.pk])
    assert application.policyholder_id == guardian_member.pk
    assert [i.member_id for i in application.insured.all()] == [grandparent.pk]


def test_the_adult_member_applies_for_themselves(catalog, a, adult_row):
    response = a.post(APPLY, {"plan": CHRONIC_PLAN, "insured": [adult_row.pk]})
    assert response.status_code == 302
    assert Application.objects.get().policyholder_id == adult_row.pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"plan": CHRONIC_PLAN}, "请至少选择一位被保险人"),
        ({"plan": CHRONIC_PLAN, "insured": ["１"]}, "只能为可投保的家庭成员投保"),
        ({"plan": "gold", "insured": []}, "gold"),
    ],
)
def test_bad_input_shows_a_message_and_creates_nothing(catalog, g, grandparent, data, message):
    response = g.post(APPLY, data)
    assert response.status_code == 422 and message in body(response)
    assert not Application.objects.exists()


def test_nobody_can_insure_someone_else_s_member(catalog, g, a, o, grandparent, outsider):
    from kincare.families.models import Member

    outsiders_member = Member.objects.get(user=outsider)
    refused = g.post(APPLY, {"plan": CHRONIC_PLAN, "insured": [outsiders_member.pk]})
    assert refused.status_code == 422 and "只能为可投保的家庭成员投保" in body(refused)
    assert a.post(APPLY, {"plan": CHRONIC_PLAN, "insured": [grandparent.pk]}).status_code == 422
    assert o.post(APPLY, {"plan": CHRONIC_PLAN, "insured": [grandparent.pk]}).status_code == 422
    assert not Application.objects.exists()


def test_a_service_refusal_is_shown_next_to_the_field(catalog, g, grandparent):
    response = g.post(reverse("policies:apply", args=["med_01"]), {"plan": "standard", "insured": [grandparent.pk]})
    assert response.status_code == 422 and "最高投保年龄" in body(response)
    assert not Application.objects.exists()


def test_life_products_offer_their_payment_terms(catalog, g, guardian_member):
    url = reverse("policies:apply", args=[LIFE_PRODUCT])
    page = body(g.get(url))
    assert 'name="payment_years"' in page and f'value="{LIFE_YEARS}"' in page
    response = g.post(url, {"plan": LIFE_PLAN, "insured": [guardian_member.pk], "payment_years": str(LIFE_YEARS)})
    assert response.status_code == 302
    assert Application.objects.get().payment_years == LIFE_YEARS
