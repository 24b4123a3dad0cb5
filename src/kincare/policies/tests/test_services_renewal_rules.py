"""Which rules a renewal is checked against: a yearly renewal is a new contract on today's terms
(social insurance, occupation); a guaranteed renewal cannot be refused for those reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.catalog.models import Product
from kincare.core.errors import ValidationFailed
from kincare.core.models import Notification
from kincare.families.models import Member
from kincare.policies import services
from kincare.policies.models import Application, Policy
from kincare.policies.services.common import local_midnight
from kincare.policies.tests.services_helpers import ADULT_ACCIDENT, CHRONIC, CHRONIC_YEARLY, buy, pay, product

pytestmark = pytest.mark.usefixtures("catalog")
Status = Application.Status


def _ending_in(policy: Policy, days: int) -> Policy:
    Policy.objects.filter(pk=policy.pk).update(ends_at=local_midnight(timezone.localdate() + dt.timedelta(days=days)))
    policy.refresh_from_db()
    return policy


def test_a_yearly_renewal_is_refused_for_an_occupation_the_product_does_not_cover(
    guardian, guardian_member, sandbox_pay
):
    assert product(ADULT_ACCIDENT).renewal_kind == "yearly"
    assert 4 not in product(ADULT_ACCIDENT).occupation_classes
    [policy] = buy(guardian, sandbox_pay, code=ADULT_ACCIDENT, policyholder=guardian_member, insured=[guardian_member])
    _ending_in(policy, 10)
    Member.objects.filter(pk=guardian_member.pk).update(occupation_class=4)
    assert services.policies_offer_renewals() == 0
    assert not Application.objects.filter(renewal_of=policy).exists()
    notice = Notification.objects.get(kind="policies.renewal_unavailable")
    assert "职业" in notice.body


def test_a_yearly_renewal_offered_before_the_occupation_changed_is_refused_at_payment(
    guardian, guardian_member, sandbox_pay
):
    [policy] = buy(guardian, sandbox_pay, code=ADULT_ACCIDENT, policyholder=guardian_member, insured=[guardian_member])
    _ending_in(policy, 10)
    assert services.policies_offer_renewals() == 1
    offer = Application.objects.get(renewal_of=policy)
    assert offer.status == Status.READY
    Member.objects.filter(pk=guardian_member.pk).update(occupation_class=4)
    with pytest.raises(ValidationFailed) as exc:
        services.application_pay(actor=guardian, application=offer)
    assert exc.value.code == "occupation_not_covered"


def test_a_yearly_renewal_is_refused_without_the_social_insurance_the_product_now_requires(
    guardian, guardian_member, sandbox_pay
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC_YEARLY, policyholder=guardian_member, insured=[guardian_member])
    _ending_in(policy, 10)
    Product.objects.filter(code=CHRONIC_YEARLY, is_current=True).update(social_insurance_required=True)
    Member.objects.filter(pk=guardian_member.pk).update(social_insurance="none")
    assert services.policies_offer_renewals() == 0
    assert "社保" in Notification.objects.get(kind="policies.renewal_unavailable").body


def test_a_guaranteed_renewal_is_not_refused_for_social_insurance_or_occupation(
    guardian, guardian_member, grandparent, sandbox_pay
):
    [policy] = buy(guardian, sandbox_pay, code=CHRONIC, policyholder=guardian_member, insured=[grandparent])
    _ending_in(policy, 10)
    # the product's terms tightened and the grandparent's situation changed: the guarantee holds
    Product.objects.filter(pk=policy.product_id).update(social_insurance_required=True, occupation_classes=[1, 2, 3])
    Member.objects.filter(pk=grandparent.pk).update(social_insurance="none", occupation_class=5)
    assert services.policies_offer_renewals() == 1
    offer = Application.objects.get(renewal_of=policy)
    assert offer.status == Status.READY
    pay(guardian, offer, sandbox_pay)
    assert offer.status == Status.ISSUED
    assert offer.policies.get().first_effective_on == policy.first_effective_on
