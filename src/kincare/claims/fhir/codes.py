"""Code systems and identifiers of the claims FHIR mapping (see ``kincare.claims.fhir``)."""

from __future__ import annotations

import re

from kincare.claims.models import Claim, ClaimType

CLAIM_TYPE_SYSTEM = "urn:kincare:claims:claim-type"
ITEM_CATEGORY_SYSTEM = "urn:kincare:claims:item-category"
HOSPITAL_SYSTEM = "urn:kincare:claims:hospital"
SUPPORTING_INFO_SYSTEM = "urn:kincare:claims:supporting-info"
#: ``supportingInfo.code`` of a document: invoice | settlement | discharge | diagnosis | other
DOCUMENT_KIND_SYSTEM = "urn:kincare:claims:document-kind"
ADJUDICATION_SYSTEM = "urn:kincare:claims:adjudication"
REASON_SYSTEM = "urn:kincare:claims:reason"
CLAIM_NUMBER_SYSTEM = "urn:kincare:claims:number"
HL7_ADJUDICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/adjudication"
HL7_CLAIM_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/claim-type"
HL7_INFO_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
HL7_PAYMENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
HL7_NOTE_TYPE = "display"
CURRENCY_SYSTEM = "urn:iso:std:iso:4217"

#: our claim type → the HL7 claim-type of ``Claim.type``
HL7_CLAIM_TYPES: dict[str, str] = {
    ClaimType.INPATIENT: "institutional",
    ClaimType.CRITICAL_ILLNESS: "institutional",
    ClaimType.SPECIAL_OUTPATIENT: "professional",
    ClaimType.OUTPATIENT_SURGERY: "professional",
    ClaimType.PRE_POST_OUTPATIENT: "professional",
    ClaimType.ACCIDENT_MEDICAL: "professional",
}
DECIDED = {Claim.Status.APPROVED, Claim.Status.PAID, Claim.Status.REJECTED, Claim.Status.WITHDRAWN}
PATIENT_REFERENCE = re.compile(r"^Patient/([0-9]{1,18})$")
COVERAGE_REFERENCE = re.compile(r"^Coverage/([A-Za-z0-9\-.]{1,64})$")
RESOURCE_ID = re.compile(r"^[0-9]{1,18}$")
