"""POST /api/v1/claims/{id}/documents: multipart uploads to a claim under review; bad files; personas."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.tests.api_helpers import API, client_for, error, medical_policy, ok, submit, submit_json

PDF = b"%PDF-1.4\n% kincare test invoice\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def open_claim(guardian, guardian_member, guardian_policy):
    """60,000 yuan of lung-cancer treatment: serious-illness benefit, no deductible, above the auto-approve limit
    (submitted as JSON: no document yet)."""
    claim = submit_json(
        client_for(guardian),
        guardian_policy,
        guardian_member,
        diagnoses=["C34.1"],
        items=[{"category": "drug", "amount_fen": 6_000_000}],
        social_insurance_paid_fen=0,
    )
    assert (claim["status"], claim["proposed_payout_fen"]) == ("manual_review", 6_000_000), claim
    return claim


def _pdf(name="invoice.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload(client, claim_id, **data):
    return client.post(f"{API}/{claim_id}/documents", data)


def test_the_claimant_adds_documents_to_a_claim_under_review(guardian, open_claim):
    response = upload(client_for(guardian), open_claim["id"], kind="invoice", files=[_pdf(), _pdf("scan.png", PNG)])
    claim = ok(response, 201)
    assert [(d["kind"], d["content_type"], d["size"]) for d in claim["documents"]] == [
        ("invoice", "application/pdf", len(PDF)),
        ("invoice", "image/png", len(PNG)),
    ]
    assert claim["documents"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert claim["documents"][0]["original_name"] == "invoice.pdf"
    assert ClaimDocument.objects.filter(claim_id=open_claim["id"]).count() == 2
    # the document read back with the claim
    assert len(ok(client_for(guardian).get(f"{API}/{open_claim['id']}"))["documents"]) == 2


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        (
            {"kind": "invoice", "files": [SimpleUploadedFile("fake.pdf", b"hello, not a pdf")]},
            "document_type_invalid",
            "files.0",
        ),
        ({"kind": "invoice", "files": [SimpleUploadedFile("empty.pdf", b"")]}, "document_type_invalid", "files.0"),
        ({"kind": "selfie", "files": [_pdf()]}, "document_kind_invalid", "kind"),
        ({"kind": "invoice"}, "validation_error", "files"),
        ({"files": [_pdf()]}, "validation_error", "kind"),
        ({"kind": "invoice", "files": [_pdf() for _ in range(21)]}, "too_many_documents", "files"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(guardian, open_claim, data, code, field):
    found = error(upload(client_for(guardian), open_claim["id"], **data), 422, code)
    assert found["field"] == field
    assert ClaimDocument.objects.count() == 0


def test_a_file_above_10_mb_is_refused(guardian, open_claim):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    error(upload(client_for(guardian), open_claim["id"], kind="invoice", files=[big]), 422, "document_too_large")
    assert ClaimDocument.objects.count() == 0


def test_a_paid_claim_takes_no_more_documents(guardian, guardian_member, guardian_policy):
    paid = submit(client_for(guardian), guardian_policy, guardian_member)
    error(upload(client_for(guardian), paid["id"], kind="invoice", files=[_pdf()]), 409, "claim_closed")


def test_a_document_used_by_another_claim_is_flagged_for_the_adjuster_only(
    guardian, guardian_member, guardian_policy, open_claim
):
    client = client_for(guardian)
    ok(upload(client, open_claim["id"], kind="invoice", files=[_pdf()]), 201)
    second = submit(
        client,
        guardian_policy,
        guardian_member,
        diagnoses=["C34.2"],
        items=[{"category": "drug", "amount_fen": 5_500_000}],
        social_insurance_paid_fen=0,
    )
    answered = ok(upload(client, second["id"], kind="invoice", files=[_pdf("again.pdf")]), 201)
    assert "duplicate_document" in Claim.objects.get(pk=second["id"]).flags
    assert "flags" not in answered and "duplicate_document" not in str(answered)


def test_other_adults_outsiders_and_anonymous_cannot_upload(guardian, open_claim, adult_member, outsider):
    url_id = open_claim["id"]
    error(upload(client_for(adult_member), url_id, kind="invoice", files=[_pdf()]), 404, None)
    error(upload(client_for(outsider), url_id, kind="invoice", files=[_pdf()]), 404, None)
    error(upload(client_for(), url_id, kind="invoice", files=[_pdf()]), 401, "not_authenticated")
    error(upload(client_for(guardian), 999_999, kind="invoice", files=[_pdf()]), 404, None)
    assert ClaimDocument.objects.count() == 0
