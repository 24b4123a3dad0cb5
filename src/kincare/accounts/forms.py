"""Page forms: they only parse; the services validate and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kincare.accounts.models import Sex


class SignupForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("确认密码"),
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    display_name = forms.CharField(label=_("昵称（可选）"), max_length=200, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_confirm") and data["password"] != data["password_confirm"]:
            self.add_error("password_confirm", _("两次输入的密码不一致"))
        return data


class LoginForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "username", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("密码"),
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "id": "id_otp_phone"}),
    )


class OtpLoginForm(OtpRequestForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RealNameForm(forms.Form):
    name = forms.CharField(label=_("真实姓名"), max_length=200)
    resident_id = forms.CharField(
        label=_("身份证号"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    birth_date = forms.DateField(
        label=_("出生日期（可选）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("性别（可选）"), required=False, choices=[("", "—"), *Sex.choices])


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [
        ("", _("永不过期")),
        ("30", _("30 天")),
        ("90", _("90 天")),
        ("365", _("一年")),
    ]

    name = forms.CharField(label=_("令牌名称"), max_length=200)
    expires_in_days = forms.TypedChoiceField(
        label=_("有效期"), choices=EXPIRY_CHOICES, required=False, coerce=int, empty_value=None
    )
