"""Quotes: the premium of a product for members of a family, with the regulatory checks.

Every rule is checked at the effective date (00:00 tomorrow, Asia/Shanghai), the day the
cover would start: issue ages (minimum in days, maximum in whole years), social insurance,
occupation class, the premium table (plan, payment term) and the cap on a minor's death
benefit across all their policies (under 10: 200,000 yuan; 10–17: 500,000 yuan).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from kincare.catalog.engine.premium import quote_premium
from kincare.catalog.facts import premium_table_from_db
from kincare.catalog.models import Plan, Product
from kincare.core.dates import age_on
from kincare.core.errors import DomainError, ValidationFailed
from kincare.core.money import format_yuan_cn
from kincare.families.models import Member, SocialInsurance
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import (
    ISSUED_POLICY_STATUSES,
    LIVE_POLICY_STATUSES,
    existing_death_benefit_fen,
    minor_death_cap_fen,
    product_death_benefit_fen,
    renewal_guaranteed,
)


@dataclass(frozen=True)
class QuoteLine:
    member: Member
    base_premium_fen: int
    death_benefit_fen: int
    #: age in whole years at the effective date
    age: int = 0


@dataclass(frozen=True)
class PolicyQuote:
    lines: list[QuoteLine]
    total_fen: int
    #: cover starts at 00:00 of this day
    effective_on: dt.date
    product: Product | None = None
    plan: Plan | None = None
    payment_years: int = 1


def plan_get(product: Product, plan_code: str) -> Plan:
    plan = product.plans.filter(code=plan_code).first()
    if plan is None:
        raise ValidationFailed(_("该产品没有这个计划"), code="plan_unknown", field="plan_code")
    return plan


def payment_years_offered(plan: Plan) -> list[int]:
    return sorted(set(plan.premium_rows.values_list("payment_years", flat=True)))


def _payment_years(plan: Plan, payment_years: int | None) -> int:
    """The term asked for (the edge made it an int), when the plan offers it; None: the shortest."""
    offered = payment_years_offered(plan)
    if payment_years is None and offered:
        return offered[0]
    if payment_years is None or payment_years not in offered:
        raise ValidationFailed(
            _("该计划可选的缴费年期为：%(years)s 年") % {"years": "、".join(str(y) for y in offered) or "-"},
            code="payment_years_unavailable",
            field="payment_years",
        )
    return payment_years


def _check_member(
    product: Product, member: Member, effective_on: dt.date, *, renewal: bool, guaranteed: bool = False
) -> int:
    """The member's age at the effective date, or ValidationFailed naming the rule broken.

    A renewal is bounded by the maximum renewal age instead of the issue ages. A yearly
    (non-guaranteed) renewal is a new contract on the terms sold today: the social-insurance
    and occupation requirements apply again. A guaranteed renewal (保证续保) is exempt from
    them: within the guaranteed period the insurer may not refuse to renew because the
    insured's social insurance or occupation changed (nor for health reasons).
    """
    name = member.name
    if member.deceased_on is not None:
        raise ValidationFailed(_("%(name)s 已去世，不能投保") % {"name": name}, code="member_deceased", field="members")
    if member.birth_date > effective_on:
        raise ValidationFailed(
            _("%(name)s 的出生日期晚于生效日") % {"name": name}, code="age_below_min", field="members"
        )
    age = age_on(member.birth_date, effective_on)
    if renewal:
        if age > product.max_renewal_age:
            raise ValidationFailed(
                _("%(name)s 已超过最高续保年龄 %(max)d 周岁") % {"name": name, "max": product.max_renewal_age},
                code="renewal_age_exceeded",
                field="members",
            )
        if guaranteed:
            # 保证续保: the insurer may not refuse the renewal because social insurance or
            # occupation changed; only the maximum renewal age bounds it
            return age
    else:
        if (effective_on - member.birth_date).days < product.issue_age_min_days:
            raise ValidationFailed(
                _("%(name)s 需出生满 %(days)d 天后才能投保") % {"name": name, "days": product.issue_age_min_days},
                code="age_below_min",
                field="members",
            )
        if age > product.issue_age_max_years:
            raise ValidationFailed(
                _("%(name)s 在生效日为 %(age)d 周岁，超过最高投保年龄 %(max)d 周岁")
                % {"name": name, "age": age, "max": product.issue_age_max_years},
                code="age_above_max",
                field="members",
            )
    if product.social_insurance_required and member.social_insurance == SocialInsurance.NONE:
        raise ValidationFailed(
            _("该产品要求被保险人有社保，%(name)s 没有社保") % {"name": name},
            code="social_insurance_required",
            field="members",
        )
    classes = [int(c) for c in (product.occupation_classes or [])]
    if classes and member.occupation_class not in classes:
        raise ValidationFailed(
            _("该产品承保 %(classes)s 类职业，%(name)s 为 %(cls)d 类职业")
            % {"classes": "、".join(str(c) for c in classes), "name": name, "cls": member.occupation_class},
            code="occupation_not_covered",
            field="members",
        )
    return age


def _base_premium_fen(
    product: Product, plan: Plan, member: Member, age: int, payment_years: int, *, effective_on: dt.date, renewal: bool
) -> int:
    table = premium_table_from_db(product)
    if renewal:
        # renewal is bounded by the maximum renewal age (checked before), not the issue ages
        table = dataclasses.replace(table, issue_age_min_days=0, issue_age_max_years=product.max_renewal_age)
    try:
        quote = quote_premium(
            table,
            sex=member.sex,
            social_insurance=member.social_insurance != SocialInsurance.NONE,
            plan=plan.code,
            on_date=effective_on,
            age=age,
            payment_years=payment_years,
        )
    except DomainError as exc:
        if exc.code in ("payment_term_unavailable",):
            raise ValidationFailed(str(exc.message), code="payment_years_unavailable", field="payment_years") from None
        raise ValidationFailed(
            _("%(name)s 在 %(age)d 周岁没有可用的费率") % {"name": member.name, "age": age},
            code="no_premium",
            field="members",
        ) from None
    return quote.annual_premium_fen


def check_minor_death_cap(
    member: Member,
    *,
    age: int,
    death_benefit_fen: int,
    effective_on: dt.date,
    exclude_application: Application | None = None,
    exclude_policy: Policy | None = None,
    at_issue: bool = False,
) -> None:
    """The minor's death benefit across all their cover stays within the regulatory cap.

    ``at_issue`` (a paid order about to issue): only cover in force counts, not other unpaid
    attempts, which may never be paid.
    """
    cap = minor_death_cap_fen(age)
    if cap is None or death_benefit_fen <= 0:
        return
    existing = existing_death_benefit_fen(
        member,
        effective_on=effective_on,
        exclude_application=exclude_application,
        exclude_policy=exclude_policy,
        statuses=ISSUED_POLICY_STATUSES if at_issue else LIVE_POLICY_STATUSES,
    )
    if existing + death_benefit_fen > cap:
        raise ValidationFailed(
            _(
                "按监管规定，%(age)d 周岁的未成年人在所有保单中的身故保险金合计不得超过 %(cap)s；"
                "%(name)s 已有 %(existing)s，本次投保 %(this)s，超出上限。"
            )
            % {
                "age": age,
                "cap": format_yuan_cn(cap),
                "name": member.name,
                "existing": format_yuan_cn(existing),
                "this": format_yuan_cn(death_benefit_fen),
            },
            code="minor_death_cap_exceeded",
            field="members",
        )


def quote_build(
    *,
    product: Product,
    plan_code: str,
    members: list[Member],
    payment_years: int | None,
    effective_on: dt.date,
    renewal_of: Policy | None = None,
    exclude_application: Application | None = None,
    at_issue: bool = False,
) -> PolicyQuote:
    """The quote for cover starting on ``effective_on`` (new business, or a renewal of ``renewal_of``).

    ``at_issue``: the rules checked again when a paid order is about to issue (the product was
    on sale when pay was pressed; only cover in force counts towards a minor's cap).
    """
    renewal = renewal_of is not None
    guaranteed = renewal_of is not None and renewal_guaranteed(renewal_of, effective_on)
    if not renewal and not at_issue and (not product.on_sale or not product.is_current):
        raise ValidationFailed(_("该产品已停售"), code="not_on_sale", field="product")
    plan = plan_get(product, plan_code)
    years = _payment_years(plan, payment_years)
    lines = []
    for member in members:
        age = _check_member(product, member, effective_on, renewal=renewal, guaranteed=guaranteed)
        death_benefit = product_death_benefit_fen(product, plan, age=age)
        check_minor_death_cap(
            member,
            age=age,
            death_benefit_fen=death_benefit,
            effective_on=effective_on,
            exclude_application=exclude_application,
            exclude_policy=renewal_of,
            at_issue=at_issue,
        )
        base = _base_premium_fen(product, plan, member, age, years, effective_on=effective_on, renewal=renewal)
        lines.append(QuoteLine(member=member, base_premium_fen=base, death_benefit_fen=death_benefit, age=age))
    return PolicyQuote(
        lines=lines,
        total_fen=sum(line.base_premium_fen for line in lines),
        effective_on=effective_on,
        product=product,
        plan=plan,
        payment_years=years,
    )


def policy_quote(
    *,
    product: Product,
    plan_code: str,
    members: list[Member],
    payment_years: int | None = None,
    on_date: dt.date | None = None,
) -> PolicyQuote:
    """Standard premiums (before any underwriting loading) for ``members``; cover from tomorrow."""
    if not members:
        raise ValidationFailed(_("请选择被保险人"), code="insured_empty", field="members")
    if len({m.pk for m in members}) != len(members):
        raise ValidationFailed(_("同一位家庭成员不能重复选择"), code="insured_duplicate", field="members")
    today = on_date or timezone.localdate()
    return quote_build(
        product=product,
        plan_code=plan_code,
        members=members,
        payment_years=payment_years,
        effective_on=today + dt.timedelta(days=1),
    )
