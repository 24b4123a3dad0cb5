"""Reading a FHIR R4B ``Claim`` into ``services.claim_submit`` (the mapping: ``kincare.claims.fhir``)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.claim import Claim as FhirClaim
from pydantic.v1 import ValidationError as FhirValidationError

from kincare.claims import services
from kincare.claims.fhir.codes import (
    CLAIM_TYPE_SYSTEM,
    COVERAGE_REFERENCE,
    DOCUMENT_KIND_SYSTEM,
    HL7_INFO_CATEGORY_SYSTEM,
    HOSPITAL_SYSTEM,
    ITEM_CATEGORY_SYSTEM,
    PATIENT_REFERENCE,
    RESOURCE_ID,
    SUPPORTING_INFO_SYSTEM,
)
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim, ClaimDocument, ClaimType
from kincare.claims.schemas import SEVERITIES
from kincare.claims.services import MAX_DOCUMENT_BYTES
from kincare.core.errors import DomainError, ValidationFailed
from kincare.core.money import MAX_FEN
from kincare.families import selectors as family_selectors
from kincare.policies import selectors as policy_selectors
from kincare.policies.fhir import ICD10_SYSTEM, POLICY_PREFIX

#: the largest amount in yuan (``MAX_FEN`` fen); checked before any decimal arithmetic on the amount
MAX_YUAN = Decimal(MAX_FEN) / 100
#: a Claim is about a dozen containers deep (item → detail → subDetail → coding → extension …);
#: deeper JSON is refused before the R4B model recurses into it
MAX_JSON_DEPTH = 64


def _invalid(message: str, code: str, field: str | None) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def _path(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "__root__":
            out += f".{part}" if out else str(part)
    return out or "Claim"


def _fen(value: object, field: str) -> int:
    """A FHIR decimal yuan amount (``Decimal`` from the body, never a string or boolean) in fen."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _invalid(_("金额必须是数字（单位：元）"), "amount_type", field)
    amount = Decimal(value)
    if not amount.is_finite():
        raise _invalid(_("金额必须是数字（单位：元）"), "amount_type", field)
    if amount < 0:
        raise _invalid(_("金额不能为负数"), "amount_negative", field)
    # before quantize: 1e300 has more digits than the decimal context holds (InvalidOperation)
    if amount > MAX_YUAN:
        raise _invalid(_("金额过大"), "amount_too_large", field)
    try:
        exact = amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise _invalid(_("金额最多保留两位小数（精确到分）"), "amount_too_precise", field)
    return int(amount * 100)


def _cny(money: Any, field: str) -> int:
    if money is None or money.value is None:
        raise _invalid(_("请填写金额"), "amount_missing", field)
    if money.currency not in (None, "CNY"):
        raise _invalid(_("金额币种必须是人民币（CNY）"), "currency_unsupported", f"{field}.currency")
    return _fen(money.value, f"{field}.value")


def _quantity_cny(quantity: Any, field: str) -> int:
    if quantity is None or quantity.value is None:
        raise _invalid(_("请填写金额"), "amount_missing", field)
    unit = quantity.code or quantity.unit
    if unit not in (None, "CNY", "元"):
        raise _invalid(_("金额币种必须是人民币（CNY）"), "currency_unsupported", f"{field}.code")
    return _fen(quantity.value, f"{field}.value")


def _code(concept: Any, system: str) -> str | None:
    for coding in getattr(concept, "coding", None) or []:
        if coding.system == system and coding.code:
            return str(coding.code)
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, dt.date) else None


def _raw_amounts_checked(data: dict[str, Any]) -> None:
    """Refuse strings and booleans where FHIR wants a decimal (the R4B model would coerce them)."""

    def check(node: Any, field: str) -> None:
        if isinstance(node, dict) and "value" in node:
            value = node["value"]
            if isinstance(value, bool) or not isinstance(value, Decimal | int):
                raise _invalid(_("金额必须是数字（单位：元）"), "amount_type", f"{field}.value")

    for i, item in enumerate(data.get("item") or [] if isinstance(data.get("item"), list) else []):
        if isinstance(item, dict):
            check(item.get("net"), f"item[{i}].net")
    infos = data.get("supportingInfo")
    for i, info in enumerate(infos if isinstance(infos, list) else []):
        if isinstance(info, dict):
            check(info.get("valueQuantity"), f"supportingInfo[{i}].valueQuantity")
    if isinstance(data.get("total"), dict):
        check(data["total"], "total")


