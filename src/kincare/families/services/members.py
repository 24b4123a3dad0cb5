"""Families and their members: create a family, add / update / remove members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.identity import normalise_name
from kincare.accounts.services.real_name import resident_id_index
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, PermissionDenied, ValidationFailed
from kincare.core.money import MAX_FEN
from kincare.families.engine import parse_resident_id
from kincare.families.identity import verified_identity
from kincare.families.models import (
    Family,
    HealthDataGrant,
    Invitation,
    Member,
    Relationship,
    Sex,
    SocialInsurance,
)
from kincare.families.policies import family_policy, member_policy
from kincare.planning.triggers import replan_soon


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "leave this field as it is" for optional arguments where None is a value.
UNSET: Any = _Unset()


def _clean_name(value: object, *, field: str = "name") -> str:
    """A person's legal name, by the accounts app's rules (2–30 汉字/letters, "·")."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(_("请输入姓名"), code="name_empty", field=field)
    return normalise_name(value, field=field)


def _clean_family_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(_("请输入家庭名称"), code="name_empty", field="name")
    name = value.strip()
    if len(name) > 50:
        raise ValidationFailed(_("家庭名称过长"), code="name_too_long", field="name")
    if any(ch in "<>{}" or not ch.isprintable() for ch in name):
        raise ValidationFailed(_("家庭名称不能包含特殊符号"), code="name_invalid", field="name")
    return name


def _clean_choice(value: object, choices: Any, *, field: str, code: str) -> str:
    if not isinstance(value, str) or value not in choices.values:
        raise ValidationFailed(_("选项无效"), code=code, field=field)
    return value


def _clean_income(value: object, *, field: str = "annual_income_fen") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_FEN:
        raise ValidationFailed(_("年收入必须是不小于 0 的金额"), code="income_invalid", field=field)
    return value


def _finance_errors() -> dict[str, tuple[str, str]]:
    return {
        "annual_expenses_fen": (_("家庭年支出必须是不小于 0 的金额"), "annual_expenses_invalid"),
        "debts_fen": (_("负债必须是不小于 0 的金额"), "debts_invalid"),
        "savings_fen": (_("储蓄必须是不小于 0 的金额"), "savings_invalid"),
    }


def _clean_finance(value: object, *, field: str) -> int | None:
    """A household amount (expenses, debts, savings): its own message and code per field."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_FEN:
        message, code = _finance_errors()[field]
        raise ValidationFailed(message, code=code, field=field)
    return value


def _clean_occupation(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6:
        raise ValidationFailed(_("职业类别应为 1 到 6 类"), code="occupation_class_invalid", field="occupation_class")
    return value


def _clean_city(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > 50:
        raise ValidationFailed(_("城市名称过长"), code="city_invalid", field="city")
    return value.strip()


def _checked_identity(resident_id: object, birth_date: dt.date | None, sex: str | None) -> tuple[str, dt.date, str]:
    """Parse the ID and cross-check the birth date and sex typed next to it."""
    number, id_birth_date, id_sex = parse_resident_id(resident_id)
    if birth_date is not None and birth_date != id_birth_date:
        raise ValidationFailed(_("出生日期与身份证号不一致"), code="birth_date_mismatch", field="birth_date")
    if sex not in (None, "") and sex != id_sex:
        raise ValidationFailed(_("性别与身份证号不一致"), code="sex_mismatch", field="sex")
    today = timezone.localdate()
    if id_birth_date > today:
        raise ValidationFailed(_("出生日期不能晚于今天"), code="birth_date_future", field="resident_id")
    if today.year - id_birth_date.year > 130:
        raise ValidationFailed(_("身份证号无效，请核对"), code="resident_id_invalid", field="resident_id")
    return number, id_birth_date, id_sex


def _refuse_duplicate(family: Family, resident_id_hash: str, *, exclude_pk: int | None = None) -> None:
    existing = Member.objects.filter(family_id=family.pk, resident_id_hash=resident_id_hash, removed_at__isnull=True)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if existing.exists():
        raise Conflict(_("这位家人已在家庭中"), code="member_duplicate", field="resident_id")


def _refuse_second_spouse(family: Family, relationship: str, *, exclude_pk: int | None = None) -> None:
    if relationship != Relationship.SPOUSE:
        return
    spouses = Member.objects.filter(family_id=family.pk, relationship=Relationship.SPOUSE, removed_at__isnull=True)
    if exclude_pk is not None:
        spouses = spouses.exclude(pk=exclude_pk)
    if spouses.filter(deceased_on__isnull=True).exists():
        raise Conflict(_("家庭中已有配偶"), code="spouse_exists", field="relationship")


def family_create(*, actor: Any, name: str) -> Family:
    """The creator becomes the guardian and the family's "self" member (from 实名认证)."""
    family_name = _clean_family_name(name)
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录"), code="not_authenticated")
    identity = verified_identity(actor)
    if identity is None:
        raise PermissionDenied(_("创建家庭前请先完成实名认证"), code="real_name_required")
    if Member.objects.filter(user=actor).exists():
        raise Conflict(_("你已经是一个家庭的成员，不能再创建家庭"), code="already_in_family")
    try:
        with transaction.atomic():
            family = Family.objects.create(name=family_name, guardian=actor)
            member = Member.objects.create(
                family=family,
                user=actor,
                name=identity.name,
                resident_id=identity.resident_id,
                resident_id_hash=resident_id_index(identity.resident_id),
                birth_date=identity.birth_date,
                sex=identity.sex,
                relationship=Relationship.SELF,
            )
            audit_record(
                actor=actor,
                action="family.created",
                subject=family,
                family_id=family.pk,
                new={"self_member_id": member.pk},
            )
    except IntegrityError:
        # A concurrent request created a family for the same user first.
        raise Conflict(_("你已经是一个家庭的成员，不能再创建家庭"), code="already_in_family") from None
    return family


