"""On PostgreSQL: claims of one member adjudicated at the same moment consume the deductible once
(the accumulator row lock), their payouts add up, the ledger stays balanced; two adjusters
pressing approve at once pay once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kincare.claims import services
from kincare.claims.form_schemas import claim_draft
from kincare.claims.models import Claim, ClaimAccumulator
from kincare.claims.services import submit as submit_module
from kincare.claims.tests.services_helpers import (
    FAMILY_DEDUCTIBLE,
    backdate,
    example,
    issued_policy,
    submit,
    unique_pdf,
    upload,
)
from kincare.core.errors import Conflict
from kincare.core.ledger.checks import reconcile
from kincare.core.ledger.models import JournalEntry
from kincare.core.ledger.selectors import account_balance
from kincare.policies.tests.services_helpers import buy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalog")]

THREADS = 4


def _together(fn, jobs):
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        try:
            barrier.wait(timeout=10)
            return fn(job)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(worker, jobs))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _invoice() -> list[tuple[str, object]]:
    """An invoice of its own: without a document a payout waits for an adjuster."""
    return [("invoice", upload(unique_pdf()))]


def _deductible_applied(claims: list[Claim]) -> int:
    return sum(c.engine_result["deductible_applied_fen"] for c in claims)


def test_two_claims_submitted_at_once_consume_the_deductible_once(guardian, guardian_member, sandbox_pay):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)

    def claim(_i):
        return services.claim_submit(
            actor=guardian, policy=policy, member=guardian_member, draft=claim_draft(**example()), documents=_invoice()
        )

    claims = [Claim.objects.get(pk=c.pk) for c in _together(claim, range(2))]
    assert _deductible_applied(claims) == 1_000_000
    assert sorted(c.payout_fen for c in claims) == [300_000, 1_300_000]
    row = ClaimAccumulator.objects.get(policy=policy)
    assert row.deductible_used == {"main": 1_000_000}
    assert row.paid == {"general": 1_600_000}
    assert account_balance(f"family:{policy.family_id}:claim_payouts") == 1_600_000
    assert reconcile() == []


def test_stored_claims_adjudicated_at_once_in_threads_also_consume_it_once(
    guardian, guardian_member, sandbox_pay, monkeypatch
):
    """Four claims of 10,000 yuan each on a 10,000 yuan deductible: exactly one is swallowed by it."""
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)
    items = [{"category": "drug", "amount_fen": 1_000_000}]
    monkeypatch.setattr(submit_module, "adjudicate_new", lambda claim, **kwargs: claim)  # stored, not yet decided
    stored = [
        submit(guardian, policy, items=items, social_insurance_paid_fen=0, social_insurance_used=False)
        for _i in range(THREADS)
    ]
    monkeypatch.undo()
    assert {c.status for c in stored} == {"submitted"}

    def adjudicate(claim):
        return services.claim_adjudicate(claim=claim)

    done = [Claim.objects.get(pk=c.pk) for c in _together(adjudicate, stored)]
    assert _deductible_applied(done) == 1_000_000
    # 60% of 10,000 yuan for every claim but the one that met the deductible
    assert sorted(c.engine_result["payout_fen"] for c in done) == [0] + [600_000] * (THREADS - 1)
    row = ClaimAccumulator.objects.get(policy=policy)
    assert row.deductible_used == {"main": 1_000_000}
    assert row.paid == {"general": 600_000 * (THREADS - 1)}


def test_a_family_shared_deductible_is_used_once_when_two_members_claim_at_once(
    guardian, guardian_member, child, sandbox_pay
):
    mine, childs = buy(
        guardian, sandbox_pay, code=FAMILY_DEDUCTIBLE, plan="standard", policyholder=guardian_member,
        insured=[guardian_member, child],
    )  # fmt: skip
    mine, childs = backdate(mine), backdate(childs)

    def claim(pair):
        policy, member = pair
        return services.claim_submit(
            actor=guardian, policy=policy, member=member, draft=claim_draft(**example()), documents=_invoice()
        )

    claims = [Claim.objects.get(pk=c.pk) for c in _together(claim, [(mine, guardian_member), (childs, child)])]
    assert _deductible_applied(claims) == 1_000_000
    assert sorted(c.payout_fen for c in claims) == [300_000, 1_300_000]
    used = [r.deductible_used.get("main", 0) for r in ClaimAccumulator.objects.all()]
    assert sum(used) == 1_000_000


def test_two_adjusters_approving_at_once_pay_once(
    guardian, guardian_member, claims_adjuster, second_adjuster, sandbox_pay
):
    policy = issued_policy(guardian, sandbox_pay, policyholder=guardian_member, insured=guardian_member)
    claim = submit(guardian, policy, invoice_numbers=["INV-9"])
    flagged = submit(guardian, policy, invoice_numbers=["INV-9"])
    assert flagged.status == "manual_review"

    def approve(actor):
        try:
            return services.claim_review_approve(actor=actor, claim=flagged)
        except Conflict as exc:
            return exc

    results = _together(approve, [claims_adjuster, second_adjuster])
    assert sorted(type(r).__name__ for r in results) == ["Claim", "Conflict"]
    assert JournalEntry.objects.filter(kind="claim_payout").count() == 2
    assert ClaimAccumulator.objects.get(policy=policy).paid == {"general": claim.payout_fen + 1_300_000}
    assert reconcile() == []
