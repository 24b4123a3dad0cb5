"""Real-name verification (实名认证) of the person behind an account.

The checks here are the format checks (check digit, birth date and sex encoded in the ID,
a plausible legal name). A deployment adds the official identity check (公安身份核验
through a licensed provider) before ``user_verify_real_name`` stores the result.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.accounts.identity import normalise_name, parse_resident_id
from kincare.accounts.models import RealNameVerification, Sex, User
from kincare.core.audit import audit_record
from kincare.core.errors import Conflict, ValidationFailed
from kincare.core.pii import blind_index, mask_name, mask_resident_id


def resident_id_index(resident_id: str) -> str:
    """Blind index of a normalised resident ID (the families app uses the same purpose)."""
    return blind_index(resident_id, purpose="resident_id")


def _resident_id_taken() -> Conflict:
    return Conflict(_("该身份证号已被其他账户实名认证"), code="resident_id_taken", field="resident_id")


@transaction.atomic
def user_verify_real_name(
    *,
    user: User,
    name: str,
    resident_id: str,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
) -> RealNameVerification:
    """Record who the user is; ``birth_date``/``sex``, when given, must agree with the ID."""
    clean_name = normalise_name(name)
    number, id_birth_date, id_sex = parse_resident_id(resident_id)
    if birth_date is not None and birth_date != id_birth_date:
        raise ValidationFailed(_("出生日期与身份证号不一致"), code="birth_date_mismatch", field="birth_date")
    if sex is not None and sex != "":
        if sex not in Sex.values:
            raise ValidationFailed(_("性别不正确"), code="sex_invalid", field="sex")
        if sex != id_sex:
            raise ValidationFailed(_("性别与身份证号不一致"), code="sex_mismatch", field="sex")
    locked_user = User.objects.select_for_update().get(pk=user.pk)
    if RealNameVerification.objects.filter(user=locked_user).exists():
        raise Conflict(_("您已完成实名认证"), code="already_verified")
    id_hash = resident_id_index(number)
    if RealNameVerification.objects.filter(resident_id_hash=id_hash).exists():
        raise _resident_id_taken()
    now = timezone.now()
    try:
        with transaction.atomic():
            verification = RealNameVerification.objects.create(
                user=locked_user,
                name=clean_name,
                resident_id=number,
                resident_id_hash=id_hash,
                birth_date=id_birth_date,
                sex=id_sex,
                verified_at=now,
            )
    except IntegrityError:  # the same ID verified concurrently by someone else
        raise _resident_id_taken() from None
    User.objects.filter(pk=user.pk).update(real_name_verified_at=now)
    user.real_name_verified_at = now
    audit_record(
        actor=user,
        action="accounts.real_name_verified",
        subject=user,
        new={"name": mask_name(clean_name), "resident_id": mask_resident_id(number), "sex": id_sex},
    )
    return verification
