"""FHIR R4B: POST Claim → ClaimResponse; GET ClaimResponse and ExplanationOfBenefit; personas; bad FHIR."""

from __future__ import annotations

import base64
import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

from kincare.claims.fhir.codes import (
    ADJUDICATION_SYSTEM,
    CLAIM_TYPE_SYSTEM,
    CURRENCY_SYSTEM,
    DOCUMENT_KIND_SYSTEM,
    HL7_ADJUDICATION_SYSTEM,
    HL7_CLAIM_TYPE_SYSTEM,
    HOSPITAL_SYSTEM,
    ITEM_CATEGORY_SYSTEM,
    REASON_SYSTEM,
    SUPPORTING_INFO_SYSTEM,
)
from kincare.claims.models import Claim
from kincare.claims.tests.api_helpers import (
    FHIR,
    HOSPITAL,
    SERVICE_END,
    SERVICE_START,
    TODAY,
    client_for,
    error,
    medical_policy,
    submit,
)
from kincare.claims.tests.services_helpers import unique_pdf
from kincare.policies.fhir import ICD10_SYSTEM

FHIR_JSON = "application/fhir+json"


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


def _info(code: str, **value: Any) -> dict[str, Any]:
    return {"category": {"coding": [{"system": SUPPORTING_INFO_SYSTEM, "code": code}]}, **value}


def _cny(yuan: str) -> dict[str, Any]:
    return {"value": Decimal(yuan), "unit": "CNY", "system": CURRENCY_SYSTEM, "code": "CNY"}


def document(kind: str, content: bytes, title: str = "invoice.pdf") -> dict[str, Any]:
    """A ``document`` supportingInfo: the file inline as base64."""
    return {
        **_info("document"),
        "code": {"coding": [{"system": DOCUMENT_KIND_SYSTEM, "code": kind}]},
        "valueAttachment": {
            "contentType": "application/pdf",
            "data": base64.b64encode(content).decode(),
            "title": title,
        },
    }


def fhir_claim(policy, member, *, social_paid: str = "12000.00", other_paid: str = "0", **overrides) -> dict:
    """The spec's example as a FHIR R4B Claim (decimals kept exact)."""
    claim: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": {"coding": [{"system": HL7_CLAIM_TYPE_SYSTEM, "code": "institutional"}]},
        "subType": {"coding": [{"system": CLAIM_TYPE_SYSTEM, "code": "inpatient"}]},
        "use": "claim",
        "patient": {"reference": f"Patient/{member.pk}"},
        "billablePeriod": {"start": SERVICE_START.isoformat(), "end": SERVICE_END.isoformat()},
        "created": TODAY.isoformat(),
        "provider": {"display": "北京安和医院"},
        "facility": {"identifier": {"system": HOSPITAL_SYSTEM, "value": HOSPITAL}},
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/pol-{policy.pk}"}}],
        "diagnosis": [
            {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": ICD10_SYSTEM, "code": "K35.8"}]}}
        ],
        "supportingInfo": [
            {"sequence": 1, **_info("social-insurance", valueBoolean=True)},
            {"sequence": 2, **_info("social-insurance-paid", valueQuantity=_cny(social_paid))},
            {"sequence": 3, **_info("other-insurance-paid", valueQuantity=_cny(other_paid))},
            {"sequence": 4, **document("invoice", unique_pdf())},
        ],
        "item": [
            {
                "sequence": 1,
                "productOrService": {"coding": [{"system": ITEM_CATEGORY_SYSTEM, "code": "drug"}], "text": "药品"},
                "net": {"value": Decimal("25000.00"), "currency": "CNY"},
            },
            {
                "sequence": 2,
                "productOrService": {"coding": [{"system": ITEM_CATEGORY_SYSTEM, "code": "non_medical"}]},
                "net": {"value": Decimal("300.00"), "currency": "CNY"},
            },
        ],
        "total": {"value": Decimal("25300.00"), "currency": "CNY"},
    }
    claim.update(overrides)
    return claim


def _encode(data: dict) -> str:
    """JSON numbers for the decimals (a client writes 25000.00; the server reads it exactly)."""
    return json.dumps(data, default=float, ensure_ascii=False)


def post(client, data: dict | str):
    body = data if isinstance(data, str) else _encode(data)
    return client.post(f"{FHIR}/Claim", data=body.encode("utf-8"), content_type=FHIR_JSON)


def _adjudication(entries, code: str, system: str = HL7_ADJUDICATION_SYSTEM):
    return [a for a in entries or [] if any(c.system == system and c.code == code for c in a.category.coding)]


def _total(resource, code: str) -> Decimal:
    [found] = [t for t in resource.total if t.category.coding[0].code == code]
    assert found.amount.currency == "CNY"
    return found.amount.value


# Round trip ----------------------------------------------------------------------------------------


