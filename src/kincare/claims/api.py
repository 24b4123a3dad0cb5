"""/api/v1/claims/: submit a claim (adjudicated at once), read claims with their explanation of benefits,
the public hospital and diagnosis directories, the expected payout for a diagnosis and cost.

Every endpoint parses, authorises (members through the families policies, policies through the
policies selectors, claims through ``claims.selectors``: outsiders get 404, anonymous callers 401)
and calls one service or selector. Money is integer fen; errors are ``{"code", "message", "field"}``.

* ``GET /`` — the claims the user may see (``selectors.claim_list``), newest first;
* ``GET /{id}`` — one claim with its items, diagnoses, decision, reasons and the explanation of
  benefits line by line (``selectors.claim_get``: another adult's claim without a health grant is 404);
* ``POST /`` — submit (``services.claim_submit``, JSON ``ClaimIn``): answers 201 with the adjudicated claim;
* ``POST /with-documents`` — the same with its documents in one request (multipart: ``payload`` = the
  ``ClaimIn`` JSON, files under ``doc_invoice``, ``doc_settlement``, ``doc_discharge``, ``doc_diagnosis``,
  ``doc_other``), checked (type, size, count) and hashed like any upload before the claim is adjudicated,
  so a document another claim used raises ``duplicate_document`` at once. A claim without any document
  is never paid automatically: a payout waits for an adjuster (reason ``documents_missing``) and the
  documents can follow through ``POST /{id}/documents``;
* ``POST /{id}/withdraw`` — the claimant withdraws a claim still waiting for an adjuster
  (``services.claim_withdraw``; 409 ``claim_not_withdrawable`` once decided);
* ``POST /{id}/documents`` — add documents to a claim still open (multipart: ``kind`` + one or more
  ``files``; PDF, JPEG or PNG by their first bytes, ≤ 10 MB each, ≤ 20 per claim; 409 once decided);
* ``GET /hospitals?q=``, ``GET /diagnoses?q=`` — public reference searches (no login);
* ``POST /expected-payout`` — JSON ``{"member_id", "diagnosis", "cost_fen"}``, for the family's own
  members (``selectors.expected_payout_for``: with this year's usage only for a member whose health data
  the user may read, audited; without it for the others). A POST because a member id with an ICD-10
  code is health data, and health data never goes into a URL (nor so into an access log): ``GET``
  answers 405 ``method_not_allowed``.

Risk flags are for adjusters: they never appear here.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from kincare.claims import reference, selectors, services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim, ClaimDocument
from kincare.claims.schemas import (
    ClaimIn,
    ClaimOut,
    ClaimSummaryOut,
    DiagnosisOut,
    DocumentKindIn,
    ExpectedPayoutIn,
    ExpectedPayoutOut,
    HospitalOut,
)
from kincare.claims.services.withdraw import claim_withdraw
from kincare.core.errors import DomainError, ValidationFailed
from kincare.families import selectors as family_selectors
from kincare.policies import selectors as policy_selectors

router = Router(tags=["claims"])


# Reference data (public) -----------------------------------------------------------------------


class SearchQuery(Schema):
    q: str = Field(default="", max_length=50, description="name, city or code (empty: no results)")
    limit: int = Field(default=20, ge=1, le=50)


@router.get("/hospitals", response=list[HospitalOut], auth=None, summary="Search the hospital directory")
def hospital_search(request: HttpRequest, query: Query[SearchQuery]) -> list[HospitalOut]:
    return [HospitalOut.build(h) for h in reference.hospital_search(query.q.strip(), limit=query.limit)]


@router.get("/diagnoses", response=list[DiagnosisOut], auth=None, summary="Search the ICD-10 list (Chinese names)")
def diagnosis_search(request: HttpRequest, query: Query[SearchQuery]) -> list[DiagnosisOut]:
    return [DiagnosisOut.build(d) for d in reference.diagnosis_search(query.q.strip(), limit=query.limit)]


# Expected payout ---------------------------------------------------------------------------------


@router.post(
    "/expected-payout",
    response=ExpectedPayoutOut,
    summary="What the member's policies would pay for an inpatient stay with this diagnosis and cost",
)
def expected_payout(request: HttpRequest, body: ExpectedPayoutIn) -> ExpectedPayoutOut:
    cost_fen = body.cost_fen
    member = family_selectors.member_get(user=request.user, member_id=body.member_id)
    found = reference.diagnosis_get(body.diagnosis)
    if found is None:
        raise ValidationFailed(_("请从列表中选择诊断"), code="diagnosis_unknown", field="diagnosis")
    diagnosis = found.code
    payout, history = selectors.expected_payout_for(
        user=request.user, member=member, diagnosis=diagnosis, cost_fen=cost_fen
    )
    return ExpectedPayoutOut(
        member_id=member.pk,
        diagnosis=diagnosis,
        cost_fen=cost_fen,
        expected_payout_fen=int(payout),
        uses_claim_history=history,
    )


@router.get("/expected-payout", include_in_schema=False, auth=None)
def expected_payout_get(request: HttpRequest) -> None:
    """The old GET (member id and ICD-10 code in the URL): refused, whatever its query string."""
    raise HttpError(405, _("请使用 POST 提交，健康数据不放在网址中"))


# Claims ------------------------------------------------------------------------------------------


@router.get("/", response=list[ClaimSummaryOut], summary="Your family's claims that you may see")
def claim_list(request: HttpRequest) -> list[ClaimSummaryOut]:
    return [ClaimSummaryOut.build(c) for c in selectors.claim_list(user=request.user)]


@router.get("/{int:claim_id}", response=ClaimOut, summary="A claim with its explanation of benefits")
def claim_detail(request: HttpRequest, claim_id: int) -> ClaimOut:
    return ClaimOut.build(selectors.claim_get(user=request.user, claim_id=claim_id))


#: multipart file fields of ``POST /with-documents`` → document kind
DOCUMENT_FIELDS = {f"doc_{kind}": kind for kind in ClaimDocument.Kind.values}


def _submit(request: HttpRequest, payload: ClaimIn, documents: list[tuple[str, UploadedFile]]) -> Claim:
    policy = policy_selectors.policy_get(user=request.user, policy_id=payload.policy_id)
    member = family_selectors.member_get(user=request.user, member_id=payload.member_id)
    draft = claim_draft(
        claim_type=payload.claim_type,
        service_start=payload.service_start,
        service_end=payload.service_end,
        hospital_code=payload.hospital_code.strip(),
        diagnoses=[code.strip().upper() for code in payload.diagnoses],
        items=[item.dict(exclude_defaults=False) for item in payload.items],
        social_insurance_used=payload.social_insurance_used,
        social_insurance_paid_fen=payload.social_insurance_paid_fen,
        other_insurance_paid_fen=payload.other_insurance_paid_fen,
        related_stay=(
            {
                "admission": payload.related_stay.admission.isoformat(),
                "discharge": payload.related_stay.discharge.isoformat(),
            }
            if payload.related_stay is not None
            else None
        ),
        is_accident=payload.is_accident,
        severity=payload.severity,
        invoice_numbers=[number.strip() for number in payload.invoice_numbers],
    )
    return services.claim_submit(actor=request.user, policy=policy, member=member, draft=draft, documents=documents)


@router.post("/", response={201: ClaimOut}, summary="Submit a claim: adjudicated at once")
def claim_create(request: HttpRequest, payload: ClaimIn) -> Status[ClaimOut]:
    # the submitter just gave these details: the answer is built from the claim the service returns
    return Status(201, ClaimOut.build(_submit(request, payload, [])))


@router.post(
    "/with-documents",
    response={201: ClaimOut},
    summary="Submit a claim with its documents (multipart: payload = the claim's JSON, doc_<kind> = files)",
)
def claim_create_with_documents(
    request: HttpRequest,
    payload: ClaimIn,
    doc_invoice: File[list[UploadedFile] | None] = None,
    doc_settlement: File[list[UploadedFile] | None] = None,
    doc_discharge: File[list[UploadedFile] | None] = None,
    doc_diagnosis: File[list[UploadedFile] | None] = None,
    doc_other: File[list[UploadedFile] | None] = None,
) -> Status[ClaimOut]:
    given = {
        "doc_invoice": doc_invoice,
        "doc_settlement": doc_settlement,
        "doc_discharge": doc_discharge,
        "doc_diagnosis": doc_diagnosis,
        "doc_other": doc_other,
    }
    fields: list[str] = []
    documents: list[tuple[str, UploadedFile]] = []
    for field, uploads in given.items():
        for upload in uploads or []:
            fields.append(field)
            documents.append((DOCUMENT_FIELDS[field], upload))
    try:
        claim = _submit(request, payload, documents)
    except DomainError as exc:
        # the service names the n-th document "documents.n": here it is one of the files of "doc_<kind>"
        index = (exc.field or "").removeprefix("documents.").split(".")[0]
        if exc.field and exc.field.startswith("documents.") and index.isdigit() and int(index) < len(fields):
            exc.field = fields[int(index)]
        raise
    return Status(201, ClaimOut.build(claim))


@router.post(
    "/{int:claim_id}/documents",
    response={201: ClaimOut},
    summary="Add documents (multipart: kind + one or more files; pdf, jpeg, png, ≤ 10 MB each)",
)
def claim_documents_add(
    request: HttpRequest,
    claim_id: int,
    form: Form[DocumentKindIn],
    files: File[list[UploadedFile]],
) -> Status[ClaimOut]:
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    if not files:
        raise ValidationFailed(_("请选择要上传的文件"), code="document_missing", field="files")
    try:
        claim = services.claim_documents_add(
            actor=request.user, claim=claim, documents=[(form.kind, upload) for upload in files]
        )
    except DomainError as exc:
        # the service names the n-th document "documents.n"; here it is the n-th of "files"
        if exc.field and exc.field.startswith("documents"):
            exc.field = "files" + exc.field.removeprefix("documents").removesuffix(".kind")
            if exc.code == "document_kind_invalid":
                exc.field = "kind"
        raise
    return Status(201, ClaimOut.build(claim))


@router.post(
    "/{int:claim_id}/withdraw",
    response={200: ClaimOut},
    summary="Withdraw a claim still waiting for an adjuster (409 once approved or decided)",
)
def claim_withdraw_endpoint(request: HttpRequest, claim_id: int) -> ClaimOut:
    claim = selectors.claim_get(user=request.user, claim_id=claim_id)
    return ClaimOut.build(claim_withdraw(actor=request.user, claim=claim))
