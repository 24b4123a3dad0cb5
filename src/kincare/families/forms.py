"""Forms parse what people type; services decide. Yuan amounts become fen here."""

from __future__ import annotations

import typing
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic.fields import FieldInfo

from kincare.core.errors import DomainError, ValidationFailed
from kincare.core.money import fen_to_yuan_str, parse_yuan
from kincare.core.text import validate_text
from kincare.families.conditions import (
    ATTRIBUTE_LABELS,
    CONDITION_LABELS,
    CONDITION_MODELS,
    HEPATITIS_B_STATUS_LABELS,
)
from kincare.families.models import LifeEventKind, Member, Relationship, Sex, SocialInsurance


def form_error(form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error next to its field (or at the top of the form)."""
    field = (exc.field or "").removeprefix("attributes.")
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, exc.message)


class _YuanField(forms.CharField):
    """A yuan amount typed by a person, cleaned to integer fen (full-width digits accepted)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_yuan(text, allow_zero=True, normalise_fullwidth=True)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class FamilyForm(forms.Form):
    name = forms.CharField(label=_("家庭名称"), max_length=50, validators=[validate_text])


_RELATIONSHIPS = [(v, label) for v, label in Relationship.choices if v != Relationship.SELF]
_SEXES = [("", _("按身份证号")), *Sex.choices]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_text])
    resident_id = forms.CharField(label=_("身份证号"), max_length=40)
    relationship = forms.ChoiceField(label=_("与监护人关系"), choices=_RELATIONSHIPS)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(label=_("性别"), choices=_SEXES, required=False)
    annual_income_fen = _YuanField(label=_("年收入（元）"))
    social_insurance = forms.ChoiceField(label=_("医保"), choices=SocialInsurance.choices)
    occupation_class = forms.TypedChoiceField(
        label=_("职业类别"),
        coerce=int,
        choices=[(i, _("%(n)s 类") % {"n": i}) for i in range(1, 7)],
        initial=1,
    )
    smoker = forms.BooleanField(label=_("吸烟"), required=False)
    city = forms.CharField(label=_("城市"), max_length=50, required=False, validators=[validate_text])

    def __init__(self, *args: Any, editing: Member | None = None, is_guardian: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing is not None:
            # The full resident ID is never put back into the page; blank keeps the stored one.
            self.fields["resident_id"].required = False
            self.fields["resident_id"].help_text = _("不修改请留空")
            if editing.relationship == Relationship.SELF or not is_guardian:
                del self.fields["relationship"]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sex"] = data.get("sex") or None
        return data

    @staticmethod
    def initial_for(member: Member) -> dict[str, Any]:
        return {
            "name": member.name,
            "relationship": member.relationship,
            "birth_date": member.birth_date,
            "sex": member.sex,
            "annual_income_fen": fen_to_yuan_str(member.annual_income_fen)
            if member.annual_income_fen is not None
            else "",
            "social_insurance": member.social_insurance,
            "occupation_class": member.occupation_class,
            "smoker": member.smoker,
            "city": member.city,
        }


class InvitationForm(forms.Form):
    phone = forms.CharField(label=_("被邀请人手机号"), max_length=40)
    relationship = forms.ChoiceField(label=_("与监护人关系"), choices=_RELATIONSHIPS)


class GrantForm(forms.Form):
    grantee = forms.TypedChoiceField(label=_("授权给"), coerce=int, choices=[])

    def __init__(self, *args: Any, grantees: list[Member], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["grantee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, m.name) for m in grantees]


class ConditionChoiceForm(forms.Form):
    code = forms.ChoiceField(
        label=_("疾病"),
        choices=[("", _("请选择")), *((c, str(label)) for c, label in CONDITION_LABELS.items())],
    )
    diagnosed_on = forms.DateField(label=_("确诊日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _field_for(name: str, info: FieldInfo) -> forms.Field:
    """A Django form field for one attribute of a condition's pydantic model."""
    label = ATTRIBUTE_LABELS.get(name, name)
    annotation = info.annotation
    bounds: dict[str, Any] = {}
    for meta in info.metadata:
        for attr, key in (("ge", "min_value"), ("le", "max_value"), ("max_length", "max_length")):
            if getattr(meta, attr, None) is not None:
                bounds[key] = getattr(meta, attr)
    if typing.get_origin(annotation) is typing.Literal:
        values = typing.get_args(annotation)
        choices = [(str(v), str(HEPATITIS_B_STATUS_LABELS.get(str(v), v))) for v in values]
        coerce: Any = int if all(isinstance(v, int) for v in values) else str
        return forms.TypedChoiceField(label=label, choices=choices, coerce=coerce)
    if annotation is bool:
        return forms.BooleanField(label=label, required=False)
    if annotation is int:
        return forms.IntegerField(label=label, **bounds)
    if annotation is float:
        return forms.FloatField(label=label, **bounds)
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=bounds.get("max_length"),
        validators=[validate_text],
    )


def condition_form_class(code: str) -> type[forms.Form]:
    """The follow-up questions of one condition (loaded by htmx when the condition is chosen)."""
    model = CONDITION_MODELS[code]
    fields = {name: _field_for(name, info) for name, info in model.model_fields.items()}
    return type(f"{model.__name__}Form", (forms.Form,), fields)


class LifeEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件"), choices=LifeEventKind.choices)
    occurred_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    member = forms.TypedChoiceField(label=_("相关成员"), coerce=int, required=False, empty_value=None, choices=[])
    annual_income_fen = _YuanField(label=_("新的年收入（元，收入变化时填写）"))
    child_name = forms.CharField(
        label=_("新生儿姓名（出生时可填写）"), max_length=50, required=False, validators=[validate_text]
    )
    child_resident_id = forms.CharField(label=_("新生儿身份证号"), max_length=40, required=False)
    condition_code = forms.ChoiceField(
        label=_("确诊疾病（确诊时填写）"),
        required=False,
        choices=[("", "—"), *((c, str(label)) for c, label in CONDITION_LABELS.items())],
    )
    description = forms.CharField(label=_("说明"), max_length=500, required=False, validators=[validate_text])
    spouse_name = forms.CharField(
        label=_("配偶姓名（结婚时可填写）"), max_length=50, required=False, validators=[validate_text]
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((m.pk, m.name) for m in members)]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == LifeEventKind.INCOME_CHANGE:
            return {"annual_income_fen": data.get("annual_income_fen")}
        if kind == LifeEventKind.BIRTH:
            if data.get("child_name") or data.get("child_resident_id"):
                return {
                    "name": data.get("child_name", ""),
                    "resident_id": data.get("child_resident_id", ""),
                }
            return {}
        if kind == LifeEventKind.DIAGNOSIS:
            return {
                "condition_code": data.get("condition_code") or None,
                "description": data.get("description", ""),
            }
        if kind == LifeEventKind.MARRIAGE:
            return {"spouse_name": data.get("spouse_name", "")}
        return {}
