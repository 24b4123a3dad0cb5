"""Operator console: policies, applications (with their insured members) and external policies, read-only.

Underwriters see all three; claims adjusters see policies only (to check the cover a claim is
made on). Nothing is added, edited or deleted here: every change goes through the policies
services. Lists show masked names and resident IDs, never beneficiaries' details, and never
underwriting exclusions (health data: adjusters read them on the audited claim case page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from kincare.core.money import format_yuan
from kincare.core.permissions import is_staff_with
from kincare.core.pii import mask_name, mask_resident_id
from kincare.families.models import Member
from kincare.policies.models import Application, ApplicationInsured, ExternalPolicy, Policy

UNDERWRITER = "underwriter"
CLAIMS_ADJUSTER = "claims_adjuster"
#: status → chip tone (the others are neutral)
STATUS_TONES = {
    "active": "ok",
    "issued": "ok",
    "paid": "ok",
    "ready": "ok",
    "pending_payment": "warn",
    "underwriting": "warn",
    "manual_review": "warn",
    "payment_expired": "warn",
    "declined": "bad",
    "refunded": "bad",
    "lapsed": "bad",
    "terminated": "bad",
}


def _when(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"


def _chip(status: str, label: Any) -> SafeString:
    return format_html('<span class="kc-chip kc-chip-{}">{}</span>', STATUS_TONES.get(status, "muted"), label)


def _person(member: Member | None) -> str:
    return mask_name(member.name) if member is not None else "—"


class ReadOnlyConsoleAdmin(admin.ModelAdmin):
    """Visible to the staff roles in ``roles`` (and superusers) holding the view permission; read-only."""

    roles: tuple[str, ...] = (UNDERWRITER,)
    actions = None
    list_per_page = 50

    class Media:
        css = {"all": ("css/admin_chips.css",)}

    def _allowed(self, request: HttpRequest) -> bool:
        return is_staff_with(request.user, *self.roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyConsoleAdmin):
    roles = (UNDERWRITER, CLAIMS_ADJUSTER)
    list_display = (
        "number",
        "status_chip",
        "product_name",
        "plan_name",
        "insured_masked",
        "policyholder_masked",
        "sum_insured",
        "premium",
        "effective",
        "ends",
    )
    list_filter = ("status", "product__category", "product")
    search_fields = ("number",)
    fields = (
        "number",
        "status_chip",
        "product_name",
        "plan_name",
        "insured_masked",
        "insured_resident_id",
        "policyholder_masked",
        "sum_insured",
        "death_benefit",
        "premium",
        "loading_pct",
        "payment_years",
        "premiums_paid",
        "effective",
        "ends",
        "first_effective_on",
        "issued",
        "renewal_of",
        "application",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Policy]:
        return (
            super()
            .get_queryset(request)
            .select_related("product", "plan", "insured", "policyholder", "renewal_of", "application")
        )

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_chip(self, obj: Policy) -> SafeString:
        return _chip(obj.status, obj.get_status_display())

    @admin.display(description=gettext_lazy("产品"), ordering="product__name")
    def product_name(self, obj: Policy) -> str:
        return obj.product.name

    @admin.display(description=gettext_lazy("计划"))
    def plan_name(self, obj: Policy) -> str:
        return obj.plan.name

    @admin.display(description=gettext_lazy("被保险人"))
    def insured_masked(self, obj: Policy) -> str:
        return _person(obj.insured)

    @admin.display(description=gettext_lazy("被保险人身份证号"))
    def insured_resident_id(self, obj: Policy) -> str:
        return mask_resident_id(obj.insured.resident_id)

    @admin.display(description=gettext_lazy("投保人"))
    def policyholder_masked(self, obj: Policy) -> str:
        return _person(obj.policyholder)

    @admin.display(description=gettext_lazy("保额/限额"), ordering="sum_insured_fen")
    def sum_insured(self, obj: Policy) -> str:
        return format_yuan(obj.sum_insured_fen)

    @admin.display(description=gettext_lazy("身故保额"))
    def death_benefit(self, obj: Policy) -> str:
        return format_yuan(obj.death_benefit_fen)

    @admin.display(description=gettext_lazy("年保费"), ordering="premium_fen")
    def premium(self, obj: Policy) -> str:
        return format_yuan(obj.premium_fen)

    @admin.display(description=gettext_lazy("生效时间"), ordering="effective_at")
    def effective(self, obj: Policy) -> str:
        return _when(obj.effective_at)

    @admin.display(description=gettext_lazy("满期时间"), ordering="ends_at")
    def ends(self, obj: Policy) -> str:
        return _when(obj.ends_at)

    @admin.display(description=gettext_lazy("承保时间"))
    def issued(self, obj: Policy) -> str:
        return _when(obj.issued_at)


class InsuredInline(admin.TabularInline):
    """The application's insured members, read-only and masked (no underwriting reasons)."""

    model = ApplicationInsured
    extra = 0
    can_delete = False
    fields = ("member_masked", "member_resident_id", "base_premium", "loading_pct", "premium", "death_benefit")
    readonly_fields = fields
    verbose_name = gettext_lazy("被保险人")
    verbose_name_plural = gettext_lazy("被保险人")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationInsured]:
        return super().get_queryset(request).select_related("member")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("姓名"))
    def member_masked(self, obj: ApplicationInsured) -> str:
        return _person(obj.member)

    @admin.display(description=gettext_lazy("身份证号"))
    def member_resident_id(self, obj: ApplicationInsured) -> str:
        return mask_resident_id(obj.member.resident_id)

    @admin.display(description=gettext_lazy("标准保费"))
    def base_premium(self, obj: ApplicationInsured) -> str:
        return format_yuan(obj.base_premium_fen)

    @admin.display(description=gettext_lazy("保费"))
    def premium(self, obj: ApplicationInsured) -> str:
        return format_yuan(obj.premium_fen)

    @admin.display(description=gettext_lazy("身故保额"))
    def death_benefit(self, obj: ApplicationInsured) -> str:
        return format_yuan(obj.death_benefit_fen)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyConsoleAdmin):
    list_display = (
        "id",
        "status_chip",
        "kind",
        "product_name",
        "policyholder_masked",
        "insured_count",
        "premium",
        "created",
    )
    list_filter = ("status", "kind", "product")
    search_fields = ("=id", "policies__number")
    fields = (
        "id",
        "status_chip",
        "kind",
        "product_name",
        "plan_name",
        "policyholder_masked",
        "payment_years",
        "premium",
        "renewal_of",
        "instalment_year",
        "effective_on",
        "created",
        "issued",
    )
    readonly_fields = fields
    inlines = [InsuredInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return (
            super()
            .get_queryset(request)
            .select_related("product", "plan", "policyholder", "renewal_of")
            .annotate(insured_total=Count("insured", distinct=True))
        )

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_chip(self, obj: Application) -> SafeString:
        return _chip(obj.status, obj.get_status_display())

    @admin.display(description=gettext_lazy("产品"), ordering="product__name")
    def product_name(self, obj: Application) -> str:
        return obj.product.name

    @admin.display(description=gettext_lazy("计划"))
    def plan_name(self, obj: Application) -> str:
        return obj.plan.name

    @admin.display(description=gettext_lazy("投保人"))
    def policyholder_masked(self, obj: Application) -> str:
        return _person(obj.policyholder)

    @admin.display(description=gettext_lazy("被保险人数"), ordering="insured_total")
    def insured_count(self, obj: Application) -> int:
        return int(getattr(obj, "insured_total", 0))

    @admin.display(description=gettext_lazy("首期保费"), ordering="premium_fen")
    def premium(self, obj: Application) -> str:
        return format_yuan(obj.premium_fen)

    @admin.display(description=gettext_lazy("创建时间"), ordering="created_at")
    def created(self, obj: Application) -> str:
        return _when(obj.created_at)

    @admin.display(description=gettext_lazy("承保时间"))
    def issued(self, obj: Application) -> str:
        return _when(obj.issued_at)


@admin.register(ExternalPolicy)
class ExternalPolicyAdmin(ReadOnlyConsoleAdmin):
    list_display = (
        "insurer_name",
        "product_name",
        "category",
        "policy_number",
        "insured_masked",
        "sum_insured",
        "starts_on",
        "ends_on",
        "verified",
        "removed",
    )
    list_filter = ("verified", "category")
    search_fields = ("policy_number", "insurer_name")
    fields = (
        "insurer_name",
        "product_name",
        "category",
        "policy_number",
        "insured_masked",
        "insured_resident_id",
        "sum_insured",
        "premium",
        "starts_on",
        "ends_on",
        "verified",
        "removed",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExternalPolicy]:
        return super().get_queryset(request).select_related("insured")

    @admin.display(description=gettext_lazy("被保险人"))
    def insured_masked(self, obj: ExternalPolicy) -> str:
        return _person(obj.insured)

    @admin.display(description=gettext_lazy("被保险人身份证号"))
    def insured_resident_id(self, obj: ExternalPolicy) -> str:
        return mask_resident_id(obj.insured.resident_id)

    @admin.display(description=gettext_lazy("保额/年度限额"), ordering="sum_insured_fen")
    def sum_insured(self, obj: ExternalPolicy) -> str:
        return format_yuan(obj.sum_insured_fen)

    @admin.display(description=gettext_lazy("年保费"))
    def premium(self, obj: ExternalPolicy) -> str:
        return format_yuan(obj.premium_fen)

    @admin.display(description=gettext_lazy("已移除"), boolean=True)
    def removed(self, obj: ExternalPolicy) -> bool:
        return obj.removed_at is not None
