"""The family's claims, a claim's explanation of benefits and its documents × personas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kincare.claims import services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim
from kincare.claims.tests.page_helpers import HOSPITAL, MEDICAL, back_date, body, medical_policy, service_day
from kincare.claims.tests.services_helpers import unique_pdf
from kincare.families.services.health import health_grant_give
from kincare.policies.tests.fixtures import client_for
from kincare.policies.tests.services_helpers import buy

LIST = reverse("claims:list")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _submit(actor, policy, **overrides):
    """The spec's main example through the service (drug 25,000 + non-medical 300, social 12,000)."""
    start = service_day(20)
    kwargs = {
        "actor": actor,
        "policy": policy,
        "member": policy.insured,
        "claim_type": "inpatient",
        "service_start": start,
        "service_end": start,
        "hospital_code": HOSPITAL,
        "diagnoses": ["K35.8"],
        "items": [{"category": "drug", "amount_fen": 2_500_000}, {"category": "non_medical", "amount_fen": 30_000}],
        "social_insurance_used": True,
        "social_insurance_paid_fen": 1_200_000,
        "documents": [("invoice", SimpleUploadedFile("发票.pdf", unique_pdf(), content_type="application/pdf"))],
    }
    kwargs.update(overrides)
    # parsed at the edge first (as the page does); the service takes the draft
    fixed = {name: kwargs.pop(name) for name in ("actor", "policy", "member", "documents")}
    return services.claim_submit(**fixed, draft=claim_draft(**kwargs))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded documents go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def claim(policy, guardian):
    """The guardian's own claim (an adult's: health data of his)."""
    return _submit(
        guardian,
        policy,
        documents=[("invoice", SimpleUploadedFile("住院发票.pdf", PDF, content_type="application/pdf"))],
    )


@pytest.fixture
def child_claim(catalog, guardian, guardian_member, child, sandbox_pay):
    child_policy = medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=child)
    return _submit(guardian, child_policy)


def detail(claim) -> str:
    return reverse("claims:detail", args=[claim.pk])


# -- anonymous, outsider, another adult ------------------------------------------------------------


def test_the_claims_pages_require_login(claim):
    document = claim.documents.get()
    for url in (LIST, detail(claim), reverse("claims:document", args=[claim.pk, document.pk])):
        response = client_for().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_outsider_sees_no_claim_and_gets_404(claim, o):
    assert claim.number not in body(o.get(LIST))
    assert o.get(detail(claim)).status_code == 404
    document = claim.documents.get()
    assert o.get(reverse("claims:document", args=[claim.pk, document.pk])).status_code == 404


def test_an_adults_claim_is_hidden_from_another_adult_without_a_grant(claim, a):
    assert claim.number not in body(a.get(LIST))
    assert a.get(detail(claim)).status_code == 404
    document = claim.documents.get()
    assert a.get(reverse("claims:document", args=[claim.pk, document.pk])).status_code == 404


def test_a_health_grant_lets_the_other_adult_read_the_claim(claim, a, guardian, guardian_member, adult_row):
    health_grant_give(actor=guardian, grantor=guardian_member, grantee=adult_row)
    assert claim.number in body(a.get(LIST))
    page = body(a.get(detail(claim)))
    assert "K35.8 急性阑尾炎" in page and "¥3,000.00" in page


def test_the_guardian_sees_a_minors_claim_the_other_adult_does_not(child_claim, g, a):
    assert child_claim.number in body(g.get(LIST))
    assert g.get(detail(child_claim)).status_code == 200
    assert a.get(detail(child_claim)).status_code == 404


def test_an_unknown_claim_is_404(claim, g):
    assert g.get(reverse("claims:detail", args=[claim.pk + 1000])).status_code == 404


# -- the list ----------------------------------------------------------------------------------------


def test_the_list_shows_status_policy_member_claimed_and_payout(claim, g):
    page = body(g.get(LIST))
    assert f'id="claim-{claim.pk}"' in page and claim.number in page
    assert "安康e生保2026" in page and "王建国" in page and "已赔付" in page
    assert 'data-fen="2530000"' in page and "¥25,300.00" in page  # claimed: the invoice total
    assert 'class="payout-amount" data-fen="300000"' in page and "¥3,000.00" in page
    assert reverse("claims:new") in page


def test_the_list_is_empty_for_a_family_without_claims(g):
    page = body(g.get(LIST))
    assert "还没有理赔记录" in page


def test_the_navigation_and_the_policy_page_link_to_claims(policy, g):
    page = body(g.get(reverse("policies:policy", args=[policy.pk])))
    assert f"{reverse('claims:new')}?policy={policy.pk}" in page and "申请理赔" in page
    assert f'href="{LIST}"' in page


