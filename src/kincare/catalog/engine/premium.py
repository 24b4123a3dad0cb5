"""Premium lookup: the annual premium for one buyer from a product's premium table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kincare.catalog.engine.facts import PremiumTable
from kincare.core.dates import age_on as age_on
from kincare.core.errors import ValidationFailed


@dataclass(frozen=True)
class Quote:
    plan: str
    age: int
    sex: str
    social_insurance: bool
    payment_years: int
    annual_premium_fen: int
    band_age_min: int
    band_age_max: int


def quote_premium(
    table: PremiumTable,
    *,
    sex: str,
    social_insurance: bool,
    plan: str,
    on_date: dt.date,
    age: int | None = None,
    birth_date: dt.date | None = None,
    payment_years: int | None = None,
) -> Quote:
    """The annual premium for one buyer, or ``ValidationFailed`` with a code the buyer can act on."""
    if birth_date is not None:
        if birth_date > on_date:
            raise ValidationFailed(_("出生日期不能晚于今天"), code="birth_date_in_future", field="birth_date")
        age_days = (on_date - birth_date).days
        if age_days < table.issue_age_min_days:
            raise ValidationFailed(
                _("出生满 %(days)d 天后才能投保") % {"days": table.issue_age_min_days},
                code="age_below_min",
                field="birth_date",
            )
        years = age_on(birth_date, on_date)
        age_field = "birth_date"
    elif age is not None:
        if age < 0 or age > 150:
            raise ValidationFailed(_("年龄应在 0 到 150 岁之间"), code="age_invalid", field="age")
        if age * 365 + 364 < table.issue_age_min_days:
            raise ValidationFailed(
                _("出生满 %(days)d 天后才能投保") % {"days": table.issue_age_min_days},
                code="age_below_min",
                field="age",
            )
        years, age_field = age, "age"
    else:
        raise ValidationFailed(_("请填写年龄或出生日期"), code="age_required", field="age")
    if years > table.issue_age_max_years:
        raise ValidationFailed(
            _("最高投保年龄为 %(max)d 周岁，当前 %(age)d 周岁") % {"max": table.issue_age_max_years, "age": years},
            code="age_above_max",
            field=age_field,
        )
    if sex not in ("M", "F"):
        raise ValidationFailed(_("请选择性别"), code="sex_invalid", field="sex")
    if plan not in {p.code for p in table.plans}:
        raise ValidationFailed(_("没有这个计划"), code="unknown_plan", field="plan")
    candidates = [
        band
        for band in table.bands
        if band.plan == plan
        and band.sex == sex
        and band.social_insurance == social_insurance
        and band.age_min <= years <= band.age_max
    ]
    if payment_years is not None:
        candidates = [band for band in candidates if band.payment_years == payment_years]
        if not candidates:
            raise ValidationFailed(_("该计划没有这个缴费期"), code="payment_term_unavailable", field="payment_years")
    if not candidates:
        raise ValidationFailed(_("该条件下没有费率"), code="no_premium", field=age_field)
    band = min(candidates, key=lambda b: (b.payment_years, b.annual_premium_fen))
    return Quote(
        plan=plan,
        age=years,
        sex=sex,
        social_insurance=social_insurance,
        payment_years=band.payment_years,
        annual_premium_fen=band.annual_premium_fen,
        band_age_min=band.age_min,
        band_age_max=band.age_max,
    )
