"""Claims in HL7 FHIR R4B: ``POST /Claim`` → adjudicated → ``ClaimResponse``; ``ExplanationOfBenefit`` export.

Every resource is validated by constructing its ``fhir.resources`` (R4B) model. Ids: the
``ClaimResponse`` and ``ExplanationOfBenefit`` of a claim carry the claim's id (the ``id`` of the
claims API): ``GET /ClaimResponse/<id>``, ``GET /ExplanationOfBenefit/<id>``, visible to whom
``claims.selectors.claim_get`` lets see the claim (another adult without a health grant,
outsiders: 404; anonymous: 401).

Submitting (``POST /Claim``, ``application/fhir+json`` or ``application/json``) — a ``Claim`` maps to
``services.claim_submit``:

* ``status`` must be ``active`` and ``use`` ``claim`` (no pre-authorisations);
* ``patient`` → the insured member: ``Patient/<member id>`` (as ``kincare.families.fhir`` maps members);
* ``insurance`` → the focal (or only) entry's ``coverage``: ``Coverage/pol-<policy id>`` (a platform
  policy of the family, as ``kincare.policies.fhir`` exports it; ``ext-`` policies are not claimable);
* ``subType`` (or ``type``) coding ``urn:kincare:claims:claim-type`` → the claim type (inpatient,
  special_outpatient, outpatient_surgery, pre_post_outpatient, critical_illness, accident_medical);
  ``type`` itself is the HL7 ``claim-type`` (institutional for stays and critical illness,
  professional otherwise) and is not read;
* ``diagnosis[].diagnosisCodeableConcept`` codings of ``http://hl7.org/fhir/sid/icd-10``, in
  ``sequence`` order → diagnoses;
* ``item[]``: ``productOrService`` coding ``urn:kincare:claims:item-category`` → the invoice category,
  ``net`` (``Money``, CNY, yuan with at most two decimals) → ``amount_fen``, ``productOrService.text``
  → description; ``total``, when given, must equal the sum of the items;
* ``billablePeriod`` start/end → service start/end (dates; date-times are read in Asia/Shanghai);
* ``facility.identifier`` (or ``provider.identifier``) with system ``urn:kincare:claims:hospital``
  → the hospital code (``GET /api/v1/claims/hospitals``);
* ``accident`` present → an accident;
* ``supportingInfo[]`` with category system ``urn:kincare:claims:supporting-info``:
  ``social-insurance`` (``valueBoolean``: settled through social insurance; default: true when
  social insurance paid anything), ``social-insurance-paid`` and ``other-insurance-paid``
  (``valueQuantity`` in CNY, code ``CNY`` of ``urn:iso:std:iso:4217``), ``related-stay``
  (``timingPeriod``: admission–discharge of the stay a pre/post-hospital outpatient claim relates
  to; HL7 ``claiminformationcategory#hospitalized`` is read the same way), ``severity``
  (``valueString`` severe | moderate | mild, critical illness), ``invoice-number``
  (``valueString``, repeatable) and ``document`` (HL7 ``claiminformationcategory#attachment`` is read
  the same way; repeatable): ``valueAttachment`` with the file inline as base64 ``data`` (a ``url`` is
  not fetched) and ``title`` (the file name), ``code`` with system ``urn:kincare:claims:document-kind``
  (invoice | settlement | discharge | diagnosis | other; default other). Documents are checked like
  every upload (PDF, JPEG or PNG by their first bytes, ≤ 10 MB each, ≤ 20 a claim) and hashed before
  the claim is adjudicated: one another claim used raises ``duplicate_document``, and a claim with
  none is not paid without an adjuster (``documents_missing``). The whole request is at most 32 MB.

Invalid FHIR (not JSON, not a Claim, failing the R4B model or the rules above) answers 422 in the
API's error shape ``{"code", "message", "field"}`` with ``field`` the FHIR path (``item[0].net.value``);
JSON nested deeper than 64 levels is ``fhir_json_too_deep``, an amount above 10¹² yuan
``amount_too_large`` (checked before any decimal arithmetic), a body above 32 MB 413.

Answering (``ClaimResponse``, 201, ``Location`` its URL) and exporting (``ExplanationOfBenefit``):

* ``id``: the claim's id; ``identifier``: the claim number (``urn:kincare:claims:number``); ``status``
  ``active`` (``cancelled`` once withdrawn); ``type``/``subType`` as above; ``patient``; ``insurer``
  (name and unified social credit code); ``created``: when the engine adjudicated it;
* ``outcome``: ``complete`` once decided (approved, paid, rejected, withdrawn), ``partial`` while an
  adjuster reviews the engine's proposal, ``error`` when the claim was never adjudicated;
  ``disposition``: the outcome in plain Chinese with the amount (or the reasons);
* ``item[]`` (``itemSequence`` / ``sequence`` = position of the invoice line): ``submitted`` and
  ``eligible``, or ``not-covered`` (``urn:kincare:claims:adjudication``, reason ``item_not_covered``) for
  non-medical, cosmetic and special-needs categories;
* ``adjudication`` (header), in the engine's order (``Adjudication.lines``, worded as the claim page
  words them, ``kincare.claims.presentation``): ``submitted`` (invoice total), ``eligible`` (covered
  amount), ``benefit-type`` (which benefit pays), ``social-insurance``, ``other-insurance``, ``base``,
  ``deductible`` (or ``no-deductible``), ``eligpercent`` (the ratio as a percentage in ``value``) with
  ``copay`` (the ratio line's payable − its amount: the share the ratio leaves to the member),
  ``limit-left`` (annual limit left before this claim), critical-illness lines (``severity``,
  ``sum-insured``, ``payout-count``, ``cover-ends``, ``next-payout-from``), ``auto-approve-limit``, and
  last ``benefit`` — the payout (the engine's proposal while under review, 0 when rejected) with the
  reasons as ``reason`` codings (``urn:kincare:claims:reason``). Standard categories use
  ``http://terminology.hl7.org/CodeSystem/adjudication``, the others ``urn:kincare:claims:adjudication``;
  each carries its sentence as ``category.text``;
* ``total``: ``submitted`` and ``benefit``; ``payment`` (type ``complete``, amount, date) once paid;
  ``processNote``: the reasons in plain sentences (and that an adjuster is reviewing, when so).
  Risk flags are for adjusters: their lines are never exported;
* the EOB also carries ``claim`` (the number), ``claimResponse`` (``ClaimResponse/<id>``), ``provider``
  and ``facility`` (the hospital: identifier ``urn:kincare:claims:hospital`` and name), ``billablePeriod``,
  ``diagnosis`` (ICD-10 with the Chinese name), ``item[]`` with ``productOrService`` and ``net``,
  ``supportingInfo`` as submitted, ``accident`` (date) for an accident, ``insurance``
  (``Coverage/pol-<id>``, focal) and ``benefitPeriod`` (the policy term).

Money is CNY with two decimals (``Money``; ``Quantity`` with ``urn:iso:std:iso:4217`` ``CNY`` in
``supportingInfo``), never a float in the computation.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from kincare.claims import selectors
from kincare.claims.fhir.codes import RESOURCE_ID
from kincare.claims.fhir.inbound import claim_submit_from_fhir, parse_claim
from kincare.claims.fhir.outbound import claim_response_resource, explanation_of_benefit_resource
from kincare.claims.models import Claim
from kincare.core.errors import NotFound
from kincare.fhir.common import FHIR_CONTENT_TYPE

__all__ = [
    "claim_response_resource",
    "claim_submit_from_fhir",
    "explanation_of_benefit_resource",
    "fhir_router",
    "parse_claim",
]

#: a Claim is a few kilobytes, its documents (base64 in ``supportingInfo``) up to 10 MB each: a
#: request may carry about 24 MB of documents; more go through ``POST /api/v1/claims/{id}/documents``
MAX_BODY_BYTES = 32 * 1024 * 1024


fhir_router = Router(tags=["fhir"])


def _fhir(resource: Any, status: int = 200) -> HttpResponse:
    text = json.dumps(json.loads(resource.json()), ensure_ascii=False)
    return HttpResponse(text, content_type=FHIR_CONTENT_TYPE, status=status)


def _claim(request: HttpRequest, resource_id: str) -> Claim:
    if not RESOURCE_ID.match(resource_id):
        raise NotFound(_("找不到该对象"))
    return selectors.claim_get(user=request.user, claim_id=int(resource_id))


@fhir_router.post(
    "/Claim",
    response={201: dict, 422: dict},
    summary="Submit a FHIR R4B Claim: adjudicated at once, answered with a ClaimResponse",
    openapi_extra={"requestBody": {"content": {FHIR_CONTENT_TYPE: {"schema": {"type": "object"}}}, "required": True}},
)
def claim_create(request: HttpRequest) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        # above Django's cap for request bodies (DATA_UPLOAD_MAX_MEMORY_SIZE): this endpoint takes
        # documents inline, so it reads up to its own cap from the (still unread) stream
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            raise HttpError(413, _("请求内容过大")) from None
        body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise HttpError(413, _("请求内容过大"))
    claim = claim_submit_from_fhir(user=request.user, resource=parse_claim(body))
    response = _fhir(claim_response_resource(claim), status=201)
    response["Location"] = request.build_absolute_uri(f"/api/v1/fhir/ClaimResponse/{claim.pk}")
    return response


@fhir_router.get("/ClaimResponse/{resource_id}", response={200: dict}, summary="A claim's adjudication")
def claim_response_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    return _fhir(claim_response_resource(_claim(request, resource_id)))


@fhir_router.get(
    "/ExplanationOfBenefit/{resource_id}", response={200: dict}, summary="A claim's explanation of benefits"
)
def explanation_of_benefit_read(request: HttpRequest, resource_id: str) -> HttpResponse:
    return _fhir(explanation_of_benefit_resource(_claim(request, resource_id)))