@transaction.atomic
def family_update(
    *,
    actor: Any,
    family: Family,
    name: str | None = None,
    annual_expenses_fen: int | None = UNSET,
    debts_fen: int | None = UNSET,
    savings_fen: int | None = UNSET,
) -> Family:
    family_policy.require(actor, "manage", family)
    old = {"name": family.name}
    old_finances = {f: getattr(family, f) for f in ("annual_expenses_fen", "debts_fen", "savings_fen")}
    if name is not None:
        family.name = _clean_family_name(name)
    for field, value in (
        ("annual_expenses_fen", annual_expenses_fen),
        ("debts_fen", debts_fen),
        ("savings_fen", savings_fen),
    ):
        if value is not UNSET:
            setattr(family, field, _clean_finance(value, field=field))
    finances_changed = any(
        value is not UNSET and getattr(family, field) != old_finances[field]
        for field, value in (
            ("annual_expenses_fen", annual_expenses_fen),
            ("debts_fen", debts_fen),
            ("savings_fen", savings_fen),
        )
    )
    family.save()
    if finances_changed:
        replan_soon(family.pk, "finances_changed")
    audit_record(
        actor=actor,
        action="family.updated",
        subject=family,
        family_id=family.pk,
        old=old,
        new={"name": family.name},
    )
    return family


