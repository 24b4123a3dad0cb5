"""Submitting a claim on the page × personas, good and bad input, and the htmx partials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.tests.page_helpers import body, main_example, medical_policy, service_day
from kincare.claims.tests.services_helpers import unique_pdf
from kincare.policies.tests.fixtures import client_for

NEW = reverse("claims:new")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def new_url(policy) -> str:
    return f"{NEW}?policy={policy.pk}"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded documents go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(catalog, guardian, guardian_member, sandbox_pay):
    """The guardian's own medical policy (10,000 yuan deductible), started 200 days ago."""
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def child_policy(catalog, guardian, guardian_member, child, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=child)


def _assert_nothing_created() -> None:
    assert Claim.objects.count() == 0
    assert ClaimDocument.objects.count() == 0


# -- who may open the form ------------------------------------------------------------------------


def test_the_claim_form_requires_login(policy):
    for url in (NEW, new_url(policy), reverse("claims:hospital_search"), reverse("claims:diagnosis_search")):
        response = client_for().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_without_a_policy_the_page_lists_the_policies_a_claim_can_be_made_on(policy, g, o):
    page = body(g.get(NEW))
    assert new_url(policy) in page and "安康e生保2026" in page
    assert new_url(policy) not in body(o.get(NEW))


def test_the_form_names_the_policy_the_insured_and_the_claim_types_of_a_medical_product(policy, g):
    response = g.get(new_url(policy))
    page = body(response)
    assert response.status_code == 200
    assert "安康e生保2026" in page and "王建国" in page
    for value in ("inpatient", "special_outpatient", "outpatient_surgery", "pre_post_outpatient"):
        assert f'value="{value}"' in page
    assert 'value="critical_illness"' not in page
    assert 'name="item_category"' in page and 'name="doc_invoice"' in page and "hospital_q" in page


def test_an_outsider_or_a_bad_policy_id_gets_404(policy, o, g):
    assert o.get(new_url(policy)).status_code == 404
    for raw in ("abc", "0", "-1", "１", "99999999999999999999999", str(policy.pk + 1000)):
        assert g.get(f"{NEW}?policy={raw}").status_code == 404, raw


# -- submitting -------------------------------------------------------------------------------------


def test_the_guardian_submits_the_spec_example_and_lands_on_the_explanation(policy, g, guardian_member):
    invoice = SimpleUploadedFile("发票.pdf", unique_pdf(), content_type="application/pdf")
    response = g.post(new_url(policy), main_example(doc_invoice=[invoice]))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("claims:detail", args=[claim.pk])
    assert claim.member_id == guardian_member.pk and claim.policy_id == policy.pk
    assert claim.diagnoses == ["K35.8"] and claim.hospital_code == "BJ001"
    assert [(i["category"], i["amount_fen"]) for i in claim.items] == [("drug", 2_500_000), ("non_medical", 30_000)]
    assert claim.social_insurance_used and claim.social_insurance_paid_fen == 1_200_000
    assert claim.status == Claim.Status.PAID and claim.payout_fen == 300_000
    page = body(g.get(response["Location"]))
    assert "¥3,000.00" in page and "已赔付" in page


def test_the_guardian_claims_for_a_minor_child(child_policy, g, child):
    response = g.post(new_url(child_policy), main_example())
    assert response.status_code == 302, body(response)
    claim = Claim.objects.get()
    assert claim.member_id == child.pk


def test_documents_are_uploaded_with_their_kind_and_hashed(policy, g):
    data = main_example(
        doc_invoice=[SimpleUploadedFile("发票.pdf", PDF, content_type="application/pdf")],
        doc_discharge=[SimpleUploadedFile("discharge.png", PNG, content_type="image/png")],
        invoice_numbers="INV-001, INV-002",
    )
    response = g.post(new_url(policy), data)
    assert response.status_code == 302, body(response)
    documents = list(Claim.objects.get().documents.order_by("kind"))
    assert [d.kind for d in documents] == ["discharge", "invoice"]
    assert all(len(d.sha256) == 64 for d in documents)
    assert len(Claim.objects.get().invoice_hashes) == 2


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("２５０００", "半角数字"),
        ("-5", "不能为负数"),
        ("", "请输入金额"),
        ("100.005", "最多保留两位小数"),
        ("25,000", "格式不正确"),
        ("1e3", "格式不正确"),
    ],
)
def test_a_bad_invoice_amount_is_shown_next_to_its_row_and_nothing_is_created(policy, g, amount, message):
    response = g.post(new_url(policy), main_example(item_amount=[amount, "300"]))
    page = body(response)
    assert response.status_code == 422
    assert message in page and "has-error" in page and "请修改标出的费用行" in page
    assert f'value="{amount}"' in page  # what was typed stays in its row
    _assert_nothing_created()


