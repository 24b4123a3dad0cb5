"""Regulatory and product rules, checked at the effective date (tomorrow): clear, stable codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import ValidationFailed
from kincare.families.models import Member
from kincare.families.tests import factories
from kincare.policies import services
from kincare.policies.services.common import (
    add_years,
    loaded_premium_fen,
    minor_death_cap_fen,
    product_death_benefit_fen,
)
from kincare.policies.tests.fixtures import years_ago
from kincare.policies.tests.services_helpers import (
    ADULT_ACCIDENT,
    CHILD_ACCIDENT,
    CHILD_ACCIDENT_CAPPED,
    CHRONIC,
    STANDARD_MEDICAL,
    TERM_LIFE,
    apply,
    buy,
    product,
)

pytestmark = pytest.mark.usefixtures("catalog")
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)


def quote_error(code: str, members: list[Member], **kwargs) -> ValidationFailed:
    kwargs.setdefault("plan_code", product(code).plans.order_by("position").first().code)
    with pytest.raises(ValidationFailed) as exc:
        services.policy_quote(product=product(code), members=members, **kwargs)
    return exc.value


def born(family, *, days_before_tomorrow: int = 0, years: int = 0, **kwargs) -> Member:
    """A member whose age at the effective date (tomorrow) is exactly as given (a birthday tomorrow)."""
    birth = TOMORROW - dt.timedelta(days=days_before_tomorrow) if days_before_tomorrow else add_years(TOMORROW, -years)
    kwargs.setdefault("relationship", "child")
    return factories.member_add(family, name=kwargs.pop("name", "王某"), birth_date=birth, **kwargs)


# -- issue ages ----------------------------------------------------------------------------------


def test_a_baby_younger_than_the_minimum_days_at_the_effective_date_is_refused(family):
    minimum = product(CHRONIC).issue_age_min_days
    too_young = born(family, days_before_tomorrow=minimum - 1, name="王宝宝")
    assert quote_error(CHRONIC, [too_young]).code == "age_below_min"
    old_enough = born(family, days_before_tomorrow=minimum, name="王贝贝")
    assert services.policy_quote(product=product(CHRONIC), plan_code="standard", members=[old_enough]).total_fen > 0


def test_someone_above_the_maximum_age_at_the_effective_date_is_refused(family, grandparent):
    assert product(STANDARD_MEDICAL).issue_age_max_years == 65
    error = quote_error(STANDARD_MEDICAL, [grandparent])  # 66
    assert error.code == "age_above_max"
    assert "65" in error.message
    turning_66_tomorrow = born(family, years=66, name="王奶奶", relationship="parent", sex="F")
    assert quote_error(STANDARD_MEDICAL, [turning_66_tomorrow]).code == "age_above_max"


def test_the_age_counts_at_the_effective_date_not_today(family):
    # 64 today, 65 tomorrow: still within 65
    member = born(family, years=65, name="王爷爷", relationship="parent")
    assert (
        services.policy_quote(product=product(STANDARD_MEDICAL), plan_code="standard", members=[member]).lines[0].age
        == 65
    )


def test_an_adult_only_product_refuses_a_child(child):
    assert quote_error(ADULT_ACCIDENT, [child]).code == "age_below_min"


# -- social insurance, occupation, product ------------------------------------------------------


def test_a_product_requiring_social_insurance_refuses_a_member_without(family, grandparent):
    medical = product(CHRONIC)
    medical.social_insurance_required = True
    medical.save(update_fields=["social_insurance_required"])
    without = factories.member_add(
        family, name="王二叔", birth_date=years_ago(50), relationship="other", social_insurance="none"
    )
    assert quote_error(CHRONIC, [without]).code == "social_insurance_required"
    assert services.policy_quote(product=medical, plan_code="standard", members=[grandparent]).total_fen > 0


def test_an_occupation_class_the_product_does_not_cover_is_refused(family):
    worker = factories.member_add(
        family, name="王三叔", birth_date=years_ago(45), relationship="other", occupation_class=5
    )
    assert 5 not in product(CHRONIC).occupation_classes
    assert quote_error(CHRONIC, [worker]).code == "occupation_not_covered"


def test_an_unknown_plan_and_payment_term_are_refused(adult_row):
    assert quote_error(TERM_LIFE, [adult_row], plan_code="gold").code == "plan_unknown"
    assert quote_error(TERM_LIFE, [adult_row], plan_code="si_500k", payment_years=7).code == "payment_years_unavailable"
    quote = services.policy_quote(
        product=product(TERM_LIFE), plan_code="si_500k", members=[adult_row], payment_years=30
    )
    assert quote.payment_years == 30


def test_a_product_off_sale_is_refused(guardian_member):
    medical = product(CHRONIC)
    medical.on_sale = False
    medical.save(update_fields=["on_sale"])
    assert quote_error(CHRONIC, [guardian_member]).code == "not_on_sale"


def test_a_deceased_member_cannot_be_insured(grandparent):
    grandparent.deceased_on = TODAY - dt.timedelta(days=3)
    grandparent.save(update_fields=["deceased_on"])
    assert quote_error(CHRONIC, [grandparent]).code == "member_deceased"


def test_the_premium_follows_sex_age_band_and_social_insurance(grandparent):
    quote = services.policy_quote(product=product(CHRONIC), plan_code="standard", members=[grandparent])
    row = product(CHRONIC).premium_rows.get(
        plan__code="standard", sex="M", social_insurance=True, age_min__lte=66, age_max__gte=66
    )
    assert quote.lines[0].base_premium_fen == row.annual_premium_fen
    assert quote.lines[0].age == 66


# -- premium with loading -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "loading", "premium"),
    [(100_000, 0, 100_000), (100_000, 25, 125_000), (12_345, 25, 15_431), (12_346, 25, 15_433), (333, 50, 500)],
)
def test_a_loading_is_priced_half_up_to_the_fen(base, loading, premium):
    assert loaded_premium_fen(base, loading) == premium


# -- minors' death benefit cap ------------------------------------------------------------------


def test_the_minor_cap_is_200k_under_10_and_500k_from_10_to_17():
    assert minor_death_cap_fen(0) == minor_death_cap_fen(9) == 20_000_000
    assert minor_death_cap_fen(10) == minor_death_cap_fen(17) == 50_000_000
    assert minor_death_cap_fen(18) is None


def test_a_product_capped_for_minors_counts_only_the_cap(child):
    capped = product(CHILD_ACCIDENT_CAPPED)
    plan = capped.plans.get()
    assert plan.cover_fen == 50_000_000 and capped.terms["minor_death_capped"] is True
    assert product_death_benefit_fen(capped, plan, age=8) == 20_000_000
    assert product_death_benefit_fen(capped, plan, age=12) == 50_000_000
    medical = product(CHRONIC)
    assert product_death_benefit_fen(medical, medical.plans.first(), age=8) == 0


def test_minors_cap_across_two_policies_first_fits_second_exceeds(guardian, guardian_member, child, sandbox_pay):
    buy(guardian, sandbox_pay, code=CHILD_ACCIDENT_CAPPED, policyholder=guardian_member, insured=[child])
    with pytest.raises(ValidationFailed) as exc:
        apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    assert exc.value.code == "minor_death_cap_exceeded"
    assert "200,000.00 元" in exc.value.message  # the cap
    assert "已有 200,000.00 元" in exc.value.message  # what is already covered


def test_an_unpaid_application_already_counts_towards_the_cap(guardian, guardian_member, child):
    application = apply(guardian, code=CHILD_ACCIDENT_CAPPED, policyholder=guardian_member, insured=[child])
    services.application_pay(actor=guardian, application=application)  # pending payment
    with pytest.raises(ValidationFailed) as exc:
        apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    assert exc.value.code == "minor_death_cap_exceeded"


def test_an_external_accident_policy_counts_towards_the_cap(guardian, guardian_member, child):
    services.external_policy_add(
        actor=guardian,
        insured=child,
        insurer_name="某保险公司",
        product_name="学平险",
        category="accident",
        sum_insured_fen=10_000_000,
        premium_fen=10_000,
        starts_on=TODAY - dt.timedelta(days=30),
        ends_on=TODAY + dt.timedelta(days=300),
    )
    with pytest.raises(ValidationFailed) as exc:
        apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    assert exc.value.code == "minor_death_cap_exceeded"
    assert "100,000.00 元" in exc.value.message


def test_an_ended_or_medical_external_policy_does_not_count(guardian, guardian_member, child):
    for category, ends_on in (("accident", TODAY - dt.timedelta(days=1)), ("medical", None)):
        services.external_policy_add(
            actor=guardian,
            insured=child,
            insurer_name="某保险公司",
            product_name="旧保单",
            category=category,
            sum_insured_fen=50_000_000,
            premium_fen=0,
            starts_on=TODAY - dt.timedelta(days=400),
            ends_on=ends_on,
        )
    assert apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child]).status == "ready"


def test_a_teenager_has_the_500k_cap(guardian, guardian_member, family, sandbox_pay):
    teen = factories.member_add(family, name="王小军", birth_date=years_ago(12), relationship="child")
    buy(guardian, sandbox_pay, code=CHILD_ACCIDENT_CAPPED, policyholder=guardian_member, insured=[teen])  # 500k
    with pytest.raises(ValidationFailed) as exc:
        apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[teen])
    assert exc.value.code == "minor_death_cap_exceeded"
    assert "500,000.00 元" in exc.value.message


def test_adults_have_no_death_benefit_cap(adult_member, adult_row, sandbox_pay):
    buy(adult_member, sandbox_pay, code=ADULT_ACCIDENT, policyholder=adult_row, insured=[adult_row])
    assert apply(adult_member, code="acc_02", policyholder=adult_row, insured=[adult_row]).status == "ready"
