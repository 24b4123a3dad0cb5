"""Operator console: families and members with masked PII; health payloads are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kincare.core.pii import mask_name, mask_resident_id
from kincare.families.models import Family, Member


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Family data changes only through the family's own pages and services (audited)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(admin.TabularInline):
    model = Member
    fields = (
        "masked_name",
        "masked_resident_id",
        "relationship",
        "sex",
        "birth_year",
        "removed_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("姓名"))
    def masked_name(self, obj: Member) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("身份证号"))
    def masked_resident_id(self, obj: Member) -> str:
        return mask_resident_id(obj.resident_id)

    @admin.display(description=_("出生年份"))
    def birth_year(self, obj: Member) -> int:
        return obj.birth_date.year


@admin.register(Family)
class FamilyAdmin(_ReadOnlyAdmin):
    list_display = ("id", "masked_name", "member_count", "created_at")
    fields = ("masked_name", "created_at")
    readonly_fields = fields
    inlines = [MemberInline]

    @admin.display(description=_("家庭名称"))
    def masked_name(self, obj: Family) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("成员数"))
    def member_count(self, obj: Family) -> int:
        return obj.members.filter(removed_at__isnull=True).count()


@admin.register(Member)
class MemberAdmin(_ReadOnlyAdmin):
    list_display = (
        "id",
        "family_id",
        "masked_name",
        "masked_resident_id",
        "relationship",
        "sex",
        "birth_year",
    )
    list_filter = ("relationship", "sex", "social_insurance")
    fields = (
        "family",
        "masked_name",
        "masked_resident_id",
        "relationship",
        "sex",
        "birth_year",
        "social_insurance",
        "occupation_class",
        "city",
        "deceased_on",
        "removed_at",
    )
    readonly_fields = fields

    @admin.display(description=_("姓名"))
    def masked_name(self, obj: Member) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("身份证号"))
    def masked_resident_id(self, obj: Member) -> str:
        return mask_resident_id(obj.resident_id)

    @admin.display(description=_("出生年份"))
    def birth_year(self, obj: Member) -> int:
        return obj.birth_date.year
