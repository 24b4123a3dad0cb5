"""Writing a claim as FHIR R4B ``ClaimResponse`` and ``ExplanationOfBenefit`` (the mapping: ``kincare.claims.fhir``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.explanationofbenefit import ExplanationOfBenefit

from kincare.catalog.fhir import CREDIT_CODE_SYSTEM
from kincare.claims.fhir.codes import (
    ADJUDICATION_SYSTEM,
    CLAIM_NUMBER_SYSTEM,
    CLAIM_TYPE_SYSTEM,
    CURRENCY_SYSTEM,
    DECIDED,
    HL7_ADJUDICATION_SYSTEM,
    HL7_CLAIM_TYPE_SYSTEM,
    HL7_CLAIM_TYPES,
    HL7_NOTE_TYPE,
    HL7_PAYMENT_TYPE_SYSTEM,
    HOSPITAL_SYSTEM,
    ITEM_CATEGORY_SYSTEM,
    REASON_SYSTEM,
    SUPPORTING_INFO_SYSTEM,
)
from kincare.claims.models import Claim
from kincare.claims.presentation import (
    NOT_COVERED_CATEGORIES,
    Explanation,
    explain,
    explained_line,
    item_category_label,
    member_lines,
    reason_sentence,
)
from kincare.claims.schemas import diagnosis_names
from kincare.core.money import format_yuan, format_yuan_cn
from kincare.policies.fhir import ICD10_SYSTEM, POLICY_PREFIX


def _money(fen: int) -> dict[str, Any]:
    return {"value": (Decimal(int(fen)) / 100).quantize(Decimal("0.01")), "currency": "CNY"}


def _quantity(fen: int) -> dict[str, Any]:
    return {
        "value": (Decimal(int(fen)) / 100).quantize(Decimal("0.01")),
        "unit": "CNY",
        "system": CURRENCY_SYSTEM,
        "code": "CNY",
    }


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    concept: dict[str, Any] = {"coding": [coding]}
    if display:
        concept["text"] = display
    return concept


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _benefit_fen(claim: Claim) -> int:
    if claim.status in (Claim.Status.PAID, Claim.Status.APPROVED):
        return claim.payout_fen
    if claim.status in (Claim.Status.REJECTED, Claim.Status.WITHDRAWN):
        return 0
    return claim.proposed_payout_fen


def _outcome(claim: Claim) -> str:
    if claim.status in DECIDED:
        return "complete"
    return "partial" if claim.engine_result else "error"


def _disposition(claim: Claim, explanation: Explanation) -> str:
    if claim.status in (Claim.Status.PAID, Claim.Status.APPROVED):
        return _("%(headline)s：赔付 %(amount)s") % {
            "headline": explanation.headline,
            "amount": format_yuan_cn(claim.payout_fen),
        }
    if claim.status in (Claim.Status.MANUAL_REVIEW, Claim.Status.AWAITING_SECOND_APPROVAL):
        return _("%(headline)s：理算金额 %(amount)s，以审核结果为准") % {
            "headline": explanation.headline,
            "amount": format_yuan_cn(claim.proposed_payout_fen),
        }
    if explanation.reasons:
        return _("%(headline)s：%(reasons)s") % {
            "headline": explanation.headline,
            "reasons": "；".join(explanation.reasons),
        }
    return explanation.headline


#: engine lines shown elsewhere: per invoice line (items), as ``eligible``/``benefit``, or as notes
_NOT_IN_HEADER = frozenset({"item_covered", "item_not_covered", "covered", "payout", "rejected"})


def _line_adjudication(line: dict[str, Any]) -> list[dict[str, Any]]:
    """One engine explanation line as adjudication entries (HL7 categories where one fits)."""
    code = str(line.get("code", ""))
    explained = explained_line(line)
    if explained is None or code in _NOT_IN_HEADER:
        return []
    text = explained.text + ("（" + "；".join(explained.notes) + "）" if explained.notes else "")
    amount = _int(line.get("amount_fen"))
    if code == "deductible":
        return [{"category": _concept(HL7_ADJUDICATION_SYSTEM, "deductible", text), "amount": _money(amount or 0)}]
    if code == "ratio":
        entries: list[dict[str, Any]] = []
        try:
            ratio = Decimal(str(line.get("ratio")))
            entries.append({"category": _concept(HL7_ADJUDICATION_SYSTEM, "eligpercent", text), "value": ratio * 100})
        except (InvalidOperation, ValueError):
            pass
        payable = _int(line.get("payable_fen"))
        if payable is not None and amount is not None:
            copay = max(0, payable - amount)
            entries.append(
                {
                    "category": _concept(
                        HL7_ADJUDICATION_SYSTEM, "copay", _("按比例自付 %(amount)s") % {"amount": format_yuan(copay)}
                    ),
                    "amount": _money(copay),
                }
            )
        return entries
    if code == "limit":
        left = _int(line.get("limit_left_fen"))
        entry: dict[str, Any] = {"category": _concept(ADJUDICATION_SYSTEM, "limit-left", text)}
        if left is not None:
            entry["amount"] = _money(left)
        return [entry]
    kincare_code = {"benefit": "benefit-type"}.get(code, code.replace("_", "-") or "line")
    entry = {"category": _concept(ADJUDICATION_SYSTEM, kincare_code, text)}
    if amount is not None:
        entry["amount"] = _money(amount)
    return [entry]


def _reason_details(claim: Claim) -> dict[str, dict[str, Any]]:
    return {
        str(line.get("reason")): line for line in member_lines(claim.engine_result) if line.get("code") == "rejected"
    }


def _adjudication(claim: Claim) -> list[dict[str, Any]]:
    result: dict[str, Any] = claim.engine_result or {}
    entries: list[dict[str, Any]] = [
        {"category": _concept(HL7_ADJUDICATION_SYSTEM, "submitted", _("发票总额")), "amount": _money(claim.total_fen)}
    ]
    covered = _int(result.get("covered_fen"))
    if covered is not None:
        entries.append(
            {
                "category": _concept(HL7_ADJUDICATION_SYSTEM, "eligible", _("纳入保障的医疗费用")),
                "amount": _money(covered),
            }
        )
    for line in member_lines(result):
        entries += _line_adjudication(line)
    benefit: dict[str, Any] = {
        "category": _concept(HL7_ADJUDICATION_SYSTEM, "benefit", _("赔付金额")),
        "amount": _money(_benefit_fen(claim)),
    }
    reasons = [str(r) for r in claim.reasons or []]
    if reasons:
        details = _reason_details(claim)
        texts = [reason_sentence(r, details.get(r)) for r in reasons]
        benefit["reason"] = {
            "coding": [
                {"system": REASON_SYSTEM, "code": r, "display": text} for r, text in zip(reasons, texts, strict=True)
            ],
            "text": "；".join(texts),
        }
    entries.append(benefit)
    return entries


def _item_adjudication(item: dict[str, Any]) -> list[dict[str, Any]]:
    amount = int(item.get("amount_fen", 0))
    category = str(item.get("category", ""))
    entries = [{"category": _concept(HL7_ADJUDICATION_SYSTEM, "submitted", _("发票金额")), "amount": _money(amount)}]
    if category in NOT_COVERED_CATEGORIES:
        entries.append(
            {
                "category": _concept(ADJUDICATION_SYSTEM, "not-covered", _("不予赔付")),
                "amount": _money(amount),
                "reason": _concept(REASON_SYSTEM, "item_not_covered", item_category_label(category)),
            }
        )
    else:
        entries.append(
            {"category": _concept(HL7_ADJUDICATION_SYSTEM, "eligible", _("纳入保障")), "amount": _money(amount)}
        )
    return entries


def _process_notes(explanation: Explanation) -> list[dict[str, Any]]:
    return [{"number": n, "type": HL7_NOTE_TYPE, "text": text} for n, text in enumerate(explanation.reasons, start=1)]


def _common(claim: Claim) -> dict[str, Any]:
    explanation = explain(claim)
    product = claim.policy.product
    label = str(claim.get_claim_type_display())
    data: dict[str, Any] = {
        "id": str(claim.pk),
        "identifier": [{"system": CLAIM_NUMBER_SYSTEM, "value": claim.number}],
        "status": "cancelled" if claim.status == Claim.Status.WITHDRAWN else "active",
        "type": _concept(HL7_CLAIM_TYPE_SYSTEM, HL7_CLAIM_TYPES.get(claim.claim_type, "institutional")),
        "subType": _concept(CLAIM_TYPE_SYSTEM, claim.claim_type, label),
        "use": "claim",
        "patient": {"reference": f"Patient/{claim.member_id}", "display": claim.member.name},
        "created": timezone.localtime(claim.adjudicated_at or claim.created_at).isoformat(),
        "insurer": {
            "display": product.insurer.name,
            "identifier": {"system": CREDIT_CODE_SYSTEM, "value": product.insurer.credit_code},
        },
        "outcome": _outcome(claim),
        "disposition": _disposition(claim, explanation),
        "adjudication": _adjudication(claim),
        "total": [
            {"category": _concept(HL7_ADJUDICATION_SYSTEM, "submitted"), "amount": _money(claim.total_fen)},
            {"category": _concept(HL7_ADJUDICATION_SYSTEM, "benefit"), "amount": _money(_benefit_fen(claim))},
        ],
    }
    if claim.status == Claim.Status.PAID:
        data["payment"] = {
            "type": _concept(HL7_PAYMENT_TYPE_SYSTEM, "complete"),
            "amount": _money(claim.payout_fen),
            **({"date": timezone.localtime(claim.paid_at).date().isoformat()} if claim.paid_at else {}),
        }
    notes = _process_notes(explanation)
    if notes:
        data["processNote"] = notes
    return data


def claim_response_resource(claim: Claim) -> ClaimResponse:
    """The claim's adjudication as a validated ``ClaimResponse``."""
    data = _common(claim)
    data["request"] = {"identifier": {"system": CLAIM_NUMBER_SYSTEM, "value": claim.number}}
    data["insurance"] = [
        {"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/{POLICY_PREFIX}{claim.policy_id}"}}
    ]
    data["item"] = [
        {"itemSequence": n, "adjudication": _item_adjudication(item)} for n, item in enumerate(claim.items or [], 1)
    ]
    if not data["item"]:
        del data["item"]
    return ClaimResponse.parse_obj(data)


