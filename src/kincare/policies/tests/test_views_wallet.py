"""The family wallet, a policy's page with cooling-off cancellation, external policies × personas."""

import datetime as dt

import pytest
from django.urls import reverse

from kincare.families.models import Member
from kincare.policies import services
from kincare.policies.models import ExternalPolicy, Policy
from kincare.policies.tests.page_helpers import application_for, body, client_for, issue

WALLET = reverse("policies:wallet")
EXTERNAL_NEW = reverse("policies:external_new")
HEPATITIS_CARRIER = {
    "code": "hepatitis_b",
    "attributes": {
        "status": "carrier",
        "liver_function_normal": True,
        "hbv_dna_positive": False,
        "cirrhosis": False,
    },
}


@pytest.fixture
def policy(catalog, guardian, guardian_member, grandparent, django_capture_on_commit_callbacks):
    """The grandparent's chronic-friendly medical policy, issued with a liver-disease exclusion."""
    application = application_for(guardian, guardian_member, [grandparent])
    services.application_answer(
        actor=guardian, application=application, member=grandparent, conditions=[HEPATITIS_CARRIER], consent=True
    )
    [issued] = issue(guardian, application, django_capture_on_commit_callbacks)
    return issued


def _external(**overrides):
    data = {
        "insurer_name": "平安健康",
        "product_name": "e生保",
        "category": "medical",
        "policy_number": "P-2026-1",
        "sum_insured_fen": "3000000",
        "premium_fen": "1288.50",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    data.update(overrides)
    return data


def test_the_wallet_requires_login(db):
    response = client_for().get(WALLET)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_wallet_shows_the_whole_family_to_every_member(policy, g, a, o, grandparent):
    page = body(g.get(WALLET))
    assert f'id="member-{grandparent.pk}"' in page
    assert "安康三高也能保" in page and policy.number in page and "保障中" in page
    assert reverse("policies:policy", args=[policy.pk]) in page
    assert "肝脏疾病" in page  # the policyholder sees the exclusion
    adult_page = body(a.get(WALLET))
    assert policy.number in adult_page and "肝脏疾病" not in adult_page  # but not another adult
    assert policy.number not in body(o.get(WALLET))


def test_the_policy_page_by_persona(policy, g, a, o):
    url = reverse("policies:policy", args=[policy.pk])
    page = body(g.get(url))
    assert policy.number in page and "王德福" in page and "王建国" in page and "除外责任" in page
    assert "慢性乙型病毒性肝炎" in page and "等待期至" in page and "首次生效日" in page
    assert reverse("policies:policy_cancel", args=[policy.pk]) in page  # within the cooling-off days
    adult = a.get(url)
    assert adult.status_code == 200 and policy.number in body(adult)
    assert "除外责任" not in body(adult) and reverse("policies:policy_cancel", args=[policy.pk]) not in body(adult)
    assert o.get(url).status_code == 404
    assert client_for().get(url).status_code == 302
    assert g.get(reverse("policies:policy", args=[987654])).status_code == 404


def test_cooling_off_cancellation_needs_confirmation(policy, g, a, o):
    url = reverse("policies:policy_cancel", args=[policy.pk])
    assert "确认退保" in body(g.get(url))
    assert a.get(url).status_code == 404 and a.post(url, {"confirm": "yes"}).status_code == 404
    assert o.post(url, {"confirm": "yes"}).status_code == 404
    unconfirmed = g.post(url, {"reason": "不需要了"})
    assert unconfirmed.status_code == 422 and "请勾选确认" in body(unconfirmed)
    policy.refresh_from_db()
    assert policy.status == Policy.Status.ACTIVE
    done = g.post(url, {"confirm": "yes", "reason": "不需要了"})
    assert done.status_code == 302
    policy.refresh_from_db()
    assert policy.status == Policy.Status.CANCELLED
    page = body(g.get(reverse("policies:policy", args=[policy.pk])))
    assert "犹豫期退保" in page and "不需要了" in page  # status and its history
    again = g.post(url, {"confirm": "yes"})
    assert again.status_code == 422  # the service refuses, with its message


def test_after_the_cooling_off_days_there_is_no_cancel_button(policy, g):
    Policy.objects.filter(pk=policy.pk).update(issued_at=policy.issued_at - dt.timedelta(days=40))
    page = body(g.get(reverse("policies:policy", args=[policy.pk])))
    assert reverse("policies:policy_cancel", args=[policy.pk]) not in page
    refused = g.post(reverse("policies:policy_cancel", args=[policy.pk]), {"confirm": "yes"})
    assert refused.status_code == 422 and "犹豫期" in body(refused)
    policy.refresh_from_db()
    assert policy.status == Policy.Status.ACTIVE


def test_recording_an_external_policy(catalog, g, grandparent):
    assert g.get(EXTERNAL_NEW).status_code == 200
    response = g.post(EXTERNAL_NEW, _external(insured=str(grandparent.pk)))
    assert response.status_code == 302 and response["Location"] == WALLET
    external = ExternalPolicy.objects.get()
    assert (external.insured_id, external.sum_insured_fen, external.premium_fen) == (grandparent.pk, 300000000, 128850)
    assert external.verified is False
    page = body(g.get(WALLET))
    assert "e生保" in page and "未核实" in page and reverse("policies:external_remove", args=[external.pk]) in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sum_insured_fen": "５０００"}, "半角"),
        ({"sum_insured_fen": "-5000"}, "负数"),
        ({"sum_insured_fen": ""}, "必填"),
        ({"sum_insured_fen": "0"}, "大于 0"),
        ({"sum_insured_fen": "1,000"}, "格式"),
        ({"premium_fen": "12.345"}, "两位小数"),
        ({"starts_on": "2026-02-30"}, "日期"),
        ({"ends_on": "2025-01-01"}, ""),
        ({"category": "pets"}, "pets"),
        ({"insurer_name": ""}, "必填"),
    ],
)
def test_bad_external_input_shows_a_message_and_records_nothing(catalog, g, grandparent, overrides, message):
    response = g.post(EXTERNAL_NEW, _external(insured=str(grandparent.pk), **overrides))
    assert response.status_code == 422 and message in body(response)
    assert not ExternalPolicy.objects.exists()


