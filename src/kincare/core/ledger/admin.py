"""Operator console: accounts with balances, journal entries with their postings (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kincare.core.admin import ReadOnlyAdmin
from kincare.core.ledger.models import Account, JournalEntry, Posting, PublicChainLink
from kincare.core.ledger.selectors import account_balance
from kincare.core.money import format_yuan


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "allow_negative", "public", "balance")
    list_filter = ("kind", "allow_negative", "public")
    search_fields = ("code", "name")
    readonly_fields = [f.name for f in Account._meta.fields]

    @admin.display(description="余额")
    def balance(self, obj: Account) -> str:
        return format_yuan(account_balance(obj))


class PostingInline(admin.TabularInline):
    model = Posting
    fields = ("account", "amount_fen")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "idempotency_key", "subject_type", "subject_id", "reverses")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "subject_id")
    readonly_fields = [f.name for f in JournalEntry._meta.fields]
    inlines = [PostingInline]


@admin.register(PublicChainLink)
class PublicChainLinkAdmin(ReadOnlyAdmin):
    list_display = ("account", "seq", "entry", "hash", "sealed_at")
    readonly_fields = [f.name for f in PublicChainLink._meta.fields]
