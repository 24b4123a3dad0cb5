"""A family's first visit, in a real browser: sign up, verify a real name, create a family, add a child."""

import re

import pytest

from kincare.accounts.identity import resident_id_with_check_digit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARENT_ID = resident_id_with_check_digit("11010119880307123")  # born 1988-03-07, 17th digit odd: male
CHILD_ID = resident_id_with_check_digit("11010120180601002")  # born 2018-06-01, female


def test_a_parent_signs_up_verifies_creates_a_family_and_adds_a_child(page):
    from kincare.families.models import Member

    page.goto("/accounts/signup/")
    page.fill("#id_phone", "13812345678")
    page.fill("#id_password", "bright-river-2026")
    page.fill("#id_password_confirm", "bright-river-2026")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/family/"))

    page.goto("/accounts/verify/")
    page.fill("#id_name", "张小明")
    page.fill("#id_resident_id", PARENT_ID)
    page.get_by_role("button", name="提交认证").click()
    page.wait_for_load_state()
    assert "110***********" in page.content() or "张*明" in page.content()

    page.goto("/family/")
    page.fill("#id_name", "张家")
    page.get_by_role("button", name="创建家庭").click()
    page.wait_for_load_state()
    assert "张家" in page.content()

    page.get_by_role("link", name="添加成员").click()
    page.fill("#id_name", "张小花")
    page.fill("#id_resident_id", CHILD_ID)
    page.select_option("#id_relationship", "child")
    page.fill("#id_annual_income_fen", "0")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/family/$"))
    body = page.content()
    assert "张小花" in body
    assert "未成年" in body or "minor" in body.lower()

    child = Member.objects.get(relationship="child")
    assert str(child.birth_date) == "2018-06-01"
    assert child.sex == "F"
    page.screenshot(path="var/browser-onboarding.png", full_page=True)
