"""On a claim's page the claimant adds documents while the claim is open and withdraws it while it waits
for an adjuster; a reader with a grant sees neither, others get 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kincare.claims import services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim
from kincare.claims.tests.page_helpers import HOSPITAL, body, medical_policy, service_day
from kincare.claims.tests.services_helpers import unique_pdf
from kincare.families.services.health import health_grant_give


@pytest.fixture
def policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _claim(guardian, policy, *, documents=()) -> Claim:
    """The spec's example submitted without documents: it waits for an adjuster."""
    day = service_day(20)
    draft = claim_draft(
        claim_type="inpatient",
        service_start=day,
        service_end=day,
        hospital_code=HOSPITAL,
        diagnoses=["K35.8"],
        items=[{"category": "drug", "amount_fen": 2_500_000}],
        social_insurance_used=True,
        social_insurance_paid_fen=1_200_000,
    )
    return services.claim_submit(
        actor=guardian, policy=policy, member=policy.insured, draft=draft, documents=list(documents)
    )


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("发票.pdf", unique_pdf(), content_type="application/pdf")


def detail(claim) -> str:
    return reverse("claims:detail", args=[claim.pk])


def test_a_claim_waiting_for_documents_says_so_and_offers_the_upload_and_the_withdrawal(guardian, policy, g):
    claim = _claim(guardian, policy)
    assert claim.status == "manual_review"
    page = body(g.get(detail(claim)))
    assert "尚未上传理赔材料" in page
    assert 'id="documents-add"' in page and 'id="withdraw"' in page


def test_the_claimant_uploads_documents_from_the_page(guardian, policy, g):
    claim = _claim(guardian, policy)
    response = g.post(reverse("claims:documents_add", args=[claim.pk]), {"kind": "invoice", "documents": [_pdf()]})
    assert response.status_code == 302 and response["Location"] == detail(claim)
    assert claim.documents.get().kind == "invoice"
    assert "材料已上传" in body(g.get(detail(claim)))


def test_a_bad_upload_is_refused_with_its_message(guardian, policy, g):
    claim = _claim(guardian, policy)
    text = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    response = g.post(
        reverse("claims:documents_add", args=[claim.pk]), {"kind": "invoice", "documents": [text]}, follow=True
    )
    assert "只能上传 PDF、JPEG 或 PNG 文件" in body(response)
    assert claim.documents.count() == 0


def test_the_claimant_withdraws_the_claim_from_the_page(guardian, policy, g):
    claim = _claim(guardian, policy)
    response = g.post(reverse("claims:withdraw", args=[claim.pk]), follow=True)
    assert Claim.objects.get(pk=claim.pk).status == "withdrawn"
    page = body(response)
    assert "理赔已撤回" in page and 'id="withdraw"' not in page and 'id="documents-add"' not in page


def test_a_paid_claim_offers_neither(guardian, policy, g):
    paid = _claim(guardian, policy, documents=[("invoice", _pdf())])
    assert paid.status == "paid"
    page = body(g.get(detail(paid)))
    assert 'id="withdraw"' not in page and 'id="documents-add"' not in page
    g.post(reverse("claims:withdraw", args=[paid.pk]))
    assert Claim.objects.get(pk=paid.pk).status == "paid"


def test_a_reader_with_a_grant_sees_neither_and_others_get_404(guardian, guardian_member, adult_row, policy, a, o):
    claim = _claim(guardian, policy)
    assert a.post(reverse("claims:withdraw", args=[claim.pk])).status_code == 404
    assert o.post(reverse("claims:withdraw", args=[claim.pk])).status_code == 404
    health_grant_give(actor=guardian, grantor=guardian_member, grantee=adult_row)
    page = body(a.get(detail(claim)))
    assert 'id="withdraw"' not in page and 'id="documents-add"' not in page
    assert a.post(reverse("claims:withdraw", args=[claim.pk])).status_code == 404
    assert (
        a.post(reverse("claims:documents_add", args=[claim.pk]), {"kind": "invoice", "documents": [_pdf()]}).status_code
        == 404
    )
    assert Claim.objects.get(pk=claim.pk).status == "manual_review" and claim.documents.count() == 0
