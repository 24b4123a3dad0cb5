"""Submitting a claim: who may, what must hold, storing it, then adjudicating it at once.

The claim's input is parsed at the edge (``claims.form_schemas.claim_draft``: dates, hospital,
diagnoses, items, settlement, related stay, severity, invoice numbers); ``claim_submit`` takes the
``ClaimDraft`` and checks the actor, the policy and the claim type of its product.

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

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.claims.engine.terms import DEFAULT_COVERED_CLAIM_TYPES
from kincare.claims.facts import CLAIMABLE_CATEGORIES
from kincare.claims.form_schemas import INVOICE_PURPOSE, ClaimDraft, invoice_hash
from kincare.claims.models import Claim
from kincare.claims.policies import may_claim
from kincare.claims.services.adjudication import adjudicate_new
from kincare.claims.services.common import new_claim_number
from kincare.claims.services.documents import check_documents, discard_files, documents_store
from kincare.core.audit import audit_record
from kincare.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
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
        raise ValidationFailed(_("该保单已退保或失效，不能申请理赔"), code="policy_not_claimable", field="policy")
    return policy, member


def claim_submit(
    *,
    actor: Any,
    policy: Policy,
    member: Member,
    draft: ClaimDraft,
    documents: Sequence[tuple[str, Any]] = (),
) -> Claim:
    """Check and store a claim, then adjudicate it at once (``claim_adjudicate``); returns the claim.

    The edge parsed the claim (``claims.form_schemas.claim_draft``); here: who may claim on this
    policy, and whether its product covers the claim type."""
    policy, member = _check_actor(actor, policy, member)
    category = policy.product.category
    allowed = CLAIM_TYPES_BY_CATEGORY.get(category, ())
    if draft.claim_type not in allowed:
        raise ValidationFailed(_("该保单不支持这种理赔类型"), code="claim_type_invalid", field="claim_type")
    critical = category == "critical_illness"
    checked = check_documents(documents)

    written: list[str] = []
    try:
        with transaction.atomic():
            claim = Claim(
                number=new_claim_number(timezone.localdate()),
                family_id=member.family_id,
                member=member,
                policy=policy,
                claim_type=draft.claim_type,
                is_accident=draft.is_accident,
                service_start=draft.service_start,
                service_end=draft.service_end,
                hospital_code=draft.hospital.code,
                hospital=draft.hospital.snapshot(),
                special_needs_ward=draft.special_needs_ward,
                total_fen=draft.total_fen,
                social_insurance_used=draft.social_insurance_used,
                social_insurance_paid_fen=draft.social_insurance_paid_fen,
                other_insurance_paid_fen=draft.other_insurance_paid_fen,
                related_stay=draft.related_stay,
                severity=draft.severity if critical else "",
                invoice_hashes=list(draft.invoice_hashes),
                submitted_by=actor,
            )
            claim.diagnoses = list(draft.diagnoses)
            claim.items = list(draft.items)
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
