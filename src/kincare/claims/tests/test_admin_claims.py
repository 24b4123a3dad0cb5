"""The adjusters' console: the review queue, the audited case page, the review forms, document
downloads, who may enter, and the claims figures on the operator dashboard."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kincare.accounts.services import staff_roles_ensure
from kincare.claims.models import Claim, ClaimDocument, ClaimReview
from kincare.claims.tests.services_helpers import PDF, issued_policy, submit, upload
from kincare.core.dashboard import dashboard_figures
from kincare.core.models import AuditEvent
from kincare.policies.models import Policy

pytestmark = pytest.mark.usefixtures("catalog")

QUEUE = "/admin/claims/claim/"
REVIEWS = "/admin/claims/claimreview/"
DOCUMENTS = "/admin/claims/claimdocument/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def adj(claims_adjuster) -> Client:
    return _login(claims_adjuster)


@pytest.fixture
def policy(guardian, guardian_member, sandbox_pay) -> Policy:
    return issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def paid(guardian, policy) -> Claim:
    """Decided by the engine at once (nothing to pay after social insurance), its invoice uploaded."""
    claim = submit(guardian, policy, documents=[("invoice", upload(PDF))], social_insurance_paid_fen=2_500_000)
    assert (claim.status, claim.decided_by) == ("approved", "engine")
    return claim


@pytest.fixture
def flagged(guardian, policy, paid) -> Claim:
    """The spec's example sent to an adjuster because its document was used in ``paid`` (engine: 3,000 yuan)."""
    claim = submit(guardian, policy, documents=[("invoice", upload(PDF, "same.pdf"))])
    assert (claim.status, claim.flags, claim.proposed_payout_fen) == ("manual_review", ["duplicate_document"], 300_000)
    return claim


@pytest.fixture
def large(guardian, policy) -> Claim:
    """A serious illness paying 78,000 yuan: above the auto-approve limit and the second-approval threshold."""
    claim = submit(guardian, policy, diagnoses=["C34.1"], items=[{"category": "surgery", "amount_fen": 9_000_000}])
    assert (claim.status, claim.proposed_payout_fen, claim.reasons) == (
        "manual_review",
        7_800_000,
        ["above_auto_approve_limit"],
    )
    return claim


def _case(claim: Claim) -> str:
    return reverse("admin:claims_claim_change", args=[claim.pk])


def _document_url(document: ClaimDocument) -> str:
    return reverse("admin:claims_claim_document", args=[document.claim_id, document.pk])


def _status(claim: Claim) -> str:
    return Claim.objects.get(pk=claim.pk).status


# -- the queue --------------------------------------------------------------------------------------


def test_the_adjuster_role_holds_the_claims_permissions():
    groups = staff_roles_ensure()
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in groups["claims_adjuster"].permissions.all()}
    assert {"claims.view_claim", "claims.change_claim", "claims.view_claimreview", "claims.view_claimdocument"} <= perms
    assert not any(p.startswith(("claims.delete_", "claims.add_")) for p in perms)


def test_the_adjuster_sees_the_queue_on_the_index(adj):
    html = adj.get(reverse("admin:index")).content.decode()
    assert QUEUE in html and REVIEWS in html and DOCUMENTS in html


def test_the_queue_shows_only_the_claims_waiting_for_a_person_by_default(adj, paid, flagged, large):
    response = adj.get(QUEUE)
    assert response.status_code == 200
    assert {c.pk for c in response.context["cl"].result_list} == {flagged.pk, large.pk}
    html = response.content.decode()
    assert flagged.number in html and large.number in html and paid.number not in html
    for text in ("王*国", "安康e生保2026", "住院", "¥25,300.00", "¥3,000.00", "¥78,000.00", "材料与其他案件重复"):
        assert text in html, text
    for secret in ("K35.8", "急性阑尾炎", "C34.1", "王建国"):  # no health data and no full name in the list
        assert secret not in html, secret
    assert not AuditEvent.objects.filter(action="claims.claim_read_by_staff").exists()


