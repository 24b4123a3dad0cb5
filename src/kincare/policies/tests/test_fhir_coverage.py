"""FHIR R4B Coverage for platform (pol-<id>) and external (ext-<id>) policies: valid, guarded like the wallet."""

import json
from decimal import Decimal

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.coverage import Coverage

from kincare.catalog.fhir import CATEGORY_SYSTEM, CREDIT_CODE_SYSTEM
from kincare.catalog.models import Product
from kincare.families.models import Member
from kincare.policies.fhir import (
    EXT_EXCLUSION,
    EXT_INSURANCE_PLAN,
    EXT_PREMIUM,
    EXT_STATUS,
    EXT_SUM_INSURED,
    EXT_VERIFIED,
    ICD10_SYSTEM,
    POLICY_NUMBER_SYSTEM,
)
from kincare.policies.models import Policy
from kincare.policies.tests.api_helpers import (
    API,
    CHRONIC_PRODUCT,
    FHIR,
    buy,
    call,
    client_for,
    error,
    hypertension_answer,
    ok,
)


@pytest.fixture
def grandparent_policy(catalog, guardian, guardian_member, grandparent, django_capture_on_commit_callbacks):
    return buy(
        client_for(guardian),
        django_capture_on_commit_callbacks,
        policyholder=guardian_member,
        insured=grandparent,
        conditions=[hypertension_answer(controlled=False)],
    )


@pytest.fixture
def external(guardian, grandparent):
    body = {
        "insured_member_id": grandparent.pk,
        "insurer_name": "中国人寿",
        "product_name": "国寿福",
        "category": "critical_illness",
        "sum_insured_fen": 30_000_000,
        "premium_fen": 450_000,
        "starts_on": "2022-03-01",
        "policy_number": "P20220301",
    }
    return ok(call(client_for(guardian), "post", f"{API}/external", body), 201)


