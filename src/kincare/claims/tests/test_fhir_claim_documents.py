"""POST /fhir/Claim with its documents inline (``supportingInfo`` ``document``, ``valueAttachment.data`` in
base64): checked and hashed like any upload before the claim is adjudicated; a Claim without any document
waits for an adjuster."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from fhir.resources.R4B.claimresponse import ClaimResponse

from kincare.claims.fhir.codes import HL7_INFO_CATEGORY_SYSTEM, REASON_SYSTEM
from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.tests.api_helpers import client_for, error, medical_policy
from kincare.claims.tests.services_helpers import PNG, unique_pdf
from kincare.claims.tests.test_fhir_claims import _adjudication, document, fhir_claim, post

#: the default Claim's supportingInfo: social insurance, its amount, other insurance, the invoice
DOCUMENT = 3


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _answer(response) -> ClaimResponse:
    assert response.status_code == 201, response.content
    return ClaimResponse.parse_obj(json.loads(response.content))


def test_the_documents_of_a_fhir_claim_are_stored_with_their_kind_and_hash(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    invoice = unique_pdf()
    data["supportingInfo"][DOCUMENT] = {"sequence": 4, **document("invoice", invoice, "住院发票.pdf")}
    data["supportingInfo"].append({"sequence": 5, **document("discharge", PNG, "出院小结.png")})
    answer = _answer(post(client_for(guardian), data))
    assert answer.outcome == "complete"
    claim = Claim.objects.get()
    assert claim.status == "paid"
    stored = list(claim.documents.order_by("id"))
    assert [(d.kind, d.content_type, d.original_name) for d in stored] == [
        ("invoice", "application/pdf", "住院发票.pdf"),
        ("discharge", "image/png", "出院小结.png"),
    ]
    assert stored[0].sha256 == hashlib.sha256(invoice).hexdigest()


def test_a_fhir_claim_without_documents_waits_for_an_adjuster(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    del data["supportingInfo"][DOCUMENT]
    answer = _answer(post(client_for(guardian), data))
    assert answer.outcome == "partial"
    [benefit] = _adjudication(answer.adjudication, "benefit")
    assert (REASON_SYSTEM, "documents_missing") in [(c.system, c.code) for c in benefit.reason.coding]
    assert Claim.objects.get().status == "manual_review"


def test_a_document_another_claim_used_sends_the_second_claim_to_an_adjuster(
    guardian, guardian_member, guardian_policy
):
    content = unique_pdf()
    for _ in range(2):
        data = fhir_claim(guardian_policy, guardian_member)
        data["supportingInfo"][DOCUMENT] = {"sequence": 4, **document("invoice", content)}
        _answer(post(client_for(guardian), data))
    first, second = Claim.objects.order_by("id")
    assert (first.status, second.status, second.flags) == ("paid", "manual_review", ["duplicate_document"])


def test_the_hl7_attachment_category_is_read_as_a_document(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    entry = data["supportingInfo"][DOCUMENT]
    entry["category"] = {"coding": [{"system": HL7_INFO_CATEGORY_SYSTEM, "code": "attachment"}]}
    _answer(post(client_for(guardian), data))
    assert Claim.objects.get().documents.get().kind == "invoice"


def test_a_claim_with_documents_above_djangos_2_mb_request_cap_is_read(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    scan = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 12_000  # a 3 MB JPEG
    data["supportingInfo"][DOCUMENT] = {"sequence": 4, **document("invoice", scan, "scan.jpg")}
    _answer(post(client_for(guardian), data))
    assert Claim.objects.get().documents.get().size == len(scan)


def _attachment(**fields):
    def change(data):
        data["supportingInfo"][DOCUMENT]["valueAttachment"] = fields

    return change


def _kind(code):
    def change(data):
        data["supportingInfo"][DOCUMENT]["code"]["coding"][0]["code"] = code

    return change


FIELD = f"supportingInfo[{DOCUMENT}]"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (_attachment(data="not base64!"), "document_data_invalid", f"{FIELD}.valueAttachment.data"),
        (_attachment(url="https://example.org/invoice.pdf"), "document_data_missing", f"{FIELD}.valueAttachment.data"),
        (
            _attachment(data=base64.b64encode(b"plain text").decode()),
            "document_type_invalid",
            f"{FIELD}.valueAttachment",
        ),
        (_kind("x-ray"), "document_kind_invalid", f"{FIELD}.code"),
    ],
    ids=["not_base64", "url_only", "not_pdf_jpeg_png", "unknown_kind"],
)
def test_a_bad_document_refuses_the_claim_and_writes_nothing(
    guardian, guardian_member, guardian_policy, change, code, field
):
    data = fhir_claim(guardian_policy, guardian_member)
    change(data)
    assert error(post(client_for(guardian), data), 422, code)["field"] == field
    assert (Claim.objects.count(), ClaimDocument.objects.count()) == (0, 0)


def test_a_document_above_10_mb_is_refused_before_it_is_decoded(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    data["supportingInfo"][DOCUMENT]["valueAttachment"]["data"] = "A" * (14 * 1024 * 1024)
    assert (
        error(post(client_for(guardian), data), 422, "document_too_large")["field"] == f"{FIELD}.valueAttachment.data"
    )