def test_the_queue_filters_by_status_decider_type_and_flags(adj, paid, flagged, large):
    def found(**query) -> set[int]:
        return {c.pk for c in adj.get(QUEUE, query).context["cl"].result_list}

    assert found(status="all") == {paid.pk, flagged.pk, large.pk}
    assert found(status="approved") == {paid.pk}
    assert found(status="all", decided_by="engine") == {paid.pk}
    assert found(status="all", claim_type="inpatient") == {paid.pk, flagged.pk, large.pk}
    assert found(flag="any") == {flagged.pk}
    assert found(flag="duplicate_document") == {flagged.pk}
    assert found(flag="hospital_watchlist") == set()
    assert found(status="all", flag="none") == {paid.pk, large.pk}


# -- the case page ---------------------------------------------------------------------------------------


def test_opening_a_case_shows_everything_and_is_audited(adj, claims_adjuster, paid, flagged):
    response = adj.get(_case(flagged))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        flagged.number,
        "人工审核中",
        "王*国",
        "北京安和医院",
        "三级",
        "公立",
        "K35.8 急性阑尾炎",
        "药品费",
        "非医疗费用",
        "¥25,000.00",
        "¥12,000.00",  # social insurance
        "医疗费用发票",
        "same.pdf",
        "材料与其他案件重复",
        f"相同文件（SHA-256 一致）已用于理赔案件：{paid.number}",
        "免赔额：每年 ¥10,000.00",  # the explanation, line by line
        "赔付金额 ¥3,000.00",
        "按理算金额核准",
        "调整金额后核准",
        "拒赔",
        "暂无人工审核记录",
    ):
        assert text in html, text
    assert "王建国" not in html
    document = flagged.documents.get()
    assert _document_url(document) in html
    event = AuditEvent.objects.get(action="claims.claim_read_by_staff", subject_id=str(flagged.pk))
    assert event.actor == claims_adjuster
    assert "K35" not in str(event.new) and "阑尾" not in str(event.new)


def test_a_reused_invoice_number_names_the_other_claim(adj, guardian, policy):
    first = submit(guardian, policy, invoice_numbers=["FP-2026-001"], social_insurance_paid_fen=2_500_000)
    second = submit(guardian, policy, invoice_numbers=["FP-2026-001"])
    assert (second.status, second.flags) == ("manual_review", ["duplicate_invoice"])
    html = adj.get(_case(second)).content.decode()
    assert f"相同发票号码已用于理赔案件：{first.number}" in html
    assert "FP-2026-001" not in html  # only keyed hashes are stored
    assert {c.pk for c in adj.get(QUEUE, {"flag": "duplicate_invoice"}).context["cl"].result_list} == {second.pk}


def test_an_unknown_case_is_not_found(adj):
    assert adj.get(reverse("admin:claims_claim_change", args=[999999])).status_code == 404
    assert adj.get("/admin/claims/claim/abc/change/").status_code in (302, 404)