def test_a_fhir_claim_is_adjudicated_and_answered_with_a_claim_response(guardian, guardian_member, guardian_policy):
    response = post(client_for(guardian), fhir_claim(guardian_policy, guardian_member))
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == FHIR_JSON
    answer = ClaimResponse.parse_obj(json.loads(response.content))
    stored = Claim.objects.get()
    assert response["Location"].endswith(f"/api/v1/fhir/ClaimResponse/{stored.pk}")
    assert (answer.id, answer.outcome, answer.use, answer.status) == (str(stored.pk), "complete", "claim", "active")
    assert answer.patient.reference == f"Patient/{guardian_member.pk}"
    assert answer.insurance[0].coverage.reference == f"Coverage/pol-{guardian_policy.pk}"
    assert _total(answer, "benefit") == Decimal("3000.00")
    assert _total(answer, "submitted") == Decimal("25300.00")
    assert answer.payment.amount.value == Decimal("3000.00")
    assert "3,000.00" in answer.disposition
    [deductible] = _adjudication(answer.adjudication, "deductible")
    assert deductible.amount.value == Decimal("10000.00")
    [percent] = _adjudication(answer.adjudication, "eligpercent")
    assert percent.value == Decimal("100")
    [benefit] = _adjudication(answer.adjudication, "benefit")
    assert benefit.amount.value == Decimal("3000.00")
    # the non-medical line is not covered, the drugs are
    drug, non_medical = answer.item
    assert (drug.itemSequence, non_medical.itemSequence) == (1, 2)
    assert _adjudication(drug.adjudication, "eligible")[0].amount.value == Decimal("25000.00")
    [not_covered] = _adjudication(non_medical.adjudication, "not-covered", ADJUDICATION_SYSTEM)
    assert not_covered.amount.value == Decimal("300.00")
    # what was stored is the FHIR claim, mapped
    assert (stored.status, stored.payout_fen, stored.hospital_code, stored.diagnoses) == (
        "paid",
        300_000,
        HOSPITAL,
        ["K35.8"],
    )
    assert [(i["category"], i["amount_fen"]) for i in stored.items] == [("drug", 2_500_000), ("non_medical", 30_000)]
    assert (stored.social_insurance_used, stored.social_insurance_paid_fen, stored.other_insurance_paid_fen) == (
        True,
        1_200_000,
        0,
    )
    assert (stored.service_start, stored.service_end, stored.is_accident) == (SERVICE_START, SERVICE_END, False)


def test_the_claim_response_reads_back_as_posted(guardian, guardian_member, guardian_policy):
    client = client_for(guardian)
    posted = json.loads(post(client, fhir_claim(guardian_policy, guardian_member)).content)
    read = client.get(f"{FHIR}/ClaimResponse/{posted['id']}")
    assert read.status_code == 200 and read["Content-Type"] == FHIR_JSON
    assert json.loads(read.content) == posted


def test_the_explanation_of_benefit_is_valid_and_explains_every_fen(guardian, guardian_member, guardian_policy):
    claim = submit(client_for(guardian), guardian_policy, guardian_member)
    response = client_for(guardian).get(f"{FHIR}/ExplanationOfBenefit/{claim['id']}")
    assert response.status_code == 200 and response["Content-Type"] == FHIR_JSON
    eob = ExplanationOfBenefit.parse_obj(json.loads(response.content))
    assert ExplanationOfBenefit.parse_raw(eob.json()) == eob  # round trip through fhir.resources
    assert (eob.id, eob.outcome, eob.claimResponse.reference) == (
        str(claim["id"]),
        "complete",
        f"ClaimResponse/{claim['id']}",
    )
    assert eob.insurance[0].focal and eob.insurance[0].coverage.reference == f"Coverage/pol-{guardian_policy.pk}"
    assert eob.provider.identifier.system == HOSPITAL_SYSTEM and eob.provider.identifier.value == HOSPITAL
    assert eob.subType.coding[0].system == CLAIM_TYPE_SYSTEM and eob.subType.coding[0].code == "inpatient"
    diagnosis = eob.diagnosis[0].diagnosisCodeableConcept.coding[0]
    assert (diagnosis.system, diagnosis.code, diagnosis.display) == (ICD10_SYSTEM, "K35.8", "急性阑尾炎")
    assert (eob.billablePeriod.start, eob.billablePeriod.end) == (SERVICE_START, SERVICE_END)
    assert [(i.productOrService.coding[0].code, i.net.value) for i in eob.item] == [
        ("drug", Decimal("25000.00")),
        ("non_medical", Decimal("300.00")),
    ]
    paid = {i.category.coding[0].code: i for i in eob.supportingInfo}
    assert paid["social-insurance-paid"].valueQuantity.value == Decimal("12000.00")
    assert paid["social-insurance"].valueBoolean is True
    assert _adjudication(eob.adjudication, "submitted")[0].amount.value == Decimal("25300.00")
    assert _adjudication(eob.adjudication, "eligible")[0].amount.value == Decimal("25000.00")
    assert _adjudication(eob.adjudication, "deductible")[0].amount.value == Decimal("10000.00")
    assert _adjudication(eob.adjudication, "copay")[0].amount.value == Decimal("0.00")
    assert _total(eob, "benefit") == Decimal("3000.00")
    # every header line carries its text in Chinese
    assert all(a.category.text for a in eob.adjudication)
    assert eob.benefitPeriod.start is not None


