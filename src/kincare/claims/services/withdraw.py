"""Withdrawing a claim (撤回理赔): the claimant takes back a claim nobody has decided yet.

``claim_withdraw(actor=, claim=)`` — the insured, the submitter or the guardian acting for a minor or
a member without an account (``claim_policy`` action ``withdraw``: a health-data grantee who reads the
claim gets 403, anyone else 404) withdraws a
claim that is ``submitted`` or waiting for an adjuster (``manual_review``). It leaves the adjusters'
queue; nothing was paid or counted yet (the accumulators wait for an approval), so nothing is undone.
Once an adjuster has approved it (``awaiting_second_approval``) or it is decided, it cannot be
withdrawn (``claim_not_withdrawable``, 409). The move is a state-machine transition (history and
audit). A withdrawn claim's documents and invoice numbers no longer count as duplicates, so the
family may submit the claim again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kincare.claims.models import Claim
from kincare.claims.policies import claim_policy
from kincare.core.errors import Conflict
from kincare.core.fsm import transition

__all__ = ["WITHDRAWABLE_STATUSES", "claim_withdraw"]

#: statuses a claimant may withdraw from (nobody has decided or approved anything yet)
WITHDRAWABLE_STATUSES = (Claim.Status.SUBMITTED, Claim.Status.MANUAL_REVIEW)


def claim_withdraw(*, actor: Any, claim: Claim) -> Claim:
    """Withdraw a claim still waiting for a decision; returns the claim (``withdrawn``)."""
    claim_policy.require(actor, "withdraw", claim)
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        if locked.status not in WITHDRAWABLE_STATUSES:
            raise Conflict(_("该理赔已进入复核或已处理完毕，不能撤回"), code="claim_not_withdrawable", field="claim")
        transition(locked, to=Claim.Status.WITHDRAWN, actor=actor, reason="withdrawn_by_claimant")
    return locked