def _too_deep(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does the parsed JSON nest objects and arrays more than ``limit`` levels (no recursion)?"""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _nested_too_deeply() -> ValidationFailed:
    return _invalid(_("请求内容嵌套层数过多（最多 %(max)d 层）") % {"max": MAX_JSON_DEPTH}, "fhir_json_too_deep", None)


def parse_claim(body: bytes) -> FhirClaim:
    """The request body as a validated R4B ``Claim`` (422 otherwise)."""

    def no_constants(name: str) -> Any:
        raise ValueError(name)

    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=no_constants)
    except RecursionError:
        raise _nested_too_deeply() from None
    except (ValueError, UnicodeDecodeError):
        raise _invalid(_("请求内容不是有效的 JSON"), "fhir_json_invalid", None) from None
    if _too_deep(data):
        raise _nested_too_deeply()
    if not isinstance(data, dict) or data.get("resourceType") != "Claim":
        raise _invalid(_("请提交 FHIR Claim 资源"), "fhir_resource_type", "resourceType")
    _raw_amounts_checked(data)
    try:
        return FhirClaim.parse_obj(data)
    except RecursionError:  # the depth check should make this unreachable; never a 500
        raise _nested_too_deeply() from None
    except FhirValidationError as exc:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {}
        message = _("FHIR Claim 不符合 R4B 规范：%(detail)s") % {"detail": first.get("msg", "")}
        raise _invalid(message, "fhir_invalid", _path(first.get("loc", ()))) from None
    except (TypeError, ValueError) as exc:
        raise _invalid(_("FHIR Claim 不符合 R4B 规范：%(detail)s") % {"detail": exc}, "fhir_invalid", None) from None


def _claim_type(resource: Any) -> str:
    code = _code(resource.subType, CLAIM_TYPE_SYSTEM) or _code(resource.type, CLAIM_TYPE_SYSTEM)
    if code is None:
        raise _invalid(_("请在 subType 中注明理赔类型"), "claim_type_missing", "subType")
    if code not in ClaimType.values:
        raise _invalid(_("请选择理赔类型"), "claim_type_invalid", "subType")
    return code


def _coverage_policy_id(resource: Any) -> int:
    entries = list(resource.insurance or [])
    focal = [e for e in entries if e.focal] or entries
    if len(focal) != 1:
        raise _invalid(_("请只指定一份用于理赔的保单（focal）"), "coverage_ambiguous", "insurance")
    reference = focal[0].coverage.reference or ""
    match = COVERAGE_REFERENCE.match(reference)
    index = entries.index(focal[0])
    if match is None:
        raise _invalid(_("保单引用应为 Coverage/pol-<编号>"), "coverage_invalid", f"insurance[{index}].coverage")
    coverage_id = match.group(1)
    digits = coverage_id.removeprefix(POLICY_PREFIX)
    if not coverage_id.startswith(POLICY_PREFIX) or not RESOURCE_ID.match(digits):
        raise _invalid(_("只能对本平台承保的保单申请理赔"), "coverage_not_claimable", f"insurance[{index}].coverage")
    return int(digits)


def _hospital_code(resource: Any) -> str:
    for element, name in ((resource.facility, "facility"), (resource.provider, "provider")):
        identifier = getattr(element, "identifier", None)
        if identifier is not None and identifier.system == HOSPITAL_SYSTEM and identifier.value:
            code = str(identifier.value).strip()
            if len(code) > 40:
                raise _invalid(_("医院编码过长"), "hospital_unknown", f"{name}.identifier.value")
            return code
    raise _invalid(_("请在 facility.identifier 中注明医院编码"), "hospital_missing", "facility")


def _diagnoses(resource: Any) -> list[str]:
    codes = []
    for i, entry in sorted(enumerate(resource.diagnosis or []), key=lambda pair: pair[1].sequence or 0):
        code = _code(entry.diagnosisCodeableConcept, ICD10_SYSTEM)
        if code is None:
            raise _invalid(_("诊断请使用 ICD-10 编码"), "diagnosis_not_icd10", f"diagnosis[{i}]")
        codes.append(code.strip().upper())
    if not codes:
        raise _invalid(_("请至少填写一个诊断"), "diagnosis_missing", "diagnosis")
    if len(codes) > 10:
        raise _invalid(_("诊断最多 10 个"), "diagnoses_invalid", "diagnosis")
    return codes


def _items(resource: Any) -> list[dict[str, Any]]:
    items = []
    for i, entry in sorted(enumerate(resource.item or []), key=lambda pair: pair[1].sequence or 0):
        category = _code(entry.productOrService, ITEM_CATEGORY_SYSTEM)
        if category is None:
            raise _invalid(
                _("费用类别请使用 %(system)s") % {"system": ITEM_CATEGORY_SYSTEM},
                "item_category_missing",
                f"item[{i}].productOrService",
            )
        amount = _cny(entry.net, f"item[{i}].net")
        if amount == 0:
            raise _invalid(_("金额必须大于 0"), "amount_zero", f"item[{i}].net.value")
        item: dict[str, Any] = {"category": category, "amount_fen": amount}
        if entry.productOrService.text:
            item["description"] = str(entry.productOrService.text)[:200]
        items.append(item)
    if len(items) > 100:
        raise _invalid(_("费用明细最多 100 条"), "items_invalid", "item")
    if resource.total is not None and _cny(resource.total, "total") != sum(i["amount_fen"] for i in items):
        raise _invalid(_("总金额与明细合计不一致"), "total_mismatch", "total")
    return items


def _attachment(info: Any, field: str) -> tuple[str, ContentFile[bytes]]:
    """A document given inline (``valueAttachment.data``, base64) as ``(kind, file)`` for the services'
    upload checks (its type is sniffed from its bytes: ``contentType`` is not trusted)."""
    kind = _code(info.code, DOCUMENT_KIND_SYSTEM) or ClaimDocument.Kind.OTHER
    if kind not in ClaimDocument.Kind.values:
        raise _invalid(_("请选择材料类型"), "document_kind_invalid", f"{field}.code")
    attachment = info.valueAttachment
    data = getattr(attachment, "data", None)
    if not data:
        message = _("请在 valueAttachment.data 中以 base64 提供材料内容（不接受 url）")
        raise _invalid(message, "document_data_missing", f"{field}.valueAttachment.data")
    raw = data if isinstance(data, bytes) else str(data).encode("ascii", "replace")
    if len(raw) > (MAX_DOCUMENT_BYTES + 2) // 3 * 4:
        raise _invalid(_("每个文件不能超过 10 MB"), "document_too_large", f"{field}.valueAttachment.data")
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(
            _("材料内容不是有效的 base64"), "document_data_invalid", f"{field}.valueAttachment.data"
        ) from None
    title = str(getattr(attachment, "title", None) or "").strip()[:200]
    return str(kind), ContentFile(content, name=title or f"{kind}")


def _supporting(resource: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"invoice_numbers": [], "documents": [], "document_fields": []}
    for i, info in enumerate(resource.supportingInfo or []):
        field = f"supportingInfo[{i}]"
        code = _code(info.category, SUPPORTING_INFO_SYSTEM)
        hl7 = _code(info.category, HL7_INFO_CATEGORY_SYSTEM) if code is None else None
        if hl7 == "hospitalized":
            code = "related-stay"
        elif hl7 == "attachment":
            code = "document"
        if code == "social-insurance":
            if info.valueBoolean is None:
                raise _invalid(_("请用 valueBoolean 说明是否经社保结算"), "supporting_info_invalid", field)
            found["social_insurance_used"] = bool(info.valueBoolean)
        elif code in ("social-insurance-paid", "other-insurance-paid"):
            key = code.replace("-", "_").replace("_paid", "_paid_fen")
            found[key] = _quantity_cny(info.valueQuantity, f"{field}.valueQuantity")
        elif code == "related-stay":
            period = info.timingPeriod
            admission, discharge = _date(getattr(period, "start", None)), _date(getattr(period, "end", None))
            if admission is None or discharge is None:
                raise _invalid(_("请填写关联住院的入院和出院日期"), "related_stay_invalid", f"{field}.timingPeriod")
            found["related_stay"] = {"admission": admission.isoformat(), "discharge": discharge.isoformat()}
        elif code == "severity":
            if info.valueString not in SEVERITIES:
                raise _invalid(_("重疾等级应为重度、中度或轻度"), "severity_invalid", f"{field}.valueString")
            found["severity"] = str(info.valueString)
        elif code == "document":
            found["documents"].append(_attachment(info, field))
            found["document_fields"].append(f"{field}.valueAttachment")
        elif code == "invoice-number":
            number = str(info.valueString or "").strip()
            if not number or len(number) > 64:
                raise _invalid(_("发票号码格式不正确"), "invoice_number_invalid", f"{field}.valueString")
            found["invoice_numbers"].append(number)
    if len(found["invoice_numbers"]) > 50:
        raise _invalid(_("发票号码最多 50 个"), "invoice_numbers_too_many", "supportingInfo")
    return found


def claim_submit_from_fhir(*, user: Any, resource: Any) -> Claim:
    """Map a validated ``Claim`` (``parse_claim``) onto ``services.claim_submit`` (members and policies the user
    may see). The R4B models are read as ``Any``: their element classes are not typed for mypy."""
    if resource.status != "active":
        raise _invalid(_("只接受状态为 active 的理赔申请"), "fhir_status_unsupported", "status")
    if resource.use != "claim":
        raise _invalid(_("只接受理赔申请（use = claim）"), "fhir_use_unsupported", "use")
    match = PATIENT_REFERENCE.match(resource.patient.reference or "")
    if match is None:
        raise _invalid(_("患者引用应为 Patient/<编号>"), "patient_invalid", "patient")
    claim_type = _claim_type(resource)
    policy_id = _coverage_policy_id(resource)
    diagnoses = _diagnoses(resource)
    items = _items(resource)
    hospital_code = _hospital_code(resource)
    period = resource.billablePeriod
    start, end = _date(getattr(period, "start", None)), _date(getattr(period, "end", None))
    if start is None:
        raise _invalid(_("请填写就诊日期（billablePeriod.start）"), "service_start_missing", "billablePeriod.start")
    supporting = _supporting(resource)
    social_paid = supporting.get("social_insurance_paid_fen", 0)
    member = family_selectors.member_get(user=user, member_id=int(match.group(1)))
    policy = policy_selectors.policy_get(user=user, policy_id=policy_id)
    try:
        draft = claim_draft(
            claim_type=claim_type,
            service_start=start,
            service_end=end or start,
            hospital_code=hospital_code,
            diagnoses=diagnoses,
            items=items,
            social_insurance_used=supporting.get("social_insurance_used", social_paid > 0),
            social_insurance_paid_fen=social_paid,
            other_insurance_paid_fen=supporting.get("other_insurance_paid_fen", 0),
            related_stay=supporting.get("related_stay"),
            is_accident=resource.accident is not None,
            severity=supporting.get("severity", ""),
            invoice_numbers=supporting["invoice_numbers"],
        )
        return services.claim_submit(
            actor=user, policy=policy, member=member, draft=draft, documents=supporting["documents"]
        )
    except DomainError as exc:
        # the services name the n-th document "documents.n": here it is a supportingInfo entry
        index = (exc.field or "").removeprefix("documents.").split(".")[0]
        if exc.field == "documents":
            exc.field = "supportingInfo"
        elif exc.field and exc.field.startswith("documents.") and index.isdigit():
            exc.field = supporting["document_fields"][int(index)]
        raise
