"""Policies as HL7 FHIR R4B ``Coverage`` (validated by constructing ``fhir.resources`` objects).

Ids: a platform policy is ``Coverage/pol-<policy id>``, a policy recorded by the family
(保单托管) is ``Coverage/ext-<external policy id>`` (the ``fhir_id`` in the policies API).
Visibility is the wallet's: members of the family read them, outsiders get 404, anonymous 401.

Mapping of a platform policy:

* ``identifier``: the policy number (system ``urn:kincare:policy:number``), once issued;
* ``status``: pending_payment → ``draft``; active and expired → ``active`` (the record is valid;
  ``period`` says the cover has ended); cancelled (犹豫期退保), lapsed, terminated →
  ``cancelled``. The exact kincare status is the ``urn:kincare:fhir:coverage-status`` extension
  (code from ``urn:kincare:policy:status``);
* ``type``: the product category (system ``urn:kincare:catalog:category``, as the catalog's
  ``InsurancePlan``) with its Chinese display;
* ``policyHolder`` and ``subscriber``: ``Patient/<member id>`` of the policyholder (投保人);
  ``beneficiary``: ``Patient/<member id>`` of the insured (被保险人 — FHIR's "beneficiary" is the
  covered person, not the death beneficiary, which is not exported); ``relationship``: the
  insured's relationship to the policyholder (``subscriber-relationship``: self, spouse, child,
  parent, other) — ids as ``kincare.families.fhir`` gives Patients;
* ``period``: effective_at (00:00 Asia/Shanghai the day after payment) – ends_at;
* ``payor``: the insurer (display = name, identifier = unified social credit code
  ``urn:oid:2.16.156.10011.1.7``);
* ``class``: the plan (``coverage-class`` code ``plan``, value = plan code, name = product and plan
  name); the product itself is the ``urn:kincare:fhir:coverage-insurance-plan`` extension
  referencing ``InsurancePlan/<product code>`` (Coverage has no insurancePlan element in R4B);
* money (CNY, yuan with two decimals, never floats): ``urn:kincare:fhir:coverage-sum-insured``
  (保额 / annual limit), ``urn:kincare:fhir:coverage-death-benefit`` (when any) and
  ``urn:kincare:fhir:coverage-premium`` (annual premium with loadings) as ``valueMoney``.
  ``costToBeneficiary`` is not used: it is what the covered person pays at the point of care;
* ``urn:kincare:fhir:coverage-first-effective`` (``valueDate``): waiting periods count from it;
* exclusions (除外责任, health data) are exported only to a viewer who may see them
  (``selectors.policy_exclusions_read``: the insured, the policyholder, who may read the
  insured's health data; audited when the viewer is not the insured), one complex
  ``urn:kincare:fhir:coverage-exclusion`` extension each, with
  ``icd10`` codings (ICD-10 prefixes, ``http://hl7.org/fhir/sid/icd-10``) and a
  ``description``. The loading percentage is not exported.

An external policy maps the same way with what the family recorded: ``payor`` by name only,
no policyholder, ``period`` from its dates, the policy number if given, and
``urn:kincare:fhir:coverage-verified`` = false (unverified).

``GET /Coverage?patient=<member id>`` (or ``beneficiary=``, ``Patient/<id>`` accepted) answers a
searchset ``Bundle`` of the member's platform and external policies; without a parameter, the
whole family's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.coverage import Coverage
from ninja import Query, Router, Schema
from pydantic import Field

from kincare.catalog.fhir import CATEGORY_SYSTEM, CREDIT_CODE_SYSTEM
from kincare.catalog.models import Category
from kincare.core.errors import NotFound, ValidationFailed
from kincare.families import selectors as family_selectors
from kincare.families.models import Family, Member, Relationship
from kincare.fhir.common import fhir_response
from kincare.policies import selectors
from kincare.policies.models import ExternalPolicy, Policy

POLICY_NUMBER_SYSTEM = "urn:kincare:policy:number"
EXTERNAL_NUMBER_SYSTEM = "urn:kincare:external-policy:number"
POLICY_STATUS_SYSTEM = "urn:kincare:policy:status"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
COVERAGE_CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"
SUBSCRIBER_RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
EXT = "urn:kincare:fhir:coverage-"
EXT_STATUS = EXT + "status"
EXT_SUM_INSURED = EXT + "sum-insured"
EXT_DEATH_BENEFIT = EXT + "death-benefit"
EXT_PREMIUM = EXT + "premium"
EXT_FIRST_EFFECTIVE = EXT + "first-effective"
EXT_INSURANCE_PLAN = EXT + "insurance-plan"
EXT_EXCLUSION = EXT + "exclusion"
EXT_VERIFIED = EXT + "verified"

POLICY_PREFIX = "pol-"
EXTERNAL_PREFIX = "ext-"

#: kincare policy status → FHIR FinancialResourceStatusCodes
STATUS_MAP: dict[str, str] = {
    Policy.Status.PENDING_PAYMENT: "draft",
    Policy.Status.ACTIVE: "active",
    Policy.Status.EXPIRED: "active",
    Policy.Status.CANCELLED: "cancelled",
    Policy.Status.LAPSED: "cancelled",
    Policy.Status.TERMINATED: "cancelled",
}

#: the insured's relationship to the guardian → to a guardian policyholder (subscriber-relationship)
_RELATIONSHIP_TO_GUARDIAN: dict[str, str] = {
    Relationship.SPOUSE: "spouse",
    Relationship.CHILD: "child",
    Relationship.PARENT: "parent",
}
_RELATIONSHIP_DISPLAY = {"self": "Self", "spouse": "Spouse", "child": "Child", "parent": "Parent", "other": "Other"}


def _money(fen: int) -> dict[str, Any]:
    return {"value": (Decimal(fen) / 100).quantize(Decimal("0.01")), "currency": "CNY"}


def _patient(member: Member) -> dict[str, Any]:
    return {"reference": f"Patient/{member.pk}", "display": member.name}


def _category(code: str) -> dict[str, Any]:
    label = str(dict(Category.choices).get(code, code))
    return {"coding": [{"system": CATEGORY_SYSTEM, "code": code, "display": label}], "text": label}


def _relationship(policyholder: Member, insured: Member, family: Family) -> dict[str, Any]:
    if policyholder.pk == insured.pk:
        code = "self"
    elif policyholder.user_id is not None and policyholder.user_id == family.guardian_id:
        code = _RELATIONSHIP_TO_GUARDIAN.get(insured.relationship, "other")
    else:
        code = "other"
    return {
        "coding": [{"system": SUBSCRIBER_RELATIONSHIP_SYSTEM, "code": code, "display": _RELATIONSHIP_DISPLAY[code]}]
    }


def _exclusion_extensions(exclusions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for exclusion in exclusions or []:
        parts: list[dict[str, Any]] = [
            {"url": "icd10", "valueCoding": {"system": ICD10_SYSTEM, "code": str(code)}}
            for code in exclusion.get("icd10", ())
        ]
        if exclusion.get("description"):
            parts.append({"url": "description", "valueString": str(exclusion["description"])})
        if parts:
            out.append({"url": EXT_EXCLUSION, "extension": parts})
    return out


def coverage_for_policy(policy: Policy, *, exclusions: list[dict[str, Any]] | None) -> Coverage:
    """A platform policy as a validated ``Coverage``; ``exclusions``: ``selectors.policy_exclusions_read``
    (None: the viewer may not see them)."""
    product = policy.product
    extensions: list[dict[str, Any]] = [
        {"url": EXT_STATUS, "valueCoding": {"system": POLICY_STATUS_SYSTEM, "code": policy.status}},
        {
            "url": EXT_INSURANCE_PLAN,
            "valueReference": {"reference": f"InsurancePlan/{product.code.replace('_', '-')}", "display": product.name},
        },
        {"url": EXT_SUM_INSURED, "valueMoney": _money(policy.sum_insured_fen)},
        {"url": EXT_PREMIUM, "valueMoney": _money(policy.premium_fen)},
    ]
    if policy.death_benefit_fen:
        extensions.append({"url": EXT_DEATH_BENEFIT, "valueMoney": _money(policy.death_benefit_fen)})
    if policy.first_effective_on:
        extensions.append({"url": EXT_FIRST_EFFECTIVE, "valueDate": policy.first_effective_on.isoformat()})
    if exclusions is not None:
        extensions += _exclusion_extensions(exclusions)
    data: dict[str, Any] = {
        "id": f"{POLICY_PREFIX}{policy.pk}",
        "extension": extensions,
        "status": STATUS_MAP.get(policy.status, "active"),
        "type": _category(product.category),
        "policyHolder": _patient(policy.policyholder),
        "subscriber": _patient(policy.policyholder),
        "beneficiary": _patient(policy.insured),
        "relationship": _relationship(policy.policyholder, policy.insured, policy.family),
        "payor": [
            {
                "display": product.insurer.name,
                "identifier": {"system": CREDIT_CODE_SYSTEM, "value": product.insurer.credit_code},
            }
        ],
        "class": [
            {
                "type": {"coding": [{"system": COVERAGE_CLASS_SYSTEM, "code": "plan", "display": "Plan"}]},
                "value": policy.plan.code,
                "name": f"{product.name} {policy.plan.name}",
            }
        ],
    }
    if policy.number:
        data["identifier"] = [{"use": "official", "system": POLICY_NUMBER_SYSTEM, "value": policy.number}]
    period = {}
    if policy.effective_at:
        period["start"] = timezone.localtime(policy.effective_at).isoformat()
    if policy.ends_at:
        period["end"] = timezone.localtime(policy.ends_at).isoformat()
    if period:
        data["period"] = period
    return Coverage.parse_obj(data)


def coverage_for_external(external: ExternalPolicy) -> Coverage:
    """A policy bought elsewhere, as the family recorded it (unverified)."""
    data: dict[str, Any] = {
        "id": f"{EXTERNAL_PREFIX}{external.pk}",
        "extension": [
            {"url": EXT_VERIFIED, "valueBoolean": external.verified},
            {"url": EXT_SUM_INSURED, "valueMoney": _money(external.sum_insured_fen)},
            {"url": EXT_PREMIUM, "valueMoney": _money(external.premium_fen)},
        ],
        "status": "entered-in-error" if external.removed_at else "active",
        "type": _category(external.category),
        "beneficiary": _patient(external.insured),
        "payor": [{"display": external.insurer_name}],
        "class": [
            {
                "type": {"coding": [{"system": COVERAGE_CLASS_SYSTEM, "code": "plan", "display": "Plan"}]},
                "value": external.product_name,
                "name": external.product_name,
            }
        ],
        "period": {
            "start": external.starts_on.isoformat(),
            **({"end": external.ends_on.isoformat()} if external.ends_on else {}),
        },
    }
    if external.policy_number:
        data["identifier"] = [{"system": EXTERNAL_NUMBER_SYSTEM, "value": external.policy_number}]
    return Coverage.parse_obj(data)


def _fhir(resource: Any) -> HttpResponse:
    return fhir_response(resource)


def _pk(text: str, prefix: str) -> int | None:
    digits = text[len(prefix) :]
    if not text.startswith(prefix) or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)


def coverage_get(*, user: Any, coverage_id: str) -> Coverage:
    """``pol-<id>`` or ``ext-<id>`` the user may see, or NotFound."""
    if (pk := _pk(coverage_id, POLICY_PREFIX)) is not None:
        policy = selectors.policy_get(user=user, policy_id=pk)
        return coverage_for_policy(policy, exclusions=selectors.policy_exclusions_read(user=user, policy=policy))
    if (pk := _pk(coverage_id, EXTERNAL_PREFIX)) is not None:
        external = selectors.external_policy_list(user=user).filter(pk=pk).first()
        if external is not None:
            return coverage_for_external(external)
    raise NotFound(_("找不到该对象"))


fhir_router = Router(tags=["fhir"])


class CoverageSearch(Schema):
    patient: str | None = Field(default=None, max_length=40, description="member id (or Patient/<id>)")
    beneficiary: str | None = Field(default=None, max_length=40, description="same as patient")


def _member_param(value: str) -> int:
    raw = value.removeprefix("Patient/")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValidationFailed(_("患者编号格式不正确"), code="patient_invalid", field="patient")
    return int(raw)


@fhir_router.get("/Coverage/{coverage_id}", response={200: dict}, summary="A policy as a FHIR Coverage")
def coverage_read(request: HttpRequest, coverage_id: str) -> HttpResponse:
    return _fhir(coverage_get(user=request.user, coverage_id=coverage_id))


@fhir_router.get("/Coverage", response={200: dict}, summary="The family's (or one member's) Coverages as a Bundle")
def coverage_search(request: HttpRequest, query: Query[CoverageSearch]) -> HttpResponse:
    policies = selectors.policy_list(user=request.user).select_related(
        "product__insurer", "plan", "policyholder", "insured", "family"
    )
    externals = selectors.external_policy_list(user=request.user).select_related("insured")
    wanted = query.patient or query.beneficiary
    if wanted is not None:
        member = family_selectors.member_get(user=request.user, member_id=_member_param(wanted))
        policies = policies.filter(insured=member)
        externals = externals.filter(insured=member)
    resources: list[Coverage] = [
        coverage_for_policy(p, exclusions=selectors.policy_exclusions_read(user=request.user, policy=p))
        for p in policies
    ]
    resources += [coverage_for_external(e) for e in externals]
    base = request.build_absolute_uri("/api/v1/fhir/")
    bundle = Bundle.parse_obj(
        {
            "type": "searchset",
            "total": len(resources),
            "entry": [
                {"fullUrl": f"{base}Coverage/{r.id}", "resource": r, "search": {"mode": "match"}} for r in resources
            ],
        }
    )
    return _fhir(bundle)