def _hospital_reference(claim: Claim) -> dict[str, Any]:
    name = str((claim.hospital or {}).get("name") or claim.hospital_code)
    return {"identifier": {"system": HOSPITAL_SYSTEM, "value": claim.hospital_code}, "display": name}


def _supporting_info(claim: Claim) -> list[dict[str, Any]]:
    info: list[dict[str, Any]] = [
        {"category": _concept(SUPPORTING_INFO_SYSTEM, "social-insurance"), "valueBoolean": claim.social_insurance_used},
        {
            "category": _concept(SUPPORTING_INFO_SYSTEM, "social-insurance-paid"),
            "valueQuantity": _quantity(claim.social_insurance_paid_fen),
        },
        {
            "category": _concept(SUPPORTING_INFO_SYSTEM, "other-insurance-paid"),
            "valueQuantity": _quantity(claim.other_insurance_paid_fen),
        },
    ]
    stay = claim.related_stay or {}
    if stay.get("admission") and stay.get("discharge"):
        info.append(
            {
                "category": _concept(SUPPORTING_INFO_SYSTEM, "related-stay"),
                "timingPeriod": {"start": str(stay["admission"]), "end": str(stay["discharge"])},
            }
        )
    if claim.severity:
        info.append({"category": _concept(SUPPORTING_INFO_SYSTEM, "severity"), "valueString": claim.severity})
    return [{"sequence": n, **entry} for n, entry in enumerate(info, start=1)]