def _coverage(response) -> tuple[Coverage, dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    return Coverage.parse_obj(data), data


def _extensions(coverage: Coverage, url: str):
    return [e for e in (coverage.extension or []) if e.url == url]


def test_a_platform_policy_is_a_valid_coverage(grandparent_policy, guardian, guardian_member, grandparent):
    coverage, data = _coverage(client_for(guardian).get(f"{FHIR}/Coverage/pol-{grandparent_policy['id']}"))
    policy = Policy.objects.select_related("product__insurer", "plan").get(pk=grandparent_policy["id"])
    assert (data["resourceType"], coverage.id, coverage.status) == ("Coverage", f"pol-{policy.pk}", "active")
    assert coverage.identifier[0].system == POLICY_NUMBER_SYSTEM
    assert coverage.identifier[0].value == policy.number
    assert coverage.type.coding[0].system == CATEGORY_SYSTEM
    assert (coverage.type.coding[0].code, coverage.type.coding[0].display) == ("medical", "百万医疗")
    assert coverage.beneficiary.reference == f"Patient/{grandparent.pk}"
    assert coverage.policyHolder.reference == f"Patient/{guardian_member.pk}"
    assert coverage.subscriber.reference == f"Patient/{guardian_member.pk}"
    assert coverage.relationship.coding[0].code == "parent"
    assert coverage.payor[0].display == policy.product.insurer.name
    assert coverage.payor[0].identifier.system == CREDIT_CODE_SYSTEM
    assert coverage.payor[0].identifier.value == policy.product.insurer.credit_code
    assert coverage.period.start is not None and coverage.period.end is not None
    assert coverage.class_fhir[0].value == policy.plan.code
    assert _extensions(coverage, EXT_STATUS)[0].valueCoding.code == "active"
    plan_ref = _extensions(coverage, EXT_INSURANCE_PLAN)[0].valueReference.reference
    assert plan_ref == f"InsurancePlan/{CHRONIC_PRODUCT.replace('_', '-')}"
    sum_insured = _extensions(coverage, EXT_SUM_INSURED)[0].valueMoney
    assert (sum_insured.value, sum_insured.currency) == (Decimal(policy.sum_insured_fen) / 100, "CNY")
    assert _extensions(coverage, EXT_PREMIUM)[0].valueMoney.value == Decimal(policy.premium_fen) / 100
    # the guardian (policyholder) sees the exclusion written on the policy
    exclusion = _extensions(coverage, EXT_EXCLUSION)
    assert len(exclusion) == 1
    codes = [e.valueCoding.code for e in exclusion[0].extension if e.url == "icd10"]
    assert "I10" in codes
    assert all(e.valueCoding.system == ICD10_SYSTEM for e in exclusion[0].extension if e.url == "icd10")


def test_exclusions_are_hidden_from_a_member_who_may_not_see_them(grandparent_policy, adult_member):
    coverage, data = _coverage(client_for(adult_member).get(f"{FHIR}/Coverage/pol-{grandparent_policy['id']}"))
    assert _extensions(coverage, EXT_EXCLUSION) == []
    assert "I10" not in json.dumps(data)
    assert coverage.beneficiary.reference.startswith("Patient/")


def test_an_external_policy_is_an_unverified_coverage(external, guardian, adult_member, grandparent):
    for user in (guardian, adult_member):
        coverage, _data = _coverage(client_for(user).get(f"{FHIR}/Coverage/{external['fhir_id']}"))
        assert (coverage.id, coverage.status) == (f"ext-{external['id']}", "active")
        assert _extensions(coverage, EXT_VERIFIED)[0].valueBoolean is False
        assert coverage.payor[0].display == "中国人寿"
        assert coverage.beneficiary.reference == f"Patient/{grandparent.pk}"
        assert coverage.identifier[0].value == "P20220301"
        assert str(coverage.period.start) == "2022-03-01"
        assert coverage.type.coding[0].code == "critical_illness"


def test_outsiders_get_404_anonymous_401_and_bad_ids_404(grandparent_policy, external, outsider, guardian):
    for url in (f"{FHIR}/Coverage/pol-{grandparent_policy['id']}", f"{FHIR}/Coverage/{external['fhir_id']}"):
        assert error(client_for(outsider).get(url), 404)["code"] in ("policy_not_found", "not_found")
        error(client_for().get(url), 401, "not_authenticated")
    for bad in (
        str(grandparent_policy["id"]),
        "pol-",
        "pol-abc",
        "pol--1",
        "pol-１",
        "ext-x",
        "xyz-1",
        "pol-99999999999999999999999",
        f"ext-{grandparent_policy['id'] + 1000}",
    ):
        error(client_for(guardian).get(f"{FHIR}/Coverage/{bad}"), 404)


def test_a_pending_policy_is_a_draft_and_a_cancelled_one_cancelled(grandparent_policy, guardian):
    ok(call(client_for(guardian), "post", f"{API}/{grandparent_policy['id']}/cancel", {}))
    coverage, _ = _coverage(client_for(guardian).get(f"{FHIR}/Coverage/pol-{grandparent_policy['id']}"))
    assert coverage.status == "cancelled"
    assert _extensions(coverage, EXT_STATUS)[0].valueCoding.code == "cancelled"


def test_searching_coverage_by_patient(grandparent_policy, external, guardian, adult_member, grandparent, outsider):
    response = client_for(guardian).get(f"{FHIR}/Coverage", {"patient": grandparent.pk})
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.parse_obj(json.loads(response.content))
    assert bundle.type == "searchset"
    assert {e.resource.id for e in bundle.entry} == {f"pol-{grandparent_policy['id']}", external["fhir_id"]}
    assert all(e.fullUrl.startswith("http://testserver/api/v1/fhir/Coverage/") for e in bundle.entry)
    same = Bundle.parse_obj(
        json.loads(client_for(guardian).get(f"{FHIR}/Coverage", {"beneficiary": f"Patient/{grandparent.pk}"}).content)
    )
    assert same.total == 2
    # the other adult's search hides the exclusions too
    text = client_for(adult_member).get(f"{FHIR}/Coverage", {"patient": grandparent.pk}).content.decode()
    assert Bundle.parse_obj(json.loads(text)).total == 2 and "I10" not in text
    everything = Bundle.parse_obj(json.loads(client_for(guardian).get(f"{FHIR}/Coverage").content))
    assert everything.total == 2
    error(client_for(outsider).get(f"{FHIR}/Coverage", {"patient": grandparent.pk}), 404)
    empty = Bundle.parse_obj(json.loads(client_for(outsider).get(f"{FHIR}/Coverage").content))
    assert empty.total == 0
    error(client_for().get(f"{FHIR}/Coverage"), 401)
    for bad in ("abc", "１２", "Patient/-1", "9" * 30):
        error(client_for(guardian).get(f"{FHIR}/Coverage", {"patient": bad}), 422, "patient_invalid")
    outsider_row = Member.objects.get(user=outsider)
    error(client_for(guardian).get(f"{FHIR}/Coverage", {"patient": outsider_row.pk}), 404)


def test_the_catalog_product_referenced_exists(grandparent_policy, guardian):
    coverage, _ = _coverage(client_for(guardian).get(f"{FHIR}/Coverage/pol-{grandparent_policy['id']}"))
    reference = _extensions(coverage, EXT_INSURANCE_PLAN)[0].valueReference.reference
    assert Product.objects.filter(code=CHRONIC_PRODUCT).exists()
    assert client_for().get(f"{FHIR}/{reference}").status_code == 200
