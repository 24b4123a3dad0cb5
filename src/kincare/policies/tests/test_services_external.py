"""External policies (保单托管): who may record and remove them, and what is a valid one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kincare.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kincare.core.models import AuditEvent
from kincare.policies import selectors, services
from kincare.policies.form_schemas import ExternalPolicyInput
from kincare.policies.models import ExternalPolicy

TODAY = timezone.localdate()


def record(actor, insured, **overrides) -> ExternalPolicy:
    values = {
        "insurer_name": "某人寿保险股份有限公司",
        "product_name": "守护定期寿险",
        "category": "term_life",
        "sum_insured_fen": 100_000_000,
        "premium_fen": 120_000,
        "starts_on": TODAY - dt.timedelta(days=200),
        "ends_on": TODAY + dt.timedelta(days=3000),
        "policy_number": "P-2024-001",
        **overrides,
    }
    # parsed at the edge first, as the API and the page do: the service takes the typed values
    return services.external_policy_add(actor=actor, insured=insured, **ExternalPolicyInput(**values).model_dump())


def test_the_guardian_records_a_policy_for_any_member(guardian, grandparent, child, adult_row):
    for member in (grandparent, child, adult_row):
        external = record(guardian, member)
        assert (external.insured, external.family_id, external.verified) == (member, member.family_id, False)
        assert external.created_by == guardian
    assert AuditEvent.objects.filter(action="external_policy.added").count() == 3


def test_an_adult_records_only_their_own(adult_member, adult_row, grandparent):
    assert record(adult_member, adult_row).insured == adult_row
    with pytest.raises(PermissionDenied) as exc:
        record(adult_member, grandparent)
    assert exc.value.code == "external_policy_not_allowed"


def test_an_outsider_cannot_record_or_see_them(outsider, guardian, grandparent):
    with pytest.raises(NotFound):
        record(outsider, grandparent)
    external = record(guardian, grandparent)
    assert not selectors.external_policy_list(user=outsider).filter(pk=external.pk).exists()
    with pytest.raises(NotFound):
        services.external_policy_remove(actor=outsider, external_policy=external)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"category": "pet"}, "category_unknown"),
        ({"sum_insured_fen": 0}, "amount_invalid"),
        ({"sum_insured_fen": -5}, "amount_invalid"),
        ({"sum_insured_fen": 10.5}, "amount_invalid"),
        ({"premium_fen": -1}, "amount_invalid"),
        ({"premium_fen": True}, "amount_invalid"),
        ({"ends_on": TODAY - dt.timedelta(days=300)}, "period_invalid"),
        ({"starts_on": "2024-13-01"}, "date_invalid"),
        ({"starts_on": TODAY + dt.timedelta(days=800)}, "period_invalid"),
        ({"insurer_name": "  "}, "insurer_name_invalid"),
        ({"product_name": "x" * 121}, "product_name_invalid"),
    ],
)
def test_invalid_policies_are_refused(guardian, grandparent, overrides, code):
    with pytest.raises(ValidationFailed) as exc:
        record(guardian, grandparent, **overrides)
    assert exc.value.code == code
    assert not ExternalPolicy.objects.exists()


def test_a_policy_without_an_end_and_without_premium_is_fine(guardian, grandparent):
    external = record(guardian, grandparent, ends_on=None, premium_fen=0, category="critical_illness")
    assert external.ends_on is None and external.premium_fen == 0


def test_the_guardian_or_the_insured_adult_may_remove(guardian, adult_member, adult_row, grandparent):
    by_guardian = record(guardian, grandparent)
    hers = record(adult_member, adult_row)
    with pytest.raises(PermissionDenied):
        services.external_policy_remove(actor=adult_member, external_policy=by_guardian)
    removed = services.external_policy_remove(actor=adult_member, external_policy=hers)
    assert removed.removed_at is not None
    assert services.external_policy_remove(actor=guardian, external_policy=by_guardian).removed_at is not None
    assert not selectors.external_policy_list(user=guardian).exists()
    with pytest.raises((NotFound, Conflict)):
        services.external_policy_remove(actor=guardian, external_policy=by_guardian)


def test_every_family_member_sees_the_familys_external_policies(guardian, adult_member, grandparent):
    external = record(guardian, grandparent)
    assert list(selectors.external_policy_list(user=adult_member)) == [external]