def test_a_row_without_a_category_is_refused(policy, g):
    response = g.post(new_url(policy), main_example(item_category=["", "non_medical"]))
    assert response.status_code == 422 and "请选择费用类别" in body(response)
    _assert_nothing_created()


def test_an_empty_form_says_what_is_missing(policy, g):
    response = g.post(new_url(policy), {"policy": policy.pk})
    page = body(response)
    assert response.status_code == 422
    for message in (
        "请选择理赔类型",
        "请填写就诊/入院日期",
        "请选择就诊医院",
        "请至少选择一项诊断",
        "请至少填写一项发票费用",
    ):
        assert message in page, message
    _assert_nothing_created()


def test_bad_settlement_amounts_are_refused_strictly(policy, g):
    response = g.post(new_url(policy), main_example(social_insurance_paid="１２０００", other_insurance_paid="-1"))
    page = body(response)
    assert response.status_code == 422 and "半角数字" in page and "不能为负数" in page
    _assert_nothing_created()


def test_an_unknown_diagnosis_or_hospital_is_refused(policy, g):
    page = body(g.post(new_url(policy), main_example(diagnoses=["K99.9"])))
    assert "不在疾病目录中" in page
    page = body(g.post(new_url(policy), main_example(hospital_code="XX999")))
    assert "请从医院目录中选择就诊医院" in page
    _assert_nothing_created()


def test_dates_in_the_wrong_order_are_refused(policy, g):
    start = service_day(10)
    data = main_example(service_start=start.isoformat(), service_end=(start - dt.timedelta(days=1)).isoformat())
    response = g.post(new_url(policy), data)
    assert response.status_code == 422 and "不能早于" in body(response)
    _assert_nothing_created()


def test_a_pre_post_outpatient_claim_needs_its_related_stay(policy, g):
    response = g.post(new_url(policy), main_example(claim_type="pre_post_outpatient"))
    assert response.status_code == 422 and "关联住院" in body(response)
    _assert_nothing_created()


def test_a_claim_type_the_product_does_not_cover_is_refused(policy, g):
    response = g.post(new_url(policy), main_example(claim_type="critical_illness"))
    assert response.status_code == 422 and "该保单不承保这种理赔类型" in body(response)
    _assert_nothing_created()


def test_posting_on_someone_elses_policy_is_404_and_creates_nothing(policy, o):
    response = o.post(new_url(policy), main_example())
    assert response.status_code == 404
    _assert_nothing_created()


def test_another_adult_may_not_claim_on_the_guardians_policy(policy, a):
    assert new_url(policy) not in body(a.get(NEW))
    assert a.get(new_url(policy)).status_code == 404
    assert a.post(new_url(policy), main_example()).status_code == 404
    _assert_nothing_created()


