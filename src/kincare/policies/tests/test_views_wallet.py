"""The family wallet, a policy's page with cooling-off cancellation, external policies × personas."""

import datetime as dt

import pytest
from django.urls import reverse

from kincare.core.models import AuditEvent
from kincare.core.payments.models import PaymentRefund
from kincare.core.payments.providers import RefundResult
from kincare.core.payments.sandbox import SandboxProvider
from kincare.families.models import Member
from kincare.policies import services
from kincare.policies.models import ExternalPolicy, Policy
from kincare.policies.tests.page_helpers import application_for, body, client_for, issue
from kincare.underwriting.form_schemas import conditions_parsed

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
DIABETES = {"code": "diabetes", "attributes": {"type": 2, "hba1c": 7.0, "complications": False, "insulin": False}}


@pytest.fixture
def policy(catalog, guardian, guardian_member, grandparent, django_capture_on_commit_callbacks):
    """The grandparent's chronic-friendly medical policy, issued with a liver-disease exclusion."""
    application = application_for(guardian, guardian_member, [grandparent])
    services.application_answer(
        actor=guardian,
        application=application,
        member=grandparent,
        conditions=conditions_parsed([HEPATITIS_CARRIER]),
        consent=True,
    )
    [issued] = issue(guardian, application, django_capture_on_commit_callbacks)
    return issued


@pytest.fixture
def spouse_policy(catalog, adult_member, adult_row, django_capture_on_commit_callbacks):
    """The spouse's own policy: she is policyholder and insured."""
    application = application_for(adult_member, adult_row, [adult_row])
    [issued] = issue(adult_member, application, django_capture_on_commit_callbacks)
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


def test_showing_the_exclusions_on_the_policy_page_is_audited(policy, g, guardian):
    page = body(g.get(reverse("policies:policy", args=[policy.pk])))
    assert "肝脏疾病" in page
    [event] = AuditEvent.objects.filter(action="policy_exclusions.read", subject_id=str(policy.pk))
    assert (event.actor, event.new) == (guardian, {"policies": [policy.pk]})
    assert "肝" not in str(event.new)  # never the condition itself


def test_the_cancel_page_reads_no_exclusions(policy, g):
    assert g.get(reverse("policies:policy_cancel", args=[policy.pk])).status_code == 200
    assert not AuditEvent.objects.filter(action="policy_exclusions.read").exists()


@pytest.fixture
def loaded_policy(catalog, guardian, guardian_member, grandparent, django_capture_on_commit_callbacks):
    """The grandparent's policy with a 25% loading (type 2 diabetes, controlled)."""
    application = application_for(guardian, guardian_member, [grandparent])
    services.application_answer(
        actor=guardian,
        application=application,
        member=grandparent,
        conditions=conditions_parsed([DIABETES]),
        consent=True,
    )
    [issued] = issue(guardian, application, django_capture_on_commit_callbacks)
    return issued


def test_another_adult_sees_the_premium_but_not_the_loading_or_the_standard_premium(loaded_policy, g, a):
    policy = loaded_policy
    url = reverse("policies:policy", args=[policy.pk])
    assert policy.loading_pct == 25
    mine = body(g.get(url))
    assert "标准保费" in mine and "加费 25%" in mine
    theirs = body(a.get(url))
    assert "标准保费" not in theirs and "加费" not in theirs
    assert f"{policy.premium_fen // 100:,}" in theirs  # the premium itself is shown
    assert "含加费" in body(g.get(WALLET)) and "含加费" not in body(a.get(WALLET))


def test_the_guardian_may_not_cancel_the_spouses_own_policy(spouse_policy, g, a):
    page_url = reverse("policies:policy", args=[spouse_policy.pk])
    cancel_url = reverse("policies:policy_cancel", args=[spouse_policy.pk])
    guardian_page = g.get(page_url)
    assert guardian_page.status_code == 200 and cancel_url not in body(guardian_page)
    # pages answer 404 for an action the user may not take (as for paying someone else's application)
    assert g.get(cancel_url).status_code == 404
    assert g.post(cancel_url, {"confirm": "yes"}).status_code == 404
    spouse_policy.refresh_from_db()
    assert spouse_policy.status == Policy.Status.ACTIVE
    assert cancel_url in body(a.get(page_url))
    assert a.post(cancel_url, {"confirm": "yes"}).status_code == 302
    spouse_policy.refresh_from_db()
    assert spouse_policy.status == Policy.Status.CANCELLED


def test_a_refused_refund_says_so_and_the_policyholder_asks_again(
    policy, g, a, monkeypatch, django_capture_on_commit_callbacks
):
    page_url = reverse("policies:policy", args=[policy.pk])
    cancel_url = reverse("policies:policy_cancel", args=[policy.pk])
    monkeypatch.setattr(
        SandboxProvider,
        "refund",
        lambda self, order, *, amount_fen, refund_no: RefundResult(
            refund_no, "", amount_fen, succeeded=False, message="SYSTEMERROR"
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert g.post(cancel_url, {"confirm": "yes"}).status_code == 302
    page = body(g.get(page_url))
    assert 'data-refund-status="failed"' in page and "退款失败，请重试" in page and 'id="refund-retry"' in page
    other = body(a.get(page_url))
    assert "退款失败，请重试" in other and 'id="refund-retry"' not in other  # only the policyholder asks
    assert a.post(cancel_url, {"confirm": "yes"}).status_code == 404
    assert "重新申请退款" in body(g.get(cancel_url))
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert g.post(cancel_url, {"confirm": "yes"}).status_code == 302
    page = body(g.get(page_url))
    assert 'data-refund-status="succeeded"' in page and "已退款" in page and 'id="refund-retry"' not in page
    assert list(PaymentRefund.objects.order_by("id").values_list("status", flat=True)) == ["failed", "succeeded"]
    policy.refresh_from_db()
    assert policy.status == Policy.Status.CANCELLED
