"""Operator console for accounts: users (masked phones, roles), API tokens, real names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kincare.accounts import services
from kincare.accounts.models import ApiToken, RealNameVerification, StaffRole, User, phone_index
from kincare.accounts.phones import normalise_phone
from kincare.core.errors import DomainError
from kincare.core.pii import mask_name, mask_phone, mask_resident_id


class UserAddForm(forms.ModelForm):
    """Create an account from a phone number; choosing roles makes it a staff account."""

    phone = forms.CharField(label=_("手机号"), max_length=64)
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput)
    roles = forms.MultipleChoiceField(
        label=_("岗位"),
        choices=StaffRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = ("display_name",)

    def clean_phone(self) -> str:
        try:
            phone = normalise_phone(self.cleaned_data["phone"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        if User.objects.filter(phone_hash=phone_index(phone)).exists():
            raise forms.ValidationError(_("该手机号已注册"))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        elif data.get("password1"):
            try:
                services.password_check(data["password1"])
            except DomainError as exc:
                self.add_error("password1", exc.message)
        return data


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "display_name",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    add_form_template = None
    fieldsets = (
        (None, {"fields": ("phone_masked", "display_name", "password")}),
        (_("实名认证"), {"fields": ("real_name_verified_at",)}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "display_name", "password1", "password2", "roles"),
            },
        ),
    )
    readonly_fields = ("phone_masked", "real_name_verified_at", "last_login", "date_joined")
    list_display = (
        "id",
        "phone_masked",
        "display_name",
        "roles",
        "verified",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("display_name",)
    search_help_text = _("输入完整手机号或昵称")
    ordering = ("-id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("岗位"))
    def roles(self, obj: User) -> str:
        labels = dict(StaffRole.choices)
        return "、".join(str(labels.get(g.name, g.name)) for g in obj.groups.all())

    @admin.display(description=_("已实名"), boolean=True)
    def verified(self, obj: User) -> bool:
        return obj.is_real_name_verified

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        # Phones are encrypted: a full number is found through its blind index.
        try:
            phone = normalise_phone(search_term)
        except DomainError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(phone_hash=phone_index(phone)), False

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        actor = request.user if isinstance(request.user, User) else None
        roles = list(data.get("roles") or [])
        if roles:
            created = services.staff_user_create(
                phone=data["phone"],
                password=data["password1"],
                role=roles[0],
                display_name=data["display_name"],
                actor=actor,
            )
            for role in roles[1:]:
                services.staff_role_grant(user=created, role=role, actor=actor)
        else:
            created = services.user_signup(
                phone=data["phone"], password=data["password1"], display_name=data["display_name"]
            )
        # The admin goes on with ``obj`` (log entry, redirect): make it the created row.
        for field in User._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "owner",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    fields = ("name", "prefix", "owner", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)
    list_select_related = ("user",)

    @admin.display(description=_("所有者"))
    def owner(self, obj: ApiToken) -> str:
        return f"#{obj.user_id} {mask_phone(obj.user.phone)}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # owners create tokens themselves; the raw value is theirs alone

    @admin.action(description=_("撤销所选令牌"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        assert isinstance(request.user, User)
        count = services.api_token_revoke_by_operator(actor=request.user, tokens=list(queryset))
        self.message_user(request, _("已撤销 %(n)s 个令牌") % {"n": count}, messages.SUCCESS)


@admin.register(RealNameVerification)
class RealNameVerificationAdmin(admin.ModelAdmin):
    list_display = (
        "user_id",
        "name_masked",
        "resident_id_masked",
        "birth_year",
        "sex",
        "verified_at",
    )
    list_filter = ("sex",)
    fields = ("user", "name_masked", "resident_id_masked", "birth_year", "sex", "verified_at")
    readonly_fields = fields
    ordering = ("-verified_at",)

    @admin.display(description=_("姓名"))
    def name_masked(self, obj: RealNameVerification) -> str:
        return mask_name(obj.name)

    @admin.display(description=_("身份证号"))
    def resident_id_masked(self, obj: RealNameVerification) -> str:
        return mask_resident_id(obj.resident_id)

    @admin.display(description=_("出生年份"))
    def birth_year(self, obj: RealNameVerification) -> int:
        return obj.birth_date.year

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RealNameVerification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RealNameVerification | None = None) -> bool:
        return False