def member_add(
    *,
    actor: Any,
    family: Family,
    name: str,
    resident_id: str,
    relationship: str,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    annual_income_fen: int | None = None,
    social_insurance: str = SocialInsurance.NONE,
    occupation_class: int = 1,
    smoker: bool = False,
    city: str = "",
) -> Member:
    family_policy.require(actor, "manage", family)
    clean_name = _clean_name(name)
    if sex not in (None, ""):
        _clean_choice(sex, Sex, field="sex", code="sex_invalid")
    number, id_birth_date, id_sex = _checked_identity(resident_id, birth_date, sex)
    relationship = _clean_choice(relationship, Relationship, field="relationship", code="relationship_invalid")
    if relationship == Relationship.SELF:
        raise ValidationFailed(_("“本人”只能是监护人自己"), code="relationship_invalid", field="relationship")
    values = {
        "annual_income_fen": _clean_income(annual_income_fen),
        "social_insurance": _clean_choice(
            social_insurance,
            SocialInsurance,
            field="social_insurance",
            code="social_insurance_invalid",
        ),
        "occupation_class": _clean_occupation(occupation_class),
        "smoker": bool(smoker),
        "city": _clean_city(city),
    }
    id_hash = resident_id_index(number)
    try:
        with transaction.atomic():
            # Lock the family row so two concurrent adds cannot both pass the checks.
            Family.objects.select_for_update().filter(pk=family.pk).first()
            _refuse_duplicate(family, id_hash)
            _refuse_second_spouse(family, relationship)
            member = Member.objects.create(
                family=family,
                name=clean_name,
                resident_id=number,
                resident_id_hash=id_hash,
                birth_date=id_birth_date,
                sex=id_sex,
                relationship=relationship,
                **values,
            )
            audit_record(
                actor=actor,
                action="member.added",
                subject=member,
                new={"relationship": relationship},
            )
            replan_soon(family.pk, "member_added")
    except IntegrityError:
        raise Conflict(_("这位家人已在家庭中"), code="member_duplicate", field="resident_id") from None
    return member


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: Member,
    name: str | None = None,
    resident_id: str | None = None,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    relationship: str | None = None,
    annual_income_fen: int | None = UNSET,
    social_insurance: str | None = None,
    occupation_class: int | None = None,
    smoker: bool | None = None,
    city: str | None = None,
) -> Member:
    member_policy.require(actor, "change", member)
    family = member.family
    is_guardian = family.guardian_id == actor.pk
    planning_before = _planning_facts(member)
    changed: list[str] = []
    identity_locked = member.user_id is not None and bool(getattr(member.user, "is_real_name_verified", False))
    if identity_locked and (
        (name is not None and name.strip() != member.name) or resident_id not in (None, "", member.resident_id)
    ):
        raise ValidationFailed(_("已实名认证的成员不能修改姓名和身份证号"), code="identity_locked", field="resident_id")
    if name is not None:
        member.name = _clean_name(name)
        changed.append("name")
    if resident_id not in (None, "") and resident_id != member.resident_id:
        number, id_birth_date, id_sex = _checked_identity(resident_id, birth_date, sex)
        id_hash = resident_id_index(number)
        _refuse_duplicate(family, id_hash, exclude_pk=member.pk)
        member.resident_id, member.resident_id_hash = number, id_hash
        member.birth_date, member.sex = id_birth_date, id_sex
        changed.append("resident_id")
    else:
        if birth_date is not None and birth_date != member.birth_date:
            raise ValidationFailed(_("出生日期与身份证号不一致"), code="birth_date_mismatch", field="birth_date")
        if sex not in (None, "") and sex != member.sex:
            raise ValidationFailed(_("性别与身份证号不一致"), code="sex_mismatch", field="sex")
    if relationship is not None and relationship != member.relationship:
        if not is_guardian:
            raise PermissionDenied(_("只有监护人可以修改家庭关系"), code="relationship_guardian_only")
        relationship = _clean_choice(relationship, Relationship, field="relationship", code="relationship_invalid")
        if Relationship.SELF in (relationship, member.relationship):
            raise ValidationFailed(_("“本人”只能是监护人自己"), code="relationship_invalid", field="relationship")
        _refuse_second_spouse(family, relationship, exclude_pk=member.pk)
        member.relationship = relationship
        changed.append("relationship")
    if annual_income_fen is not UNSET:
        member.annual_income_fen = _clean_income(annual_income_fen)
        changed.append("annual_income_fen")
    if social_insurance is not None:
        member.social_insurance = _clean_choice(
            social_insurance,
            SocialInsurance,
            field="social_insurance",
            code="social_insurance_invalid",
        )
        changed.append("social_insurance")
    if occupation_class is not None:
        member.occupation_class = _clean_occupation(occupation_class)
        changed.append("occupation_class")
    if smoker is not None:
        member.smoker = bool(smoker)
        changed.append("smoker")
    if city is not None:
        member.city = _clean_city(city)
        changed.append("city")
    member.save()
    audit_record(actor=actor, action="member.updated", subject=member, new={"fields": changed})
    planning_after = _planning_facts(member)
    if planning_after["annual_income_fen"] != planning_before["annual_income_fen"]:
        replan_soon(family.pk, "income_changed")
    if {k: v for k, v in planning_after.items() if k != "annual_income_fen"} != {
        k: v for k, v in planning_before.items() if k != "annual_income_fen"
    }:
        replan_soon(family.pk, "member_changed")
    return member


def _planning_facts(member: Member) -> dict[str, Any]:
    """What a family's protection plan reads from a member (a change re-plans the family)."""
    return {
        "annual_income_fen": member.annual_income_fen,
        "birth_date": member.birth_date,
        "sex": member.sex,
        "social_insurance": member.social_insurance,
        "occupation_class": member.occupation_class,
        "smoker": member.smoker,
    }


@transaction.atomic
def member_remove(*, actor: Any, member: Member) -> None:
    """Take a member off the roster (kept for history); their account may join another family."""
    if member.user_id is not None and member.user_id == member.family.guardian_id:
        member_policy.require(actor, "view", member)
        raise Conflict(_("监护人不能移除自己"), code="cannot_remove_guardian")
    member_policy.require(actor, "delete", member)
    now = timezone.now()
    old_user_id = member.user_id
    member.removed_at = now
    member.user = None
    member.save(update_fields=["removed_at", "user", "updated_at"])
    replan_soon(member.family_id, "member_removed")
    HealthDataGrant.objects.filter(family_id=member.family_id, revoked_at__isnull=True).filter(grantor=member).update(
        revoked_at=now
    )
    HealthDataGrant.objects.filter(family_id=member.family_id, revoked_at__isnull=True, grantee=member).update(
        revoked_at=now
    )
    Invitation.objects.filter(
        family_id=member.family_id, member=member, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    audit_record(actor=actor, action="member.removed", subject=member, old={"user_id": old_user_id})
