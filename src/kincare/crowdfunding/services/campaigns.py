"""A fundraiser's campaign: drafted, documented, refused above its goal cap, and submitted to the
verification engine and the reviewers' queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.identity import parse_resident_id
from kincare.accounts.services.real_name import resident_id_index
from kincare.claims.reference import diagnosis_get, hospital_get
from kincare.claims.selectors import expected_payout_for
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.fsm import transition, transition_path
from kincare.core.money import format_yuan_cn
from kincare.core.uploads import check_file
from kincare.crowdfunding.engine import assess, goal_cap_fen, parse_facts
from kincare.crowdfunding.facts import campaign_facts
from kincare.crowdfunding.form_schemas import CampaignInput
from kincare.crowdfunding.models import Campaign, CampaignDocument, CampaignReview, Relationship
from kincare.crowdfunding.policies import campaign_policy
from kincare.crowdfunding.services.common import (
    DEFAULT_DAYS,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    documents_store,
)
from kincare.families.identity import verified_identity
from kincare.families.models import Member
from kincare.families.policies import member_policy
from kincare.families.selectors import family_get_for_user

EDITABLE = (Campaign.Status.DRAFT, Campaign.Status.NEEDS_INFO)
REQUIRED_DOCUMENTS = (CampaignDocument.Kind.DIAGNOSIS, CampaignDocument.Kind.COST_ESTIMATE)
FAMILY_RELATIONSHIPS = {
    "self": Relationship.SELF,
    "spouse": Relationship.SPOUSE,
    "child": Relationship.CHILD,
    "parent": Relationship.PARENT,
    "parent_in_law": Relationship.OTHER_RELATIVE,
    "grandparent": Relationship.OTHER_RELATIVE,
    "grandchild": Relationship.OTHER_RELATIVE,
    "sibling": Relationship.SIBLING,
    "other": Relationship.OTHER_RELATIVE,
}


def _fundraiser_identity(actor: Any) -> Any:
    identity = verified_identity(actor)
    if identity is None:
        raise PermissionDenied(_("发起筹款前请先完成实名认证"), code="real_name_required")
    return identity


def _patient(actor: Any, data: CampaignInput) -> tuple[Member | None, str, str, dt.date]:
    """(family member or None, name, resident ID, birth date) of the patient. A patient typed in
    by resident ID who is in the fundraiser's family is that member (their platform policies count
    against the goal cap); a member with an account of their own must have granted the fundraiser
    their health data (their illness is about to be published)."""
    family = family_get_for_user(actor)
    members = Member.objects.filter(family=family, removed_at__isnull=True) if family is not None else None
    if data.patient_member_id is not None:
        member = members.filter(pk=data.patient_member_id).first() if members is not None else None
        if member is None:
            raise NotFound(_("找不到该家庭成员"), code="member_not_found", field="patient_member_id")
    else:
        number, birth_date, _sex = parse_resident_id(data.patient_resident_id, field="patient_resident_id")
        found = members.filter(resident_id_hash=resident_id_index(number)).first() if members is not None else None
        if found is None:
            return None, data.patient_name, number, birth_date
        member = found
    # a member with an account of their own decides: their health-data grant to the fundraiser
    own_account = member.user_id is not None and member.user_id != actor.pk
    if own_account and not member_policy.can(actor, "read_health", member):
        raise PermissionDenied(
            _("为有自己账号的家庭成员筹款，需要对方先授权你查看其健康信息"),
            code="health_grant_required",
            field="patient_member_id",
        )
    return member, member.name, member.resident_id, member.birth_date


def _insurance(actor: Any, member: Member | None, data: CampaignInput) -> tuple[list[dict[str, Any]], int]:
    """The patient's platform policies' expected payout for this diagnosis and cost (claims engine)."""
    if member is None:
        return [], 0
    payout, _history = expected_payout_for(
        user=actor, member=member, diagnosis=data.icd10, cost_fen=data.estimated_cost_fen
    )
    if payout <= 0:
        return [], 0
    from kincare.policies.models import Policy

    names = list(
        Policy.objects.filter(insured=member, family_id=member.family_id, status=Policy.Status.ACTIVE)
        .values_list("product__name", flat=True)
        .order_by("pk")
    )
    return [{"products": names, "expected_payout_fen": payout}], payout


def _apply(actor: Any, campaign: Campaign, data: CampaignInput) -> None:
    """Check everything the fundraiser typed and write it onto the campaign (not saved)."""
    hospital = hospital_get(data.hospital_code)
    if hospital is None:
        raise ValidationFailed(_("请从医院列表中选择医院"), code="hospital_unknown", field="hospital_code")
    diagnosis = diagnosis_get(data.icd10)
    if diagnosis is None:
        raise ValidationFailed(_("请从诊断列表中选择诊断"), code="diagnosis_unknown", field="icd10")
    today = timezone.localdate()
    if data.diagnosed_on > today or data.diagnosed_on.year < 1900:
        raise ValidationFailed(_("确诊日期不能晚于今天"), code="diagnosed_on_invalid", field="diagnosed_on")
    member, name, resident_id, birth_date = _patient(actor, data)
    relationship = data.relationship
    if member is not None and member.user_id == actor.pk:
        relationship = Relationship.SELF
    platform, platform_fen = _insurance(actor, member, data)
    declared_fen = sum(p.expected_payout_fen for p in data.declared_insurance)
    aid_fen = sum(a.amount_fen for a in data.other_aid)
    cap = goal_cap_fen(data.estimated_cost_fen, platform_fen + declared_fen, aid_fen)
    if data.goal_fen > cap:
        raise ValidationFailed(
            _(
                "目标金额 %(goal)s 超过上限 %(cap)s：上限 = 预计治疗费用 %(cost)s − 预计保险赔付 %(insurance)s"
                "（其中平台保单 %(platform)s）− 其他救助 %(aid)s。"
            )
            % {
                "goal": format_yuan_cn(data.goal_fen),
                "cap": format_yuan_cn(cap),
                "cost": format_yuan_cn(data.estimated_cost_fen),
                "insurance": format_yuan_cn(platform_fen + declared_fen),
                "platform": format_yuan_cn(platform_fen),
                "aid": format_yuan_cn(aid_fen),
            },
            code="goal_above_cap",
            field="goal_fen",
        )
    campaign.title, campaign.story = data.title, data.story
    campaign.patient_member = member
    campaign.patient_name, campaign.patient_birth_date = name, birth_date
    campaign.patient_resident_id, campaign.patient_resident_id_hash = resident_id, resident_id_index(resident_id)
    campaign.relationship = relationship
    campaign.hospital_code, campaign.hospital_name = hospital.code, hospital.name
    campaign.department, campaign.doctor = data.department, data.doctor
    campaign.icd10, campaign.diagnosis_name = diagnosis.code, diagnosis.name
    campaign.diagnosed_on, campaign.treatment_finished = data.diagnosed_on, data.treatment_finished
    campaign.estimated_cost_fen = data.estimated_cost_fen
    campaign.finances = data.finances.model_dump()
    campaign.social_insurance = data.social_insurance
    campaign.platform_insurance = platform
    campaign.declared_insurance = [p.model_dump() for p in data.declared_insurance]
    campaign.expected_payouts_fen = platform_fen + declared_fen
    campaign.other_aid = [a.model_dump() for a in data.other_aid]
    campaign.other_aid_fen = aid_fen
    campaign.goal_fen, campaign.goal_cap_fen = data.goal_fen, cap
    # provisional: the reviewers' approval starts the days running (see campaign_approve)
    campaign.days = data.days or DEFAULT_DAYS
    campaign.ends_on = today + dt.timedelta(days=campaign.days)
    campaign.surplus_charity = data.surplus_charity
    campaign.family = family_get_for_user(actor)


@transaction.atomic
def campaign_create(*, actor: Any, data: CampaignInput, documents: list[tuple[str, Any]] | None = None) -> Campaign:
    """A draft campaign; the patient's platform policies fill in their expected payouts. Documents
    given here are checked before anything is written. The edge parsed ``data``
    (``crowdfunding.form_schemas.campaign_input``)."""
    _fundraiser_identity(actor)
    campaign = Campaign(fundraiser=actor)
    _apply(actor, campaign, data)
    checked = _checked_documents(documents or [], already=0)
    campaign.save()
    if checked:
        documents_store(campaign, checked, actor=actor)
    audit_record(actor=actor, action="crowdfunding.campaign_created", subject=campaign, family_id=campaign.family_id)
    return campaign


def _checked_documents(documents: list[tuple[str, Any]], *, already: int) -> list[tuple[str, Any]]:
    if already + len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(
            _("材料最多 %(n)d 个") % {"n": MAX_DOCUMENTS}, code="too_many_documents", field="documents"
        )
    checked = []
    for index, (kind, upload) in enumerate(documents):
        if kind not in CampaignDocument.Kind.values or kind == CampaignDocument.Kind.INVOICE:
            raise ValidationFailed(_("请选择材料类型"), code="document_kind_invalid", field=f"documents.{index}")
        photo = kind == CampaignDocument.Kind.PHOTO
        file = check_file(upload, field=f"documents.{index}", max_bytes=MAX_DOCUMENT_BYTES, images_only=photo)
        checked.append((kind, file))
    return checked


def _own_editable(actor: Any, campaign: Campaign) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.fundraiser_id != getattr(actor, "pk", None):
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    if locked.status not in EDITABLE:
        raise Conflict(_("审核通过后不能再修改筹款信息"), code="campaign_not_editable")
    return locked


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, data: CampaignInput) -> Campaign:
    locked = _own_editable(actor, campaign)
    _apply(actor, locked, data)
    locked.save()
    audit_record(actor=actor, action="crowdfunding.campaign_updated", subject=locked, family_id=locked.family_id)
    return locked


@transaction.atomic
def campaign_documents_add(
    *, actor: Any, campaign: Campaign, documents: list[tuple[str, Any]]
) -> list[CampaignDocument]:
    """Diagnosis, cost estimate, authorisation and photos, while the campaign is being prepared."""
    locked = _own_editable(actor, campaign)
    if locked.documents.count() + len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(
            _("材料最多 %(n)d 个") % {"n": MAX_DOCUMENTS}, code="too_many_documents", field="documents"
        )
    checked = []
    for index, (kind, upload) in enumerate(documents):
        if kind not in CampaignDocument.Kind.values or kind in (CampaignDocument.Kind.INVOICE,):
            raise ValidationFailed(_("请选择材料类型"), code="document_kind_invalid", field=f"documents.{index}")
        checked.append(
            (
                kind,
                check_file(
                    upload,
                    field=f"documents.{index}",
                    max_bytes=MAX_DOCUMENT_BYTES,
                    images_only=kind == CampaignDocument.Kind.PHOTO,
                ),
            )
        )
    return documents_store(locked, checked, actor=actor)


def _missing_documents(campaign: Campaign) -> list[str]:
    kinds = set(campaign.documents.values_list("kind", flat=True))
    needed = list(REQUIRED_DOCUMENTS)
    if campaign.relationship == Relationship.OTHER:
        needed.append(CampaignDocument.Kind.AUTHORISATION)
    return [kind for kind in needed if kind not in kinds]


@transaction.atomic
def campaign_submit(*, actor: Any, campaign: Campaign) -> Campaign:
    """The verification engine assesses the campaign: a hard rejection ends it here with its
    reasons; anything else waits for a reviewer (an "approve" is only a recommendation)."""
    identity = _fundraiser_identity(actor)
    locked = _own_editable(actor, campaign)
    missing = _missing_documents(locked)
    if missing:
        labels = "、".join(str(CampaignDocument.Kind(k).label) for k in missing)
        raise ValidationFailed(_("请先上传：%(docs)s") % {"docs": labels}, code="documents_missing", field="documents")
    facts = campaign_facts(
        locked,
        fundraiser_id_hash=resident_id_index(identity.resident_id),
        fundraiser_id=identity.resident_id,
        as_of=timezone.localdate(),
    )
    assessment = assess(parse_facts(facts))
    codes = [r.code for r in assessment.reasons]
    if "goal_above_cap" in codes:
        raise ValidationFailed(_("目标金额超过上限，请先修改目标金额"), code="goal_above_cap", field="goal_fen")
    locked.risk_decision = assessment.decision
    locked.risk_score = assessment.score
    locked.risk_reasons = codes
    locked.goal_cap_fen = assessment.goal_cap_fen
    locked.save(update_fields=["risk_decision", "risk_score", "risk_reasons", "goal_cap_fen", "updated_at"])
    now = timezone.now()
    if assessment.decision == "reject":
        transition_path(
            locked, path=["submitted", "rejected"], actor=actor, reason="engine", extra_updates={"submitted_at": now}
        )
        CampaignReview.objects.create(
            campaign=locked, reviewer=None, action=CampaignReview.Action.REJECT, reasons=codes
        )
    else:
        transition(
            locked, to=Campaign.Status.SUBMITTED, actor=actor, reason="fundraiser", extra_updates={"submitted_at": now}
        )
    locked.refresh_from_db()
    return locked


def campaign_get_own(*, actor: Any, campaign_id: object) -> Campaign:
    text = str(campaign_id)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found")
    try:
        return campaign_policy.scope(actor, "manage").get(pk=int(text))
    except Campaign.DoesNotExist:
        raise NotFound(_("找不到该筹款项目"), code="campaign_not_found") from None
