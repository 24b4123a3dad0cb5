"""The double-entry ledger (see shared/spec/money-and-ledger.md).

Sign convention: a posting's ``amount_fen`` is positive for a debit and negative for a
credit; an entry's postings sum to zero. An account's *raw* balance is the sum of its
postings (debits − credits). Its *balance* is shown in its normal direction: raw for assets
and expenses, −raw for liabilities, income and equity. ``allow_negative = False`` means that
normal-direction balance never goes below zero (every escrow, wallet and fund account).

The cached balance is split over ``buckets`` rows (``AccountBalance``) so that credits into a
hot account (a viral campaign's escrow) update different rows and do not queue on one row
lock; a debit from a non-negative account takes the account's row lock and sums the buckets.
Entries, postings and chain links are append-only (database triggers on PostgreSQL refuse
UPDATE and DELETE; corrections are reversing entries).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("资产")
        LIABILITY = "liability", _("负债")
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("费用")
        EQUITY = "equity", _("权益")

    code = models.CharField(max_length=120, unique=True)
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    allow_negative = models.BooleanField(default=False)
    public = models.BooleanField(default=False, help_text="hash-chained public ledger")
    buckets = models.PositiveSmallIntegerField(default=1)
    currency = models.CharField(max_length=3, default="CNY")
    owner_type = models.CharField(max_length=100, blank=True)
    owner_id = models.CharField(max_length=64, blank=True)
    family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(buckets__gte=1) & models.Q(buckets__lte=64), name="ledger_account_buckets_range"
            ),
            models.CheckConstraint(condition=models.Q(currency="CNY"), name="ledger_account_cny_only"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def normal_sign(self) -> int:
        return 1 if self.kind in (self.Kind.ASSET, self.Kind.EXPENSE) else -1


class AccountBalance(models.Model):
    """One bucket of an account's cached raw balance (sum of buckets == sum of postings)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balance_buckets")
    bucket = models.PositiveSmallIntegerField()
    raw_balance_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "bucket"], name="ledger_balance_bucket_unique")]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.bucket}"


class JournalEntry(models.Model):
    kind = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200, unique=True)
    content_hash = models.CharField(max_length=64)
    memo = models.CharField(max_length=500, blank=True)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # no index of its own: the (account, entry) index below serves every lookup by account
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", db_index=False)
    amount_fen = models.BigIntegerField(help_text="debit positive, credit negative")

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [models.CheckConstraint(condition=~models.Q(amount_fen=0), name="ledger_posting_nonzero")]
        indexes = [models.Index(fields=["account", "entry"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen:+d}"


class PublicChainHead(models.Model):
    """The tip of a public account's hash chain; its row lock serialises sealing only."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="chain_head")
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.account_id}@{self.last_seq}"


class PublicChainLink(models.Model):
    """``hash = sha256(prev_hash || canonical_json(entry))`` for one entry on one public account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="chain_links")
    seq = models.BigIntegerField()
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="chain_links")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="ledger_chain_seq_unique"),
            models.UniqueConstraint(fields=["account", "entry"], name="ledger_chain_entry_unique"),
        ]
        ordering = ["account", "seq"]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.seq}"
