"""A product as a validated FHIR R4B InsurancePlan."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from fhir.resources.R4B.insuranceplan import InsurancePlan

from kincare.catalog.fhir import FHIR_CONTENT_TYPE, insurance_plan_read, insurance_plan_resource
from kincare.catalog.models import Product
from kincare.core.errors import NotFound

pytestmark = pytest.mark.usefixtures("sample_catalog")


def test_a_product_maps_to_a_valid_insurance_plan() -> None:
    product = Product.objects.get(code="med_01", is_current=True)
    resource = insurance_plan_resource(product)
    InsurancePlan.parse_obj(resource)  # validates
    assert resource["resourceType"] == "InsurancePlan"
    assert resource["name"] == product.name
    assert resource["status"] == "active"
    assert resource["ownedBy"]["display"] == product.insurer.name
    benefit_codes = {b["type"]["coding"][0]["code"] for b in resource["coverage"][0]["benefit"]}
    assert "general" in benefit_codes
    assert {p["identifier"][0]["value"] for p in resource["plan"]} == {"standard", "zero_deductible"}


def test_every_category_maps() -> None:
    for category in Product.objects.values_list("category", flat=True).distinct():
        product = Product.objects.filter(category=category, is_current=True).first()
        assert product is not None
        InsurancePlan.parse_obj(insurance_plan_resource(product))


def test_the_route_serves_fhir_json_and_hides_unselected_products() -> None:
    request = RequestFactory().get("/api/v1/fhir/InsurancePlan/ci_01")
    request.user = AnonymousUser()
    response = insurance_plan_read(request, "ci_01")
    assert response["Content-Type"] == FHIR_CONTENT_TYPE
    assert json.loads(response.content)["resourceType"] == "InsurancePlan"
    with pytest.raises(NotFound):
        insurance_plan_read(request, "med_13")