def test_nobody_records_cover_for_someone_else_s_member(catalog, g, a, o, grandparent, outsider):
    outsiders_member = Member.objects.get(user=outsider)
    refused = g.post(EXTERNAL_NEW, _external(insured=str(outsiders_member.pk)))
    assert refused.status_code == 422 and "请选择本家庭的成员" in body(refused)
    assert a.post(EXTERNAL_NEW, _external(insured=str(grandparent.pk))).status_code == 422
    assert o.post(EXTERNAL_NEW, _external(insured=str(grandparent.pk))).status_code == 422
    assert not ExternalPolicy.objects.exists()
    assert client_for().post(EXTERNAL_NEW, _external(insured=str(grandparent.pk))).status_code == 302
    assert not ExternalPolicy.objects.exists()


def test_removing_an_external_policy(catalog, g, a, o, guardian, grandparent, adult_row, adult_member):
    theirs = services.external_policy_add(
        actor=guardian,
        insured=grandparent,
        insurer_name="平安健康",
        product_name="e生保",
        category="medical",
        sum_insured_fen=300000000,
        premium_fen=128800,
        starts_on=dt.date(2026, 1, 1),
    )
    url = reverse("policies:external_remove", args=[theirs.pk])
    assert o.post(url).status_code == 404
    assert a.get(WALLET).status_code == 200 and url not in body(a.get(WALLET))  # only the guardian or the insured
    a.post(url)
    theirs.refresh_from_db()
    assert theirs.removed_at is None
    assert g.get(url).status_code == 405
    assert g.post(url).status_code == 302
    theirs.refresh_from_db()
    assert theirs.removed_at is not None
    assert "e生保" not in body(g.get(WALLET))
    assert g.post(url).status_code == 404
