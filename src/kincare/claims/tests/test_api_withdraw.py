"""POST /claims/{id}/withdraw × personas: the claimant withdraws a claim waiting for an adjuster; another
adult without a grant and outsiders get 404, a grantee 403, anonymous callers 401; a decided claim 409."""

from __future__ import annotations

import pytest

from kincare.claims.tests.api_helpers import API, client_for, error, medical_policy, ok, submit, submit_json
from kincare.families.services.health import health_grant_give

LARGE = {"diagnoses": ["C34.1"], "items": [{"category": "surgery", "amount_fen": 9_000_000}]}


@pytest.fixture
def guardian_policy(catalog, guardian, guardian_member, sandbox_pay):
    return medical_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)


@pytest.fixture
def waiting(guardian, guardian_member, guardian_policy):
    claim = submit_json(client_for(guardian), guardian_policy, guardian_member, **LARGE)
    assert claim["status"] == "manual_review"
    return claim


def _withdraw(user, claim):
    return client_for(user).post(f"{API}/{claim['id']}/withdraw")


def test_the_guardian_withdraws_his_claim(guardian, waiting):
    found = ok(_withdraw(guardian, waiting))
    assert (found["status"], found["status_label"]) == ("withdrawn", "已撤回")
    assert ok(client_for(guardian).get(f"{API}/{waiting['id']}"))["status"] == "withdrawn"


def test_a_decided_claim_is_409(guardian, guardian_member, guardian_policy):
    paid = submit(client_for(guardian), guardian_policy, guardian_member)
    assert error(_withdraw(guardian, paid), 409, "claim_not_withdrawable")["field"] == "claim"


def test_other_adults_outsiders_and_anonymous_callers_cannot(
    guardian, guardian_member, adult_member, adult_row, outsider, waiting
):
    error(_withdraw(adult_member, waiting), 404, None)
    error(_withdraw(outsider, waiting), 404, None)
    error(client_for().post(f"{API}/{waiting['id']}/withdraw"), 401, "not_authenticated")
    health_grant_give(actor=guardian, grantor=guardian_member, grantee=adult_row)
    error(_withdraw(adult_member, waiting), 403, "permission_denied")
    assert ok(client_for(guardian).get(f"{API}/{waiting['id']}"))["status"] == "manual_review"
