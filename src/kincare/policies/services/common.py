"""Helpers shared by the policies services: dates in Asia/Shanghai, death benefits, the insurer account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from kincare.catalog.models import Category, Insurer, Plan, Product
from kincare.core.fsm import status_history
from kincare.core.ledger.models import Account
from kincare.core.ledger.services import account_ensure
from kincare.core.money import apply_ratio
from kincare.core.payments.models import PaymentOrder
from kincare.core.regulation import minor_death_cap_fen as minor_death_cap_fen
from kincare.families.models import Member
from kincare.policies.models import Application, ExternalPolicy, Policy

#: products sold for one year at a time (renewed by a new policy); the others run to an age
ONE_YEAR_CATEGORIES = frozenset({Category.MEDICAL.value, Category.ACCIDENT.value})
#: products whose plan cover is paid on death
LIFE_CATEGORIES = frozenset({Category.TERM_LIFE.value})
#: external policies that count towards a minor's death benefit
DEATH_BENEFIT_CATEGORIES = frozenset({Category.TERM_LIFE.value, Category.ACCIDENT.value})
ACCIDENTAL_DEATH_BENEFIT = "accidental_death_disability"
#: premium accounts of insurers: every premium of the platform credits one of them
INSURER_ACCOUNT_BUCKETS = 8
#: live statuses: a policy in one of them is (or is about to be) cover
LIVE_POLICY_STATUSES = (Policy.Status.ACTIVE, Policy.Status.PENDING_PAYMENT)
#: what counts when a paid order is about to issue: cover in force (other unpaid attempts may never be paid)
ISSUED_POLICY_STATUSES = (Policy.Status.ACTIVE,)
#: order statuses after which a payment attempt is over without payment
UNPAID_FINAL = (PaymentOrder.Status.EXPIRED, PaymentOrder.Status.CLOSED, PaymentOrder.Status.FAILED)


def order_key(application: Application) -> str:
    """The idempotency key of the application's current payment attempt (n = the how-many-th)."""
    attempt = status_history(application).filter(to_status=Application.Status.PENDING_PAYMENT).count()
    return f"application:{application.pk}:premium:{attempt}"


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def loaded_premium_fen(base_premium_fen: int, loading_pct: int) -> int:
    """base × (1 + loading/100), rounded half-up to the fen once."""
    if not loading_pct:
        return base_premium_fen
    return apply_ratio(base_premium_fen, Decimal(100 + loading_pct) / Decimal(100))


def product_death_benefit_fen(product: Product, plan: Plan, *, age: int) -> int:
    """What the product pays on the insured's death.

    term_life: the plan's cover; accident: the plan's cover when the product has an
    accidental death/disability benefit; other categories pay no death benefit. A product whose
    terms say ``minor_death_capped`` pays a minor at most the regulatory cap.
    """
    if product.category in LIFE_CATEGORIES or (
        product.category == Category.ACCIDENT
        and any(b.kind == ACCIDENTAL_DEATH_BENEFIT for b in product.benefits.all())
    ):
        amount = plan.cover_fen
    else:
        return 0
    cap = minor_death_cap_fen(age)
    if cap is not None and (product.terms or {}).get("minor_death_capped"):
        amount = min(amount, cap)
    return amount


def existing_death_benefit_fen(
    member: Member,
    *,
    effective_on: dt.date,
    exclude_application: Application | None = None,
    exclude_policy: Policy | None = None,
    statuses: tuple[str, ...] = LIVE_POLICY_STATUSES,
) -> int:
    """The member's death benefit already in force (or being paid for) on ``effective_on``.

    Platform policies in ``statuses`` (active or pending payment; at issue: active only) that
    have not ended by then (a policy and its renewal count once: the renewal replaces it),
    plus external term-life and accident policies recorded by the family that have not ended.
    """
    start = local_midnight(effective_on)
    platform = (
        Policy.objects.filter(family_id=member.family_id, insured=member, status__in=statuses)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
        .exclude(renewed_by__status__in=statuses)
    )
    if exclude_application is not None:
        platform = platform.exclude(application=exclude_application)
    if exclude_policy is not None:
        platform = platform.exclude(pk=exclude_policy.pk)
    external = ExternalPolicy.objects.filter(
        family_id=member.family_id,
        insured=member,
        removed_at__isnull=True,
        category__in=DEATH_BENEFIT_CATEGORIES,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=effective_on))
    return int(platform.aggregate(total=Sum("death_benefit_fen"))["total"] or 0) + int(
        external.aggregate(total=Sum("sum_insured_fen"))["total"] or 0
    )


def insurer_premiums_code(insurer: Insurer) -> str:
    return f"insurer:{insurer.code}:premiums"


def insurer_premiums_account(insurer: Insurer) -> Account:
    """What the platform owes an insurer in premiums (liability; never negative)."""
    return account_ensure(
        code=insurer_premiums_code(insurer),
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name=f"应付保险公司保费：{insurer.short_name}",
        buckets=INSURER_ACCOUNT_BUCKETS,
        owner=insurer,
    )


def policy_ends_at(product: Product, insured: Member, effective_at: dt.datetime) -> dt.datetime:
    """One-year products end a year after they start; long-term ones on the insured's birthday
    at ``terms.coverage_end_age`` (a year when the product names no such age)."""
    start = local_date(effective_at)
    if product.category not in ONE_YEAR_CATEGORIES:
        end_age = int((product.terms or {}).get("coverage_end_age") or 0)
        if end_age:
            end = local_midnight(add_years(insured.birth_date, end_age))
            if end > effective_at:
                return end
    return local_midnight(add_years(start, 1))


def renewal_guaranteed(policy: Policy, effective_on: dt.date) -> bool:
    """A renewal starting on ``effective_on`` is guaranteed (保证续保): same terms, no new underwriting."""
    product = policy.product
    if product.renewal_kind != Product.RenewalKind.GUARANTEED:
        return False
    first = policy.first_effective_on or effective_on
    return effective_on < add_years(first, product.guaranteed_years)


def is_one_year(product: Product) -> bool:
    return product.category in ONE_YEAR_CATEGORIES


def user_of(member: Member) -> Any:
    """The member's account, if they have one and are still in the family."""
    return member.user if member.user_id is not None and member.removed_at is None else None