def test_the_adjuster_approves_a_case(adj, claims_adjuster, flagged):
    response = adj.post(_case(flagged), {"_action": "approve", "approve-note": "材料已核实"})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    flagged.refresh_from_db()
    assert (flagged.status, flagged.decided_by, flagged.payout_fen) == ("paid", "adjuster", 300_000)
    review = ClaimReview.objects.get(claim=flagged)
    assert (review.action, review.actor, review.note) == ("approve", claims_adjuster, "材料已核实")
    page = adj.get(_case(flagged)).content.decode()
    assert "材料已核实" in page and "理赔员甲" in page
    assert 'name="_action"' not in page  # a paid claim offers no decision


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("１２", "金额只能使用半角数字"),
        ("-5", "金额不能为负数"),
        ("1.234", "金额最多保留两位小数"),
        ("1e3", "金额格式不正确"),
        ("", "这个字段是必填项"),
    ],
)
def test_a_badly_typed_adjusted_amount_is_refused_and_nothing_changes(adj, flagged, amount, message):
    response = adj.post(
        _case(flagged),
        {
            "_action": "adjust",
            "adjust-amount": amount,
            "adjust-reason_code": "unreasonable_charges",
            "adjust-note": "部分药品自费",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert _status(flagged) == "manual_review"
    assert not ClaimReview.objects.filter(claim=flagged).exists()


def test_an_amount_above_what_may_be_paid_comes_back_from_the_service(adj, flagged):
    response = adj.post(
        _case(flagged),
        {"_action": "adjust", "adjust-amount": "20000", "adjust-reason_code": "other", "adjust-note": "试试"},
    )
    assert response.status_code == 200
    assert "核定金额不能超过" in response.content.decode()
    assert _status(flagged) == "manual_review"


def test_the_adjuster_adjusts_the_payout_with_a_reason(adj, flagged):
    response = adj.post(
        _case(flagged),
        {
            "_action": "adjust",
            "adjust-amount": "2000.50",
            "adjust-reason_code": "unreasonable_charges",
            "adjust-note": "部分药品不合理",
        },
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.status, flagged.payout_fen) == ("paid", 200_050)
    review = ClaimReview.objects.get(claim=flagged)
    assert (review.action, review.amount_fen, review.reason_code) == ("adjust", 200_050, "unreasonable_charges")
    page = adj.get(_case(flagged)).content.decode()
    assert "部分费用不合理或不必要" in page
    assert "理赔员核定赔付金额 2,000.50 元（理算金额 3,000.00 元）" in page


def test_the_adjuster_rejects_with_a_reason_code(adj, flagged):
    response = adj.post(_case(flagged), {"_action": "reject", "reject-reason_code": "", "reject-note": "x"})
    assert response.status_code == 200
    assert _status(flagged) == "manual_review"
    response = adj.post(_case(flagged), {"_action": "reject", "reject-reason_code": "other", "reject-note": ""})
    assert response.status_code == 200
    assert "请填写审核意见" in response.content.decode()
    assert _status(flagged) == "manual_review"
    response = adj.post(
        _case(flagged), {"_action": "reject", "reject-reason_code": "duplicate_claim", "reject-note": "与已赔案件重复"}
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.status, flagged.reasons, flagged.payout_fen) == ("rejected", ["duplicate_claim"], 0)
    assert ClaimReview.objects.get(claim=flagged).reason_code == "duplicate_claim"
    assert "重复理赔" in adj.get(_case(flagged)).content.decode()


def test_an_action_the_claim_does_not_offer_is_refused(adj, paid, large):
    assert adj.post(_case(paid), {"_action": "approve"}).status_code == 403
    assert adj.post(_case(large), {"_action": "second_approve"}).status_code == 403
    assert adj.post(_case(large), {"_action": "delete"}).status_code == 403
    assert _status(large) == "manual_review"


def test_a_large_payout_is_approved_by_a_second_adjuster(adj, claims_adjuster, second_adjuster, large):
    assert adj.post(_case(large), {"_action": "approve", "approve-note": "核实无误"}).status_code == 302
    assert _status(large) == "awaiting_second_approval"
    # the adjuster who approved first sees the forms disabled, and a post is refused
    page = adj.get(_case(large)).content.decode()
    assert "您已做出首次核准，需由另一位理赔员复核" in page
    assert "disabled" in page
    response = adj.post(_case(large), {"_action": "second_approve", "second_approve-note": "自己复核"})
    assert response.status_code == 200
    assert "您已做出首次核准，需由另一位理赔员复核" in response.content.decode()
    assert _status(large) == "awaiting_second_approval"
    # another adjuster approves: paid
    other = _login(second_adjuster)
    page = other.get(_case(large)).content.decode()
    assert "复核通过" in page and "首次核准：理赔员甲" in page and "您已做出首次核准" not in page
    assert other.post(_case(large), {"_action": "second_approve", "second_approve-note": "同意"}).status_code == 302
    large.refresh_from_db()
    assert (large.status, large.payout_fen) == ("paid", 7_800_000)
    assert list(large.reviews.order_by("id").values_list("action", "actor")) == [
        ("approve", claims_adjuster.pk),
        ("second_approve", second_adjuster.pk),
    ]


def test_the_second_adjuster_returns_a_case_with_a_note(adj, second_adjuster, large):
    adj.post(_case(large), {"_action": "approve"})
    other = _login(second_adjuster)
    response = other.post(_case(large), {"_action": "second_return", "second_return-note": ""})
    assert response.status_code == 200
    assert _status(large) == "awaiting_second_approval"
    response = other.post(_case(large), {"_action": "second_return", "second_return-note": "金额需再核"})
    assert response.status_code == 302
    assert _status(large) == "manual_review"


# -- documents --------------------------------------------------------------------------------------------


def test_an_adjuster_downloads_a_document(adj, claims_adjuster, flagged):
    document = flagged.documents.get()
    response = adj.get(_document_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "private" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="claims.document_downloaded")
    assert (event.actor, event.subject_id, event.new) == (
        claims_adjuster,
        str(flagged.pk),
        {"document_id": document.pk, "kind": "invoice"},
    )


def test_a_document_is_only_found_under_its_own_claim(adj, paid, flagged):
    document = flagged.documents.get()
    assert adj.get(reverse("admin:claims_claim_document", args=[paid.pk, document.pk])).status_code == 404
    assert adj.get(reverse("admin:claims_claim_document", args=[flagged.pk, 999999])).status_code == 404
    document.file.delete(save=False)
    assert adj.get(_document_url(document)).status_code == 404
    assert not AuditEvent.objects.filter(action="claims.document_downloaded").exists()


def test_the_read_only_lists_of_reviews_and_documents(adj, flagged):
    adj.post(_case(flagged), {"_action": "reject", "reject-reason_code": "fraud_suspected", "reject-note": "可疑"})
    html = adj.get(REVIEWS).content.decode()
    assert "拒赔" in html and "存在欺诈嫌疑" in html and flagged.number in html
    assert "可疑" not in html  # the note is read on the audited case page only
    html = adj.get(DOCUMENTS).content.decode()
    assert _document_url(flagged.documents.get()) in html
    assert "same.pdf" not in html
    review = ClaimReview.objects.get(claim=flagged)
    response = adj.get(reverse("admin:claims_claimreview_change", args=[review.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert adj.get(f"{REVIEWS}add/").status_code == 403
    assert adj.post(reverse("admin:claims_claimreview_delete", args=[review.pk])).status_code == 403


# -- who may enter -----------------------------------------------------------------------------------------


def test_other_staff_get_403(underwriter, flagged):
    client = _login(underwriter)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert QUEUE not in index.content.decode()
    document = flagged.documents.get()
    for url in (QUEUE, _case(flagged), _document_url(document), REVIEWS, DOCUMENTS):
        assert client.get(url).status_code == 403, url
    assert client.post(_case(flagged), {"_action": "approve"}).status_code == 403
    assert _status(flagged) == "manual_review"
    assert not AuditEvent.objects.filter(
        action__in=("claims.claim_read_by_staff", "claims.document_downloaded")
    ).exists()


def test_a_family_user_is_sent_to_the_admin_login(guardian, flagged):
    client = _login(guardian)
    document = flagged.documents.get()
    for url in (reverse("admin:index"), QUEUE, _case(flagged), _document_url(document)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(_case(flagged), {"_action": "approve"})
    assert response.status_code == 302
    assert _status(flagged) == "manual_review"
    assert Client().get(_document_url(document)).status_code == 302


# -- the dashboard --------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_claims_automation_rate_and_queue(
    adj, underwriter, paid, flagged, large, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # one aggregate per figure, however many claims
        figures = {f["code"]: f for f in dashboard_figures()}
    claims = figures["claims"]
    assert (claims["numerator"], claims["denominator"]) == (1, 3)
    assert (claims["display"], claims["target_display"], claims["met"]) == ("33.3%", "> 40%", False)
    html = adj.get(reverse("admin:index")).content.decode()
    for text in ("自动理赔率", "33.3%", "&gt; 40%", "1 / 3", "进入理赔审核队列"):
        assert text in html, text
    assert '<strong id="claims-queue-count">2</strong>' in html
    html = _login(underwriter).get(reverse("admin:index")).content.decode()
    assert '<strong id="claims-queue-count">2</strong>' in html
    assert "进入理赔审核队列" not in html