def explanation_of_benefit_resource(claim: Claim) -> ExplanationOfBenefit:
    """The claim and its adjudication as a validated ``ExplanationOfBenefit``."""
    data = _common(claim)
    names = diagnosis_names(list(claim.diagnoses or []))
    hospital = _hospital_reference(claim)
    data.update(
        {
            "claim": {"identifier": {"system": CLAIM_NUMBER_SYSTEM, "value": claim.number}},
            "claimResponse": {"reference": f"ClaimResponse/{claim.pk}"},
            "provider": hospital,
            "facility": hospital,
            "billablePeriod": {"start": claim.service_start.isoformat(), "end": claim.service_end.isoformat()},
            "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/{POLICY_PREFIX}{claim.policy_id}"}}],
            "supportingInfo": _supporting_info(claim),
        }
    )
    if claim.is_accident:
        data["accident"] = {"date": claim.service_start.isoformat()}
    diagnoses = [str(code) for code in claim.diagnoses or []]
    if diagnoses:
        data["diagnosis"] = [
            {"sequence": n, "diagnosisCodeableConcept": _concept(ICD10_SYSTEM, code, names.get(code))}
            for n, code in enumerate(diagnoses, start=1)
        ]
    items = [
        {
            "sequence": n,
            "productOrService": {
                **_concept(
                    ITEM_CATEGORY_SYSTEM,
                    str(item.get("category", "")),
                    item_category_label(str(item.get("category", ""))),
                ),
                **({"text": str(item["description"])} if item.get("description") else {}),
            },
            "net": _money(int(item.get("amount_fen", 0))),
            "adjudication": _item_adjudication(item),
        }
        for n, item in enumerate(claim.items or [], start=1)
    ]
    if items:
        data["item"] = items
    policy = claim.policy
    if policy.effective_at and policy.ends_at:
        data["benefitPeriod"] = {
            "start": timezone.localtime(policy.effective_at).isoformat(),
            "end": timezone.localtime(policy.ends_at).isoformat(),
        }
    return ExplanationOfBenefit.parse_obj(data)
