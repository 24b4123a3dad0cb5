"""What the crowdfunding services share: the rules' numbers, the escrow account and storing
documents (the campaign's facts as the verification engine reads them are in ``facts``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Sum

from kincare.core.ledger.models import Account, Posting
from kincare.core.ledger.selectors import account_balance
from kincare.core.ledger.services import account_ensure
from kincare.core.money import yuan
from kincare.core.uploads import CheckedFile
from kincare.crowdfunding.engine import surplus_shares
from kincare.crowdfunding.models import Campaign, CampaignDocument, Donation

#: a donation is 1 to 50,000 yuan
#: goals above this are paid out in instalments, each after evidence of the previous one's use
INSTALMENTS_ABOVE_FEN = yuan(300_000)
#: the public disclosure window before any money is paid out
DISCLOSURE_HOURS = 72
#: the campaign's length: 30 days unless the fundraiser says otherwise, at most 60
DEFAULT_DAYS = 30
MAX_DAYS = 60
#: three open reports, or one a reviewer marked credible, pause a campaign
REPORTS_TO_PAUSE = 3
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 30
#: the escrow receives every donation of a campaign: spread its cached balance over many rows
ESCROW_BUCKETS = 64


def escrow_account(campaign: Campaign) -> Account:
    """What the platform holds for the campaign: a public, hash-chained liability that never goes
    below zero; donations credit it, disbursements, refunds and surplus returns debit it."""
    return account_ensure(
        code=campaign.escrow_code,
        kind=Account.Kind.LIABILITY,
        allow_negative=False,
        name=f"筹款托管：{campaign.title}",
        public=True,
        buckets=ESCROW_BUCKETS,
        owner=campaign,
    )


def raised_fen(campaign: Campaign) -> int:
    """What donors gave and kept given, from the ledger: what the escrow holds plus what it paid
    out for the treatment (disbursements, a surplus sent to the promised charity) and the surplus
    returned at close. Money refunded because it arrived too late, or because the campaign was
    terminated, is not counted."""
    escrow = Account.objects.filter(code=campaign.escrow_code).first()
    if escrow is None:
        return 0
    used = Posting.objects.filter(
        account=escrow, amount_fen__gt=0, entry__kind__in=("disbursement", "surplus_to_charity")
    ).aggregate(total=Sum("amount_fen"))["total"]
    returned = Donation.objects.filter(campaign=campaign).aggregate(total=Sum("surplus_returned_fen"))["total"]
    return account_balance(escrow) + int(used or 0) + int(returned or 0)


def pro_rata_shares(amount_fen: int, donations: Sequence[Donation]) -> dict[int, int]:
    """``{donation pk: fen}`` of ``amount_fen`` going back to the donations pro rata (largest
    remainder) — never more back in all than they gave (anything else in the escrow is for
    reconcile to explain)."""
    given = [(d.pk, d.amount_fen) for d in donations]
    return surplus_shares(min(amount_fen, sum(fen for _pk, fen in given)), given)


def documents_store(
    campaign: Campaign, checked: Sequence[tuple[str, CheckedFile]], *, actor: Any, public_kinds: Sequence[str] = ()
) -> list[CampaignDocument]:
    rows = []
    for kind, doc in checked:
        row = CampaignDocument(
            campaign=campaign,
            kind=kind,
            content_type=doc.content_type,
            size=len(doc.content),
            sha256=doc.sha256,
            public=kind in public_kinds or kind == CampaignDocument.Kind.PHOTO,
            uploaded_by=actor,
        )
        row.file.save(f"{secrets.token_hex(16)}.{doc.extension}", ContentFile(doc.content), save=False)
        rows.append(row)
    return CampaignDocument.objects.bulk_create(rows)
