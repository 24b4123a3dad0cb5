"""A claim as the edge parses it (the API, the claim page, FHIR inbound and the tests build a
``ClaimDraft`` with ``claim_draft``); ``claim_submit`` takes the draft and checks only what needs
the policy and the member (who may claim, the claim type of the product's category).

The checks and their codes are those listed in ``claims.services.submit``; each is a
``ValidationFailed`` naming its field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.claims.engine import ITEM_CATEGORIES
from kincare.claims.reference import Hospital, diagnosis_get, hospital_get
from kincare.core.errors import ValidationFailed
from kincare.core.pii import blind_index

EARLIEST = dt.date(2000, 1, 1)
MAX_DIAGNOSES = 10
MAX_ITEMS = 100
MAX_ITEM_FEN = 10**10
MAX_DESCRIPTION = 200
MAX_INVOICES = 50
INVOICE_PURPOSE = "claim_invoice"
SEVERITIES = ("severe", "moderate", "mild")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INVOICE = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def invoice_hash(number: str) -> str:
    """The keyed hash an invoice number is stored and compared as."""
    return blind_index(number.replace(" ", ""), purpose=INVOICE_PURPOSE)


def _fail(message: str, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(_("请填写正确的日期（年-月-日）"), "date_invalid", field)


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(_("请选择是或否"), "value_invalid", field)
    return value


def _amount(value: Any, field: str) -> int:
    if not _is_int(value) or value < 0 or value > MAX_ITEM_FEN:
        raise _fail(_("金额必须是不小于 0 的整数（分）"), "amount_invalid", field)
    return int(value)


def _check_dates(service_start: Any, service_end: Any) -> tuple[dt.date, dt.date]:
    start = _date(service_start, "service_start")
    end = _date(service_end, "service_end")
    today = timezone.localdate()
    if start < EARLIEST:
        raise _fail(_("就诊日期不能早于 2000 年"), "service_date_too_old", "service_start")
    if end < start:
        raise _fail(_("结束日期不能早于开始日期"), "service_dates_order", "service_end")
    if end > today:
        raise _fail(_("就诊日期不能晚于今天"), "service_date_future", "service_end")
    return start, end


def _check_diagnoses(diagnoses: Any) -> list[str]:
    if (
        isinstance(diagnoses, str)
        or not isinstance(diagnoses, list | tuple)
        or not 1 <= len(diagnoses) <= MAX_DIAGNOSES
    ):
        raise _fail(_("请填写 1 至 10 个诊断"), "diagnoses_invalid", "diagnoses")
    codes: list[str] = []
    for index, raw in enumerate(diagnoses):
        found = diagnosis_get(raw) if isinstance(raw, str) and len(raw) <= 16 else None
        if found is None:
            raise _fail(_("请从诊断列表中选择诊断"), "diagnosis_unknown", f"diagnoses.{index}")
        if found.code not in codes:
            codes.append(found.code)
    return codes


def _check_items(items: Any, *, required: bool) -> list[dict[str, Any]]:
    minimum = 1 if required else 0
    if isinstance(items, str | bytes | dict) or not isinstance(items, list | tuple):
        raise _fail(_("请填写费用明细"), "items_invalid", "items")
    if not minimum <= len(items) <= MAX_ITEMS:
        raise _fail(_("费用明细需 1 至 100 项"), "items_invalid", "items")
    clean: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        field = f"items.{index}"
        if not isinstance(item, dict) or not set(item) <= {"category", "amount_fen", "description"}:
            raise _fail(_("费用明细格式不正确"), "item_invalid", field)
        category = item.get("category")
        if not isinstance(category, str) or category not in ITEM_CATEGORIES:
            raise _fail(_("请选择费用类别"), "item_invalid", f"{field}.category")
        amount = item.get("amount_fen")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_ITEM_FEN:
            raise _fail(_("金额必须是大于 0 的整数（分），且不超过 1 亿元"), "item_invalid", f"{field}.amount_fen")
        description = item.get("description", "")
        if description is None:
            description = ""
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
            raise _fail(_("费用说明不能超过 200 个字"), "item_invalid", f"{field}.description")
        row: dict[str, Any] = {"category": category, "amount_fen": int(amount)}
        if description.strip():
            row["description"] = description.strip()
        clean.append(row)
    return clean


def _check_related_stay(related_stay: Any, claim_type: str) -> dict[str, str] | None:
    if claim_type != "pre_post_outpatient":
        return None
    if related_stay is None:
        raise _fail(_("住院前后门急诊需填写对应的住院日期"), "related_stay_required", "related_stay")
    if not isinstance(related_stay, dict) or set(related_stay) != {"admission", "discharge"}:
        raise _fail(_("请填写对应住院的入院和出院日期"), "related_stay_invalid", "related_stay")
    admission = _date(related_stay["admission"], "related_stay.admission")
    discharge = _date(related_stay["discharge"], "related_stay.discharge")
    if discharge < admission or admission < EARLIEST or discharge > timezone.localdate():
        raise _fail(_("对应住院的日期不正确"), "related_stay_invalid", "related_stay.discharge")
    return {"admission": admission.isoformat(), "discharge": discharge.isoformat()}


def _check_invoices(invoice_numbers: Any) -> list[str]:
    if invoice_numbers is None:
        return []
    if isinstance(invoice_numbers, str | bytes | dict) or not isinstance(invoice_numbers, list | tuple):
        raise _fail(_("发票号码格式不正确"), "invoice_numbers_invalid", "invoice_numbers")
    if len(invoice_numbers) > MAX_INVOICES:
        raise _fail(_("发票号码最多 50 个"), "invoice_numbers_invalid", "invoice_numbers")
    hashes: list[str] = []
    for index, number in enumerate(invoice_numbers):
        value = number.strip() if isinstance(number, str) else None
        if not value or not _INVOICE.match(value):
            raise _fail(
                _("发票号码只能包含半角字母、数字和 -，最多 64 位"),
                "invoice_number_invalid",
                f"invoice_numbers.{index}",
            )
        digest = invoice_hash(value)
        if digest not in hashes:
            hashes.append(digest)
    return hashes


@dataclass(frozen=True)
class ClaimDraft:
    """A claim's facts as parsed at the edge: dates, the hospital, known diagnoses, clean items,
    settlement amounts consistent with the invoice total, invoice numbers as keyed hashes."""

    claim_type: str
    service_start: dt.date
    service_end: dt.date
    hospital: Hospital
    diagnoses: list[str]
    items: list[dict[str, Any]]
    social_insurance_used: bool
    social_insurance_paid_fen: int = 0
    other_insurance_paid_fen: int = 0
    related_stay: dict[str, str] | None = None
    is_accident: bool = False
    special_needs_ward: bool = False
    severity: str = ""
    invoice_hashes: list[str] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(item["amount_fen"] for item in self.items)


def claim_draft(
    *,
    claim_type: object,
    service_start: object,
    service_end: object,
    hospital_code: object,
    diagnoses: object,
    items: object,
    social_insurance_used: object,
    social_insurance_paid_fen: object = 0,
    other_insurance_paid_fen: object = 0,
    related_stay: object = None,
    is_accident: object = False,
    severity: object = "",
    invoice_numbers: object = (),
    special_needs_ward: object = False,
) -> ClaimDraft:
    """Parse a claim as sent (JSON values, or the page's cleaned data); ValidationFailed names the field.

    A critical-illness claim (``claim_type`` ``critical_illness``) may have no invoice items.
    """
    if not isinstance(claim_type, str):
        raise _fail(_("该保单不支持这种理赔类型"), "claim_type_invalid", "claim_type")
    start, end = _check_dates(service_start, service_end)
    hospital = hospital_get(hospital_code) if isinstance(hospital_code, str) and len(hospital_code) <= 40 else None
    if hospital is None:
        raise _fail(_("请从医院列表中选择医院"), "hospital_unknown", "hospital_code")
    codes = _check_diagnoses(diagnoses)
    clean_items = _check_items(items, required=claim_type != "critical_illness")
    total = sum(item["amount_fen"] for item in clean_items)
    used = _bool(social_insurance_used, "social_insurance_used")
    social = _amount(social_insurance_paid_fen, "social_insurance_paid_fen")
    other = _amount(other_insurance_paid_fen, "other_insurance_paid_fen")
    if social and not used:
        raise _fail(
            _("未经社保结算时，社保支付金额应为 0"), "social_insurance_inconsistent", "social_insurance_paid_fen"
        )
    if social + other > total:
        field_name = "other_insurance_paid_fen" if other else "social_insurance_paid_fen"
        raise _fail(_("社保和其他保险已支付的金额不能超过发票总额"), "settlement_above_total", field_name)
    stay = _check_related_stay(related_stay, claim_type)
    accident = _bool(is_accident, "is_accident") or claim_type == "accident_medical"
    ward = _bool(special_needs_ward, "special_needs_ward")
    if severity is None:
        severity = ""
    if not isinstance(severity, str) or (severity and severity not in SEVERITIES):
        raise _fail(_("请选择重疾等级"), "severity_invalid", "severity")
    hashes = _check_invoices(invoice_numbers)
    return ClaimDraft(
        claim_type=claim_type,
        service_start=start,
        service_end=end,
        hospital=hospital,
        diagnoses=codes,
        items=clean_items,
        social_insurance_used=used,
        social_insurance_paid_fen=social,
        other_insurance_paid_fen=other,
        related_stay=stay,
        is_accident=accident,
        special_needs_ward=ward,
        severity=severity,
        invoice_hashes=hashes,
    )
