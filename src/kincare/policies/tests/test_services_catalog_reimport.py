"""Re-importing the catalog keeps the plans that policies were written on."""

from __future__ import annotations

import pytest

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.policies.models import Policy
from kincare.policies.tests.services_helpers import STANDARD_MEDICAL, buy

pytestmark = pytest.mark.usefixtures("catalog")


def test_the_catalog_can_be_imported_again_after_a_policy_was_issued(guardian, guardian_member, sandbox_pay):
    (policy,) = buy(
        guardian, sandbox_pay, code=STANDARD_MEDICAL, policyholder=guardian_member, insured=[guardian_member]
    )
    plan_id = policy.plan_id

    catalog_import(directory=DATA_DIR)

    policy = Policy.objects.get(pk=policy.pk)
    assert policy.plan_id == plan_id
    assert policy.plan.premium_rows.exists()