def test_without_social_insurance_the_ratio_and_copay_show(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member, social_paid="0")
    data["supportingInfo"][0]["valueBoolean"] = False
    answer = ClaimResponse.parse_obj(json.loads(post(client_for(guardian), data).content))
    assert _total(answer, "benefit") == Decimal("9000.00")
    assert _adjudication(answer.adjudication, "eligpercent")[0].value == Decimal("60")
    assert _adjudication(answer.adjudication, "copay")[0].amount.value == Decimal("6000.00")


def test_other_insurance_offsets_the_deductible_first(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member, other_paid="4000.00")
    answer = ClaimResponse.parse_obj(json.loads(post(client_for(guardian), data).content))
    assert _total(answer, "benefit") == Decimal("3000.00")
    assert _adjudication(answer.adjudication, "deductible")[0].amount.value == Decimal("10000.00")
    assert Claim.objects.get().other_insurance_paid_fen == 400_000


def test_a_rejected_claim_says_why(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    data["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "F10.2"
    response = post(client_for(guardian), data)
    assert response.status_code == 201, response.content
    answer = ClaimResponse.parse_obj(json.loads(response.content))
    assert answer.outcome == "complete" and _total(answer, "benefit") == Decimal("0.00")
    assert answer.payment is None
    [note] = answer.processNote
    assert "F10.2" in note.text and "责任免除" in note.text
    [benefit] = _adjudication(answer.adjudication, "benefit")
    assert [(c.system, c.code) for c in benefit.reason.coding] == [(REASON_SYSTEM, "excluded_condition")]


def test_an_accident_and_a_stay_map_onto_the_claim(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    data["accident"] = {"date": SERVICE_START.isoformat()}
    data["supportingInfo"].append(
        {"sequence": 4, **_info("invoice-number", valueString="INV-0001")},
    )
    response = post(client_for(guardian), data)
    assert response.status_code == 201, response.content
    stored = Claim.objects.get()
    assert stored.is_accident is True
    assert len(stored.invoice_hashes) == 1 and "INV-0001" not in json.dumps(stored.invoice_hashes)


def test_a_pre_post_outpatient_claim_reads_its_hospital_stay(guardian, guardian_member, guardian_policy):
    import datetime as dt

    data = fhir_claim(
        guardian_policy,
        guardian_member,
        subType={"coding": [{"system": CLAIM_TYPE_SYSTEM, "code": "pre_post_outpatient"}]},
        billablePeriod={"start": SERVICE_END.isoformat(), "end": SERVICE_END.isoformat()},
    )
    admission, discharge = SERVICE_START - dt.timedelta(days=10), SERVICE_START - dt.timedelta(days=2)
    data["supportingInfo"].append(
        {
            "sequence": 4,
            "category": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/claiminformationcategory", "code": "hospitalized"}
                ]
            },
            "timingPeriod": {"start": admission.isoformat(), "end": discharge.isoformat()},
        }
    )
    response = post(client_for(guardian), data)
    assert response.status_code == 201, response.content
    stored = Claim.objects.get()
    assert stored.claim_type == "pre_post_outpatient"
    assert stored.related_stay == {"admission": admission.isoformat(), "discharge": discharge.isoformat()}
    assert "outside_pre_post_window" not in stored.reasons
    eob = ExplanationOfBenefit.parse_obj(
        json.loads(client_for(guardian).get(f"{FHIR}/ExplanationOfBenefit/{stored.pk}").content)
    )
    stay = [i for i in eob.supportingInfo if i.category.coding[0].code == "related-stay"]
    assert [(i.timingPeriod.start, i.timingPeriod.end) for i in stay] == [(admission, discharge)]


# Personas --------------------------------------------------------------------------------------------


def test_other_adults_outsiders_and_anonymous_do_not_read_the_resources(
    guardian, guardian_member, guardian_policy, adult_member, outsider
):
    claim = submit(client_for(guardian), guardian_policy, guardian_member)
    for kind in ("ClaimResponse", "ExplanationOfBenefit"):
        url = f"{FHIR}/{kind}/{claim['id']}"
        error(client_for(adult_member).get(url), 404, None)
        error(client_for(outsider).get(url), 404, None)
        error(client_for().get(url), 401, "not_authenticated")
        error(client_for(guardian).get(f"{FHIR}/{kind}/abc"), 404, None)
        error(client_for(guardian).get(f"{FHIR}/{kind}/999999"), 404, None)


def test_outsiders_and_anonymous_cannot_post_for_the_family(guardian_member, guardian_policy, adult_member, outsider):
    data = fhir_claim(guardian_policy, guardian_member)
    error(post(client_for(outsider), data), 404, None)
    error(post(client_for(), data), 401, "not_authenticated")
    response = post(client_for(adult_member), data)
    assert response.status_code in (403, 404), response.content
    assert Claim.objects.count() == 0


# Invalid FHIR ----------------------------------------------------------------------------------------


def _without(key: str):
    def change(data: dict) -> None:
        del data[key]

    return change


def _set(path: str, value: Any):
    def change(data: dict) -> None:
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        node[int(last) if last.isdigit() else last] = value

    return change


INVALID = [
    (_set("resourceType", "Patient"), "fhir_resource_type", "resourceType"),
    (_without("patient"), "fhir_invalid", "patient"),
    (_without("insurance"), "fhir_invalid", "insurance"),
    (_set("foo", 1), "fhir_invalid", "foo"),
    (_set("item.0.net.value", "25000.00"), "amount_type", "item[0].net.value"),
    (_set("item.0.net.value", True), "amount_type", "item[0].net.value"),
    (_set("item.0.net.value", Decimal("-1.00")), "amount_negative", "item[0].net.value"),
    (_set("item.0.net.value", Decimal("0.001")), "amount_too_precise", "item[0].net.value"),
    (_set("item.0.net.value", Decimal("1E+13")), "amount_too_large", "item[0].net.value"),
    (_set("item.0.net.value", Decimal("0")), "amount_zero", "item[0].net.value"),
    (_set("item.0.net.currency", "USD"), "currency_unsupported", "item[0].net.currency"),
    (_set("item.0.productOrService", {"text": "药"}), "item_category_missing", "item[0].productOrService"),
    (_set("total", {"value": Decimal("1.00"), "currency": "CNY"}), "total_mismatch", "total"),
    (_set("supportingInfo.1.valueQuantity.value", "12000"), "amount_type", "supportingInfo[1].valueQuantity.value"),
    (
        _set("supportingInfo.1.valueQuantity.code", "USD"),
        "currency_unsupported",
        "supportingInfo[1].valueQuantity.code",
    ),
    (_set("insurance.0.coverage.reference", "Coverage/ext-1"), "coverage_not_claimable", "insurance[0].coverage"),
    (_set("insurance.0.coverage.reference", "Policy/1"), "coverage_invalid", "insurance[0].coverage"),
    (_set("patient", {"reference": "Patient/abc"}), "patient_invalid", "patient"),
    (_set("patient", {"reference": "http://evil.example/Patient/1"}), "patient_invalid", "patient"),
    (_without("subType"), "claim_type_missing", "subType"),
    (_set("subType", {"coding": [{"system": CLAIM_TYPE_SYSTEM, "code": "dental"}]}), "claim_type_invalid", "subType"),
    (_set("diagnosis.0.diagnosisCodeableConcept.coding.0.system", "urn:other"), "diagnosis_not_icd10", "diagnosis[0]"),
    (_without("diagnosis"), "diagnosis_missing", "diagnosis"),
    (_without("facility"), "hospital_missing", "facility"),
    (_without("billablePeriod"), "service_start_missing", "billablePeriod.start"),
    (_set("use", "preauthorization"), "fhir_use_unsupported", "use"),
    (_set("status", "draft"), "fhir_status_unsupported", "status"),
]


@pytest.mark.parametrize(("change", "code", "field"), INVALID)
def test_invalid_fhir_is_422_in_the_error_shape_and_writes_nothing(
    guardian, guardian_member, guardian_policy, change, code, field
):
    data = copy.deepcopy(fhir_claim(guardian_policy, guardian_member))
    change(data)
    found = error(post(client_for(guardian), data), 422, code)
    assert found["field"] == field
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json", "fhir_json_invalid"),
        ('{"resourceType": "Claim", "total": {"value": NaN}}', "fhir_json_invalid"),
        ("[]", "fhir_resource_type"),
        ('"Claim"', "fhir_resource_type"),
        ("", "fhir_json_invalid"),
    ],
)
def test_a_body_that_is_not_a_claim_is_422(guardian, family, body, code):
    error(post(client_for(guardian), body), 422, code)


def test_a_huge_body_is_413(guardian, guardian_member, guardian_policy):
    data = fhir_claim(guardian_policy, guardian_member)
    data["item"][0]["productOrService"]["text"] = "药" * 11_500_000  # 34.5 MB of UTF-8
    error(post(client_for(guardian), data), 413, "too_large")
    assert Claim.objects.count() == 0
