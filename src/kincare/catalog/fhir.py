"""A product as an HL7 FHIR R4B ``InsurancePlan`` (validated by ``fhir.resources``).

* identifier: the product code (system ``urn:kincare:catalog:product``) and version;
* ownedBy / administeredBy: the insurer (display name, identifier = unified social credit code);
* coverage: one entry for the category, a benefit per benefit row with its limit in CNY;
* plan: one per plan, with the annual premium range as ``generalCost`` and the deductible
  as a ``specificCost``.

``fhir_router`` exposes ``GET /InsurancePlan/{code}``; the lead mounts it under /api/v1/fhir.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse
from fhir.resources.R4B.insuranceplan import InsurancePlan
from ninja import Router

from kincare.catalog import selectors
from kincare.catalog.models import Product
from kincare.fhir.common import FHIR_CONTENT_TYPE

PRODUCT_SYSTEM = "urn:kincare:catalog:product"
CATEGORY_SYSTEM = "urn:kincare:catalog:category"
BENEFIT_SYSTEM = "urn:kincare:catalog:benefit"
CREDIT_CODE_SYSTEM = "urn:oid:2.16.156.10011.1.7"  # unified social credit code (统一社会信用代码)


def _money(fen: int) -> dict[str, Any]:
    return {"value": Decimal(fen) / 100, "currency": "CNY"}


def insurance_plan_resource(product: Product) -> dict[str, Any]:
    """The validated ``InsurancePlan`` as a JSON-ready dict."""
    insurer = {
        "display": product.insurer.name,
        "identifier": {"system": CREDIT_CODE_SYSTEM, "value": product.insurer.credit_code},
    }
    benefits = []
    for b in product.benefits.all():
        benefit: dict[str, Any] = {"type": {"coding": [{"system": BENEFIT_SYSTEM, "code": b.kind}], "text": b.label}}
        if b.annual_limit_fen:
            benefit["limit"] = [
                {
                    "value": {
                        "value": Decimal(b.annual_limit_fen) / 100,
                        "unit": "CNY",
                        "system": "urn:iso:std:iso:4217",
                        "code": "CNY",
                    },
                    "code": {"text": "annual limit"},
                }
            ]
        elif b.disease_count:
            benefit["requirement"] = f"{b.disease_count} diseases, payout ratio {b.payout_ratio}"
        benefits.append(benefit)
    plans = []
    premium_ranges = {
        row["plan_id"]: (row["low"], row["high"])
        for row in product.premium_rows.values("plan_id").annotate(
            low=Min("annual_premium_fen"), high=Max("annual_premium_fen")
        )
    }
    for plan in product.plans.all():
        low, high = premium_ranges.get(plan.pk, (0, 0))
        entry: dict[str, Any] = {
            "identifier": [{"system": f"{PRODUCT_SYSTEM}:{product.code}:plan", "value": plan.code}],
            "type": {"text": plan.name},
            "generalCost": [
                {"type": {"text": "annual premium (lowest)"}, "cost": _money(low)},
                {"type": {"text": "annual premium (highest)"}, "cost": _money(high)},
            ],
        }
        if plan.deductible_fen is not None:
            entry["specificCost"] = [
                {
                    "category": {"text": "deductible"},
                    "benefit": [
                        {
                            "type": {"text": "deductible"},
                            "cost": [
                                {
                                    "type": {"text": "deductible"},
                                    "value": {"value": Decimal(plan.deductible_fen) / 100, "unit": "CNY"},
                                }
                            ],
                        }
                    ],
                }
            ]
        plans.append(entry)
    resource = InsurancePlan.parse_obj(
        dict(  # noqa: C408 - keyword form reads like the FHIR element names
            id=product.code.replace("_", "-"),
            identifier=[
                {"system": PRODUCT_SYSTEM, "value": product.code},
                {"system": f"{PRODUCT_SYSTEM}:version", "value": f"{product.code}:{product.version}"},
            ],
            status="active" if product.on_sale and product.is_current else "retired",
            type=[
                {
                    "coding": [{"system": CATEGORY_SYSTEM, "code": product.category}],
                    "text": product.get_category_display(),
                }
            ],
            name=product.name,
            ownedBy=insurer,
            administeredBy=insurer,
            coverage=[
                {
                    "type": {"coding": [{"system": CATEGORY_SYSTEM, "code": product.category}]},
                    "benefit": benefits or [{"type": {"text": product.get_category_display()}}],
                }
            ],
            plan=plans,
        )
    )
    return json.loads(resource.json())


fhir_router = Router(tags=["fhir"])


@fhir_router.get("/InsurancePlan/{code}", response={200: dict}, auth=None, summary="A product as a FHIR InsurancePlan")
def insurance_plan_read(request: HttpRequest, code: str) -> HttpResponse:
    # the resource id is the code with hyphens (FHIR ids allow no "_"): both read the product
    product = selectors.product_get(user=request.user, code=code.replace("-", "_"))
    return HttpResponse(
        json.dumps(insurance_plan_resource(product), ensure_ascii=False), content_type=FHIR_CONTENT_TYPE
    )
