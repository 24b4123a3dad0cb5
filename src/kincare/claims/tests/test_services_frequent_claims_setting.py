"""KINCARE_CLAIMS_FREQUENT_CLAIMS: the N of "more than N claims in 90 days" the services pass to the engine."""

from __future__ import annotations

import pytest

from kincare.claims.tests.services_helpers import issued_policy, submit

pytestmark = pytest.mark.usefixtures("catalog")


def test_it_flags_the_claim_after_the_nth_in_90_days(guardian, guardian_member, sandbox_pay, settings):
    settings.CLAIMS_FREQUENT_CLAIMS = 1
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)
    first, second, third = (submit(guardian, policy) for _ in range(3))
    assert (first.flags, second.flags, third.flags) == ([], [], ["frequent_claims"])
    line = next(line for line in third.engine_result["lines"] if line.get("flag") == "frequent_claims")
    assert (line["claims_last_90_days"], line["threshold"]) == (2, 1)
