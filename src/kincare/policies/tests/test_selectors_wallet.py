"""The family wallet and the policy reads: the family sees its cover, exclusions only where allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import NotFound
from kincare.core.models import AuditEvent
from kincare.policies import selectors, services
from kincare.policies.models import Policy
from kincare.policies.services.common import add_years
from kincare.policies.tests.services_helpers import (
    CHILD_ACCIDENT,
    CHRONIC,
    TERM_LIFE,
    apply,
    buy,
    hepatitis_b_carrier,
)

pytestmark = pytest.mark.usefixtures("catalog")
TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def family_cover(guardian, guardian_member, grandparent, child, adult_member, adult_row, sandbox_pay):
    [grandpa] = buy(
        guardian,
        sandbox_pay,
        code=CHRONIC,
        policyholder=guardian_member,
        insured=[grandparent],
        answers={grandparent.pk: [hepatitis_b_carrier()]},
    )
    [kid] = buy(guardian, sandbox_pay, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    [life] = buy(
        adult_member, sandbox_pay, code=TERM_LIFE, policyholder=adult_row, insured=[adult_row], payment_years=20
    )
    external = services.external_policy_add(
        actor=guardian,
        insured=grandparent,
        insurer_name="某财产保险公司",
        product_name="老年防癌医疗",
        category="medical",
        sum_insured_fen=100_000_000,
        premium_fen=80_000,
        starts_on=TODAY - dt.timedelta(days=100),
        ends_on=TODAY + dt.timedelta(days=265),
    )
    return {"grandpa": grandpa, "kid": kid, "life": life, "external": external}


def _items(wallet, member):
    [row] = [m for m in wallet.members if m.id == member.pk]
    return row


def test_the_wallet_lists_every_member_with_cover_grouped_by_category(
    guardian, guardian_member, grandparent, child, adult_row, family_cover
):
    wallet = selectors.wallet(user=guardian)
    assert [m.id for m in wallet.members] == sorted(m.id for m in wallet.members)
    assert {m.id for m in wallet.members} == {guardian_member.pk, grandparent.pk, child.pk, adult_row.pk}
    grandpa = _items(wallet, grandparent)
    [medical] = grandpa.groups
    assert (medical.category, medical.label) == ("medical", "百万医疗")
    platform, external = sorted(medical.items, key=lambda item: item.source == "external")
    policy = family_cover["grandpa"]
    assert (platform.id, platform.number, platform.source, platform.status) == (
        policy.pk,
        policy.number,
        "platform",
        "active",
    )
    assert platform.status_label == "待生效"  # paid today: cover starts at 00:00 tomorrow
    assert platform.product_name == policy.product.name and platform.insurer == policy.product.insurer.short_name
    assert (platform.starts_on, platform.ends_on) == (TOMORROW, add_years(TOMORROW, 1) - dt.timedelta(days=1))
    assert platform.next_renewal_on == add_years(TOMORROW, 1)  # one-year cover: renew by its end
    assert (platform.sum_insured_fen, platform.premium_fen) == (policy.sum_insured_fen, policy.premium_fen)
    assert platform.unverified is False
    assert (external.source, external.unverified, external.status, external.exclusions) == (
        "external",
        True,
        "in_force",
        None,
    )
    assert _items(wallet, guardian_member).groups == []
    assert [g.category for g in _items(wallet, child).groups] == ["accident"]


def test_a_long_term_policy_paid_yearly_shows_the_next_premium_date(guardian, adult_row, family_cover):
    life = _items(selectors.wallet(user=guardian), adult_row).groups[0].items[0]
    assert life.category == "term_life"
    assert life.next_renewal_on == add_years(TOMORROW, 1)


def test_exclusions_show_to_the_policyholder_and_are_audited(guardian, grandparent, family_cover):
    item = _items(selectors.wallet(user=guardian), grandparent).platform[0]
    assert item.exclusions and "B18" in item.exclusions[0]["icd10"]
    assert item.exclusions_hidden is False
    assert AuditEvent.objects.filter(action="policy_exclusions.read", actor=guardian).exists()


def test_another_adult_sees_the_familys_policies_but_not_the_exclusions(adult_member, grandparent, family_cover):
    item = _items(selectors.wallet(user=adult_member), grandparent).platform[0]
    assert item.number == family_cover["grandpa"].number
    assert item.exclusions is None and item.exclusions_hidden is True
    assert not selectors.policy_exclusions_visible(adult_member, family_cover["grandpa"])


def test_the_insured_sees_their_own_exclusions(adult_member, guardian, family_cover):
    assert selectors.policy_exclusions_visible(adult_member, family_cover["life"])
    assert selectors.policy_exclusions_visible(guardian, family_cover["grandpa"])


def test_an_outsider_sees_nothing(outsider, family_cover):
    wallet = selectors.wallet(user=outsider)
    assert wallet.count == 0
    for policy in family_cover.values():
        if isinstance(policy, Policy):
            with pytest.raises(NotFound):
                selectors.policy_get(user=outsider, policy_id=policy.pk)
            assert not selectors.policy_exclusions_visible(outsider, policy)
    assert not selectors.policy_list(user=outsider).exists()
    assert not selectors.application_list(user=outsider).exists()


def test_every_member_lists_the_familys_policies_and_applications(adult_member, guardian, family_cover):
    assert set(selectors.policy_list(user=adult_member)) == set(selectors.policy_list(user=guardian))
    assert selectors.policy_list(user=guardian).count() == 3
    assert selectors.application_list(user=adult_member).count() == 3
    assert selectors.policy_get(user=adult_member, policy_id=family_cover["kid"].pk) == family_cover["kid"]
    with pytest.raises(NotFound):
        selectors.policy_get(user=adult_member, policy_id="not-a-number")


def test_an_unpaid_attempt_is_pending_in_the_wallet_and_hidden_once_lapsed(guardian, guardian_member, child):
    application = apply(guardian, code=CHILD_ACCIDENT, policyholder=guardian_member, insured=[child])
    services.application_pay(actor=guardian, application=application)
    [item] = _items(selectors.wallet(user=guardian), child).items
    assert (item.status, item.number, item.starts_on, item.next_renewal_on) == ("pending_payment", "", None, None)
    Policy.objects.filter(application=application).update(status=Policy.Status.LAPSED)
    assert _items(selectors.wallet(user=guardian), child).items == []


def test_someone_without_a_family_has_an_empty_wallet(underwriter):
    wallet = selectors.wallet(user=underwriter)
    assert (wallet.family, wallet.members) == (None, [])