# -- the explanation of benefits -------------------------------------------------------------------------


def test_the_claim_page_explains_every_step_in_plain_chinese(claim, g):
    response = g.get(detail(claim))
    page = body(response)
    assert response.status_code == 200
    assert 'id="payout" data-fen="300000"' in page and "¥3,000.00" in page and "已赔付" in page
    assert "K35.8 急性阑尾炎" in page and "北京安和医院" in page and "三级" in page
    assert "药品费：属于医疗费用，纳入保障" in page and "¥25,000.00" in page
    assert "非医疗费用（伙食、陪护等）：不予赔付" in page and "¥300.00" in page
    assert "社保统筹已支付，先行扣除" in page and "−¥12,000.00" in page
    assert "扣除社保和其他保险后的费用" in page and "¥13,000.00" in page
    assert "免赔额：每年 ¥10,000.00，本年度此前已用 ¥0.00，本次还需自付 ¥10,000.00" in page
    assert "−¥10,000.00" in page and "本年度免赔额还剩 ¥0.00" in page
    assert "赔付比例 100%（经社保结算）：¥3,000.00 × 100%" in page
    assert "年度保额 ¥4,000,000.00，本年度此前已赔 ¥0.00，剩余 ¥4,000,000.00" in page
    assert 'data-line="risk_flag"' not in page


def test_a_second_claim_shows_the_deductible_already_used_this_year(claim, policy, guardian, g):
    second = _submit(
        guardian, policy, items=[{"category": "surgery", "amount_fen": 500_000}], social_insurance_paid_fen=0
    )
    page = body(g.get(detail(second)))
    assert "本年度此前已用 ¥10,000.00，本次还需自付 ¥0.00" in page
    assert "¥5,000.00" in page and second.payout_fen == 500_000


def test_a_claim_below_the_deductible_says_so(policy, guardian, g):
    small = _submit(guardian, policy, items=[{"category": "drug", "amount_fen": 200_000}], social_insurance_paid_fen=0)
    assert small.payout_fen == 0
    page = body(g.get(detail(small)))
    assert "未超过免赔额" in page


def test_a_claim_in_the_waiting_period_is_explained_with_the_first_covered_day(
    catalog, guardian, guardian_member, sandbox_pay, g
):
    [fresh] = buy(
        guardian, sandbox_pay, code=MEDICAL, plan="standard", policyholder=guardian_member, insured=[guardian_member]
    )
    fresh = back_date(fresh, days=10)  # 30-day waiting period: the first covered day is in 20 days
    claim = _submit(guardian, fresh, service_start=service_day(5), service_end=service_day(5))
    assert claim.status == Claim.Status.REJECTED
    page = body(g.get(detail(claim)))
    first = fresh.first_effective_on + dt.timedelta(days=30)
    assert f"在等待期内（首个可赔日为 {first.isoformat()}）" in page
    assert "未予赔付" in page


def test_an_excluded_condition_and_an_ineligible_hospital_are_explained(policy, guardian, g):
    childbirth = _submit(guardian, policy, diagnoses=["O80"])
    assert "O80 单胎顺产" in body(g.get(detail(childbirth))) and "责任免除" in body(g.get(detail(childbirth)))
    private = _submit(guardian, policy, hospital_code="BJ006")  # 北京瑞安国际医院: private
    assert "保单只保障公立医院的费用" in body(g.get(detail(private)))


def test_a_flagged_claim_says_only_that_it_needs_a_manual_review(policy, guardian, g):
    # 60,000 yuan for appendicitis is more than three times its usual cost: a risk flag
    unusual = _submit(guardian, policy, items=[{"category": "surgery", "amount_fen": 6_000_000}])
    assert unusual.status == Claim.Status.MANUAL_REVIEW and "amount_unusual" in unusual.flags
    page = body(g.get(detail(unusual)))
    assert "需人工审核" in page and "¥38,000.00" in page  # the proposal, subject to review
    assert "amount_unusual" not in page and "通常费用" not in page and "欺诈" not in page


# -- documents -------------------------------------------------------------------------------------------------


def test_documents_are_listed_and_streamed_only_after_the_permission_check(claim, g):
    document = claim.documents.get()
    url = reverse("claims:document", args=[claim.pk, document.pk])
    page = body(g.get(detail(claim)))
    assert url in page and "住院发票.pdf" in page and "医疗费用发票" in page
    response = g.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert document.file.name not in page  # the stored file is never named, let alone linked
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - private storage has no URL at all


def test_a_document_of_another_claim_is_404(claim, child_claim, g):
    document = claim.documents.get()
    assert g.get(reverse("claims:document", args=[child_claim.pk, document.pk])).status_code == 404