def test_an_exe_renamed_pdf_is_refused_with_a_message_and_nothing_is_created(policy, g):
    exe = SimpleUploadedFile(
        "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = g.post(new_url(policy), main_example(doc_invoice=[exe]))
    page = body(response)
    assert response.status_code == 422
    assert "PDF" in page and "请重新选择要上传的文件" in page
    _assert_nothing_created()


def test_a_file_above_ten_megabytes_is_refused_and_nothing_is_created(policy, g):
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = g.post(new_url(policy), main_example(doc_invoice=[big]))
    page = body(response)
    assert response.status_code == 422 and "10 MB" in page
    _assert_nothing_created()


def test_bad_invoice_numbers_are_refused(policy, g):
    response = g.post(new_url(policy), main_example(invoice_numbers="发票一号"))
    assert response.status_code == 422 and "发票号码只能包含" in body(response)
    _assert_nothing_created()


# -- htmx partials ------------------------------------------------------------------------------------


def test_the_hospital_search_suggests_hospitals_and_a_pick_sets_the_hidden_code(g, family):
    page = body(g.get(reverse("claims:hospital_search"), {"hospital_q": "北京"}))
    assert 'data-code="BJ001"' in page and "北京安和医院" in page and "三级" in page
    assert "没有找到" in body(g.get(reverse("claims:hospital_search"), {"hospital_q": "火星"}))
    assert "<li" not in body(g.get(reverse("claims:hospital_search"), {"hospital_q": ""}))
    picked = body(g.get(reverse("claims:hospital_pick"), {"code": "BJ001"}))
    assert 'name="hospital_code" value="BJ001"' in picked and 'hx-swap-oob="true"' in picked
    assert g.get(reverse("claims:hospital_pick"), {"code": "nope"}).status_code == 404


def test_the_diagnosis_search_finds_by_name_or_code_and_a_pick_adds_a_checked_box_once(g, family):
    by_name = body(g.post(reverse("claims:diagnosis_search"), {"diagnosis_q": "阑尾"}))
    by_code = body(g.post(reverse("claims:diagnosis_search"), {"diagnosis_q": "k35"}))
    for page in (by_name, by_code):
        assert 'data-code="K35.8"' in page and "急性阑尾炎" in page
    picked = body(g.post(reverse("claims:diagnosis_pick"), {"code": "K35.8"}))
    assert 'name="diagnoses" value="K35.8" checked' in picked
    again = body(g.post(reverse("claims:diagnosis_pick"), {"code": "K35.8", "diagnoses": ["K35.8"]}))
    assert 'name="diagnoses"' not in again
    assert g.post(reverse("claims:diagnosis_pick"), {"code": "ZZZ"}).status_code == 404


def test_the_add_row_partial_is_one_more_invoice_row(g, family):
    page = body(g.get(reverse("claims:item_row")))
    assert page.count('name="item_category"') == 1 and page.count('name="item_amount"') == 1
    assert "药品费" in page and "非医疗费用" in page


# -- errors the service finds, shown next to their field ----------------------------------------------


def test_a_service_date_in_the_future_is_refused_by_the_service_next_to_the_date(policy, g):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = g.post(new_url(policy), main_example(service_start=tomorrow, service_end=tomorrow))
    page = body(response)
    assert response.status_code == 422 and "就诊日期不能晚于今天" in page
    _assert_nothing_created()


def test_settlements_above_the_invoice_total_are_refused_next_to_the_amount(policy, g):
    response = g.post(new_url(policy), main_example(social_insurance_paid="30000"))
    page = body(response)
    assert response.status_code == 422 and "不能超过发票总额" in page
    field = page.index('name="social_insurance_paid"')
    assert page.index("不能超过发票总额") > field  # under its field, not at the top
    _assert_nothing_created()


def test_social_insurance_amounts_need_the_settlement_box_ticked(policy, g):
    data = main_example()
    del data["social_insurance_used"]
    response = g.post(new_url(policy), data)
    assert response.status_code == 422 and "未经社保结算时社保支付金额应为 0" in body(response)
    _assert_nothing_created()


# -- critical illness -----------------------------------------------------------------------------------


@pytest.fixture
def ci_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(
        guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member, code="ci_01", plan="si_300k"
    )


def test_a_critical_illness_claim_needs_a_diagnosis_and_no_invoice(ci_policy, g):
    page = body(g.get(new_url(ci_policy)))
    assert 'value="critical_illness"' in page and 'value="inpatient"' not in page
    assert 'name="severity"' in page and 'name="item_category"' not in page
    start = service_day(10).isoformat()
    data = {
        "claim_type": "critical_illness",
        "service_start": start,
        "service_end": start,
        "hospital_code": "SH001",
        "diagnoses": ["C34.1"],
        "severity": "severe",
    }
    response = g.post(new_url(ci_policy), data)
    assert response.status_code == 302, body(response)
    claim = Claim.objects.get()
    assert claim.claim_type == "critical_illness" and claim.severity == "severe" and claim.items == []
    page = body(g.get(response["Location"]))
    assert "确诊疾病程度：重度（重疾）" in page and "C34.1 肺上叶恶性肿瘤" in page
    assert "基本保额" in page and "¥300,000.00" in page and "按保额的 100% 赔付" in page
    assert "未经社保结算" not in page
