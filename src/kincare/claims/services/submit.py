"""Submitting a claim: who may, what must hold, storing it, then adjudicating it at once.

Every check runs before anything is written; the claim, its documents and its adjudication share
one transaction: bad input changes nothing, and no claim is left stored but undecided. Errors
carry stable codes (``code`` / ``field``):

* ``member_not_found`` (404) — the member is not in a family the actor belongs to;
* ``policy_not_found`` (404) — not one of the member's own issued platform policies;
* ``policy_not_claimable`` (422) — cancelled in the cooling-off period, or lapsed;
* ``claim_not_allowed`` (403) — the actor is neither the insured, the guardian acting for a
  minor or a member without an account, nor the policyholder;
* ``claim_type_invalid`` — not a claim type of the product's category (medical: inpatient,
  special_outpatient, outpatient_surgery, pre_post_outpatient; accident: accident_medical and
  the medical types of an accident; critical illness: critical_illness);
* ``date_invalid``, ``service_dates_order``, ``service_date_future``, ``service_date_too_old``
  (before 2000);
* ``hospital_unknown`` — not in the shipped directory;
* ``diagnoses_invalid`` (not a list of 1–10), ``diagnosis_unknown`` (not in the shipped ICD-10 list);
* ``items_invalid`` (not a list of 1–100; critical illness: 0–100), ``item_invalid`` (field
  ``items.N.category`` / ``items.N.amount_fen`` / ``items.N.description``: a known category, a
  whole number of fen 1 … 10¹⁰, a description of at most 200 characters);
* ``amount_invalid`` (settlement amounts: whole fen ≥ 0), ``settlement_above_total`` (social +
  other insurance above the invoice total), ``social_insurance_inconsistent`` (an amount paid by
  social insurance on a claim not settled through it), ``value_invalid`` (a flag that is not a
  boolean);
* ``related_stay_required`` / ``related_stay_invalid`` (pre/post-hospital outpatient claims),
  ``severity_invalid``;
* ``invoice_number_invalid`` / ``invoice_numbers_invalid`` (at most 50 numbers of 1–64 letters,
  digits and -); the numbers are stored only as keyed hashes (``blind_index``);
* documents: ``too_many_documents``, ``document_too_large``, ``document_type_invalid``,
  ``document_kind_invalid`` (``services.documents``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.claims.engine import ITEM_CATEGORIES
from kincare.claims.engine.terms import DEFAULT_COVERED_CLAIM_TYPES
from kincare.claims.facts import CLAIMABLE_CATEGORIES
from kincare.claims.models import Claim
from kincare.claims.policies import may_claim
from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.claims.services.adjudication import adjudicate_new
from kincare.claims.services.common import new_claim_number
from kincare.claims.services.documents import check_documents, discard_files, documents_store
from kincare.core.audit import audit_record
from kincare.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from kincare.core.pii import blind_index
from kincare.families.models import Member
from kincare.families.policies import member_policy
from kincare.policies.models import Policy

__all__ = [
    "CLAIM_TYPES_BY_CATEGORY",
    "INVOICE_PURPOSE",
    "claim_submit",
    "invoice_hash",
]

#: claim types per product category (the engine's defaults)
CLAIM_TYPES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    category: DEFAULT_COVERED_CLAIM_TYPES[category] for category in CLAIMABLE_CATEGORIES
}
#: policies a claim can be made on (a claim may come after the policy ended, for care during it)
CLAIMABLE_STATUSES = (Policy.Status.ACTIVE, Policy.Status.EXPIRED, Policy.Status.TERMINATED)
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


def _check_actor(actor: Any, policy: Any, member: Any) -> tuple[Policy, Member]:
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(_("请先登录"))
    own_row = isinstance(member, Member) and member.user_id == actor.pk and member.removed_at is None
    if not own_row and (not isinstance(member, Member) or not member_policy.can(actor, "view", member)):
        raise NotFound(_("找不到该家庭成员"), code="member_not_found", field="member")
    if (
        not isinstance(policy, Policy)
        or policy.insured_id != member.pk
        or policy.family_id != member.family_id
        or policy.number is None
        or policy.status == Policy.Status.PENDING_PAYMENT
    ):
        raise NotFound(_("找不到该成员的这张保单"), code="policy_not_found", field="policy")
    if not may_claim(actor, member, policy):
        raise PermissionDenied(
            _("只有被保险人本人、未成年人或无账号成员的监护人、或投保人可以申请理赔"), code="claim_not_allowed"
        )
    if policy.status not in CLAIMABLE_STATUSES:
        raise _fail(_("该保单已退保或失效，不能申请理赔"), "policy_not_claimable", "policy")
    return policy, member


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


def claim_submit(
    *,
    actor: Any,
    policy: Policy,
    member: Member,
    claim_type: str,
    service_start: dt.date | str,
    service_end: dt.date | str,
    hospital_code: str,
    diagnoses: list[str],
    items: list[dict[str, Any]],
    social_insurance_used: bool,
    social_insurance_paid_fen: int = 0,
    other_insurance_paid_fen: int = 0,
    related_stay: dict[str, Any] | None = None,
    is_accident: bool = False,
    severity: str = "",
    invoice_numbers: Sequence[str] = (),
    documents: Sequence[tuple[str, Any]] = (),
    special_needs_ward: bool = False,
) -> Claim:
    """Check and store a claim, then adjudicate it at once (``claim_adjudicate``); returns the claim."""
    policy, member = _check_actor(actor, policy, member)
    category = policy.product.category
    allowed = CLAIM_TYPES_BY_CATEGORY.get(category, ())
    if not isinstance(claim_type, str) or claim_type not in allowed:
        raise _fail(_("该保单不支持这种理赔类型"), "claim_type_invalid", "claim_type")
    start, end = _check_dates(service_start, service_end)
    hospital = hospital_get(hospital_code) if isinstance(hospital_code, str) and len(hospital_code) <= 40 else None
    if hospital is None:
        raise _fail(_("请从医院列表中选择医院"), "hospital_unknown", "hospital_code")
    codes = _check_diagnoses(diagnoses)
    critical = category == "critical_illness"
    clean_items = _check_items(items, required=not critical)
    total = sum(item["amount_fen"] for item in clean_items)
    used = _bool(social_insurance_used, "social_insurance_used")
    social = _amount(social_insurance_paid_fen, "social_insurance_paid_fen")
    other = _amount(other_insurance_paid_fen, "other_insurance_paid_fen")
    if social and not used:
        raise _fail(
            _("未经社保结算时，社保支付金额应为 0"), "social_insurance_inconsistent", "social_insurance_paid_fen"
        )
    if social + other > total:
        field = "other_insurance_paid_fen" if other else "social_insurance_paid_fen"
        raise _fail(_("社保和其他保险已支付的金额不能超过发票总额"), "settlement_above_total", field)
    stay = _check_related_stay(related_stay, claim_type)
    accident = _bool(is_accident, "is_accident") or claim_type == "accident_medical"
    ward = _bool(special_needs_ward, "special_needs_ward")
    if severity is None:
        severity = ""
    if not isinstance(severity, str) or (severity and severity not in SEVERITIES):
        raise _fail(_("请选择重疾等级"), "severity_invalid", "severity")
    hashes = _check_invoices(invoice_numbers)
    checked = check_documents(documents)

    written: list[str] = []
    try:
        with transaction.atomic():
            claim = Claim(
                number=new_claim_number(timezone.localdate()),
                family_id=member.family_id,
                member=member,
                policy=policy,
                claim_type=claim_type,
                is_accident=accident,
                service_start=start,
                service_end=end,
                hospital_code=hospital.code,
                hospital=hospital.snapshot(),
                special_needs_ward=ward,
                total_fen=total,
                social_insurance_used=used,
                social_insurance_paid_fen=social,
                other_insurance_paid_fen=other,
                related_stay=stay,
                severity=severity if critical else "",
                invoice_hashes=hashes,
                submitted_by=actor,
            )
            claim.diagnoses = codes
            claim.items = clean_items
            claim.save(force_insert=True)
            documents_store(claim, checked, actor=actor, written=written)
            audit_record(
                actor=actor,
                action="claims.claim_submitted",
                subject=claim,
                new={"number": claim.number, "policy": policy.number, "documents": len(checked)},
            )
            claim.policy, claim.member = policy, member
            # in the same transaction: a claim is never left stored but undecided (the new row is
            # this transaction's alone: no need to lock it again)
            return adjudicate_new(claim, document_hashes=[d.sha256 for d in checked])
    except BaseException:
        discard_files(written)
        raise
