"""POST /claims/with-documents: a claim and its documents in one multipart request, checked and hashed before
the claim is adjudicated; a claim without any document (JSON ``POST /claims/``) waits for an adjuster."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.tests.api_helpers import (
    API,
    call,
    client_for,
    error,
    example_body,
    medical_policy,
    ok,
    submit_json,
)
from kincare.claims.tests.services_helpers import PNG, unique_pdf


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _file(content: bytes, name: str = "发票.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(client, policy, member, files: dict, **overrides):
    body = json.dumps(example_body(policy, member, **overrides))
    return client.post(f"{API}/with-documents", {"payload": body, **files})


def test_it_pays_at_once_a_claim_that_comes_with_its_invoice(guardian, guardian_member, guardian_policy):
    content = unique_pdf()
    claim = ok(
        post(
            client_for(guardian),
            guardian_policy,
            guardian_member,
            {"doc_invoice": [_file(content)], "doc_discharge": [_file(PNG, "出院小结.png", "image/png")]},
        ),
        201,
    )
    assert (claim["status"], claim["payout_fen"], claim["reasons"]) == ("paid", 300_000, [])
    assert [(d["kind"], d["content_type"], d["original_name"]) for d in claim["documents"]] == [
        ("invoice", "application/pdf", "发票.pdf"),
        ("discharge", "image/png", "出院小结.png"),
    ]
    assert ClaimDocument.objects.filter(claim_id=claim["id"]).count() == 2


def test_a_claim_without_any_document_waits_for_an_adjuster_and_takes_them_later(
    guardian, guardian_member, guardian_policy
):
    client = client_for(guardian)
    claim = submit_json(client, guardian_policy, guardian_member)
    assert (claim["status"], claim["decision"], claim["payout_fen"]) == ("manual_review", "manual_review", 0)
    assert claim["proposed_payout_fen"] == 300_000
    [reason] = claim["reasons"]
    assert reason["code"] == "documents_missing" and "理赔材料" in reason["label"]
    added = ok(client.post(f"{API}/{claim['id']}/documents", {"kind": "invoice", "files": [_file(unique_pdf())]}), 201)
    assert len(added["documents"]) == 1 and added["status"] == "manual_review"


def test_a_claim_that_pays_nothing_is_decided_at_once_even_without_documents(
    guardian, guardian_member, guardian_policy
):
    below = [{"category": "drug", "amount_fen": 200_000}]
    claim = submit_json(
        client_for(guardian), guardian_policy, guardian_member, items=below, social_insurance_paid_fen=0
    )
    assert (claim["status"], claim["payout_fen"]) == ("approved", 0)
    assert [r["code"] for r in claim["reasons"]] == ["below_deductible"]


def test_a_document_another_claim_used_sends_the_claim_to_an_adjuster_at_once(
    guardian, guardian_member, guardian_policy
):
    client = client_for(guardian)
    content = unique_pdf()
    first = ok(post(client, guardian_policy, guardian_member, {"doc_invoice": [_file(content)]}), 201)
    second = ok(post(client, guardian_policy, guardian_member, {"doc_invoice": [_file(content, "again.pdf")]}), 201)
    assert first["status"] == "paid"
    assert second["status"] == "manual_review" and [r["code"] for r in second["reasons"]] == ["risk_flagged"]
    assert "flags" not in second  # for the adjusters only
    assert Claim.objects.get(pk=second["id"]).flags == ["duplicate_document"]


@pytest.mark.parametrize(
    ("files", "code", "field"),
    [
        ({"doc_invoice": [_file(b"just text", "invoice.txt", "text/plain")]}, "document_type_invalid", "doc_invoice"),
        (
            {"doc_invoice": [_file(unique_pdf())], "doc_other": [_file(b"", "empty.pdf")]},
            "document_type_invalid",
            "doc_other",
        ),
        ({"doc_other": [_file(PNG, f"{n}.png", "image/png") for n in range(21)]}, "too_many_documents", "documents"),
    ],
    ids=["not_a_pdf", "empty_file", "21_files"],
)
def test_a_bad_document_refuses_the_whole_claim_and_nothing_is_written(
    guardian, guardian_member, guardian_policy, files, code, field
):
    found = error(post(client_for(guardian), guardian_policy, guardian_member, files), 422, code)
    assert found["field"] == field
    assert (Claim.objects.count(), ClaimDocument.objects.count()) == (0, 0)


def test_the_payload_is_checked_like_the_json_api(guardian, guardian_member, guardian_policy):
    client = client_for(guardian)
    found = error(post(client, guardian_policy, guardian_member, {}, claim_type="dental"), 422, "claim_type_invalid")
    assert found["field"] == "claim_type"
    error(client.post(f"{API}/with-documents", {"payload": "[" * 100_000}), 400, "bad_request")
    error(client.post(f"{API}/with-documents", {"doc_invoice": [_file(unique_pdf())]}), 422, "validation_error")
    assert Claim.objects.count() == 0


def test_outsiders_get_404_and_anonymous_callers_401(guardian_member, guardian_policy, outsider):
    files = {"doc_invoice": [_file(unique_pdf())]}
    error(post(client_for(outsider), guardian_policy, guardian_member, files), 404, None)
    error(post(client_for(), guardian_policy, guardian_member, files), 401, "not_authenticated")
    assert Claim.objects.count() == 0


def test_the_json_endpoint_still_takes_a_claim_without_files(guardian, guardian_member, guardian_policy):
    response = call(client_for(guardian), "post", f"{API}/", example_body(guardian_policy, guardian_member))
    assert response.status_code == 201 and response.json()["documents"] == []
