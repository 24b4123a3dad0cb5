"""Forms parse what people type on the policies pages; the services decide.

Yuan amounts are parsed strictly with ``parse_yuan`` (no full-width digits, no signs, no
separators); the questionnaire's follow-up fields come from the condition models of
``kincare.families.conditions`` (booleans answered 是/否, choices for the hepatitis-B status and
the diabetes type, numbers with sensible steps).
"""

from __future__ import annotations

import typing
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic.fields import FieldInfo

from kincare.catalog.models import Category
from kincare.core.errors import ValidationFailed
from kincare.core.money import parse_yuan
from kincare.families.conditions import ATTRIBUTE_LABELS, CONDITION_MODELS, HEPATITIS_B_STATUS_LABELS
from kincare.families.models import Member, Relationship
from kincare.policies.form_schemas import Beneficiaries, ExternalPolicyInput
from kincare.underwriting.engine import DeclaredCondition
from kincare.underwriting.form_schemas import conditions_parsed

YES, NO = "yes", "no"
ANSWER_CHOICES = [(NO, _("否")), (YES, _("是"))]
BOOL_CHOICES = [("true", _("是")), ("false", _("否"))]
DIABETES_TYPE_LABELS = {"1": _("1 型糖尿病"), "2": _("2 型糖尿病")}
#: the step of a number input per attribute (decimals where the measure has them)
NUMBER_STEPS = {"hba1c": "0.1", "ldl": "0.01", "size_mm": "0.1"}
MAX_NAMED_BENEFICIARIES = 4
BENEFICIARY_RELATIONSHIPS = [(v, label) for v, label in Relationship.choices if v != Relationship.SELF]


class StrictYuanField(forms.CharField):
    """A yuan amount cleaned to integer fen by ``parse_yuan`` (strict: half-width digits only)."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_yuan(text, allow_zero=self.allow_zero)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


def _members_choices(members: list[Member]) -> list[tuple[int, str]]:
    return [(m.pk, m.name) for m in members]


# --- apply (quote → application) -------------------------------------------------------------


class ApplyForm(forms.Form):
    """Plan, insured members, payment term. The policyholder is always the user's own member."""

    plan = forms.ChoiceField(label=_("计划"), choices=[])
    insured = forms.TypedMultipleChoiceField(
        label=_("被保险人"), coerce=int, choices=[], widget=forms.CheckboxSelectMultiple
    )
    payment_years = forms.TypedChoiceField(label=_("缴费年期"), coerce=int, choices=[], required=False)

    def __init__(
        self,
        *args: Any,
        plans: list[Any],
        members: list[Member],
        payment_terms: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ChoiceField)
        plan.choices = [(p.code, p.name) for p in plans]
        insured = self.fields["insured"]
        assert isinstance(insured, forms.ChoiceField)
        insured.choices = _members_choices(members)
        insured.error_messages["invalid_choice"] = _("只能为可投保的家庭成员投保")
        insured.error_messages["required"] = _("请至少选择一位被保险人")
        years = self.fields["payment_years"]
        assert isinstance(years, forms.ChoiceField)
        years.choices = [(y, _("%(n)s 年交") % {"n": y} if y > 1 else _("趸交/一年期")) for y in payment_terms]
        if len(payment_terms) > 1:
            years.required = True
        else:
            years.widget = forms.HiddenInput()
            self.initial.setdefault("payment_years", payment_terms[0] if payment_terms else None)
        if plans:
            self.initial.setdefault("plan", plans[0].code)

    def insured_members(self) -> list[Member]:
        return [self.members[pk] for pk in self.cleaned_data["insured"]]

    def payment_years_value(self) -> int | None:
        value = self.cleaned_data.get("payment_years")
        return int(value) if value not in (None, "") else None


# --- beneficiaries -------------------------------------------------------------------------


class BeneficiariesForm(forms.Form):
    """身故受益人: legal heirs, or up to four named people with integer shares adding to 100."""

    kind = forms.ChoiceField(
        label=_("身故受益人"),
        choices=[("legal", _("法定继承人")), ("named", _("指定受益人"))],
        widget=forms.RadioSelect,
        initial="legal",
    )

    def __init__(self, *args: Any, members: list[Member] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members or []}
        for i in range(MAX_NAMED_BENEFICIARIES):
            self.fields[f"member_{i}"] = forms.TypedChoiceField(
                label=_("家庭成员"),
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", _("（非家庭成员）")), *_members_choices(list(self.members.values()))],
            )
            self.fields[f"name_{i}"] = forms.CharField(label=_("姓名"), max_length=50, required=False)
            self.fields[f"relationship_{i}"] = forms.ChoiceField(
                label=_("与被保险人关系"), choices=[("", "—"), *BENEFICIARY_RELATIONSHIPS], required=False
            )
            self.fields[f"share_pct_{i}"] = forms.IntegerField(
                label=_("受益比例（%）"),
                required=False,
                min_value=1,
                max_value=100,
                widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
            )

    @staticmethod
    def initial_for(beneficiaries: dict[str, Any] | None) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": (beneficiaries or {}).get("kind") or "legal"}
        for i, row in enumerate((beneficiaries or {}).get("named") or []):
            if i >= MAX_NAMED_BENEFICIARIES:
                break
            data[f"member_{i}"] = row.get("member_id")
            data[f"name_{i}"] = row.get("name", "")
            data[f"relationship_{i}"] = row.get("relationship", "")
            data[f"share_pct_{i}"] = row.get("share_pct")
        return data

    def rows(self) -> list[dict[str, Any]]:
        """The named rows as bound fields, for the template."""
        return [
            {
                "member": self[f"member_{i}"],
                "name": self[f"name_{i}"],
                "relationship": self[f"relationship_{i}"],
                "share_pct": self[f"share_pct_{i}"],
            }
            for i in range(MAX_NAMED_BENEFICIARIES)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != "named":
            return data
        filled = 0
        for i in range(MAX_NAMED_BENEFICIARIES):
            member_id = data.get(f"member_{i}")
            name = (data.get(f"name_{i}") or "").strip()
            if member_id and not name:
                name = self.members[member_id].name
                data[f"name_{i}"] = name
            share = data.get(f"share_pct_{i}")
            if not name and share is None and not data.get(f"relationship_{i}"):
                continue
            filled += 1
            if not name:
                self.add_error(f"name_{i}", _("请填写受益人姓名"))
            if not data.get(f"relationship_{i}"):
                self.add_error(f"relationship_{i}", _("请选择与被保险人关系"))
            if share is None:
                self.add_error(f"share_pct_{i}", _("请填写受益比例"))
        if not filled:
            raise forms.ValidationError(_("请至少填写一位指定受益人"), code="beneficiaries_empty")
        return data

    def add_service_error(self, exc: Any) -> None:
        """``beneficiaries.named.<i>.<field>`` goes next to row i's field; anything else on top."""
        parts = (getattr(exc, "field", None) or "").split(".")
        if len(parts) == 4 and parts[1] == "named" and parts[2].isdigit():
            rows = [i for i in range(MAX_NAMED_BENEFICIARIES) if (self.cleaned_data.get(f"name_{i}") or "").strip()]
            index = int(parts[2])
            name = {"member_id": "member"}.get(parts[3], parts[3])
            if index < len(rows) and f"{name}_{rows[index]}" in self.fields:
                self.add_error(f"{name}_{rows[index]}", exc.message)
                return
        self.add_error(None, exc.message)

    def beneficiaries(self) -> Beneficiaries:
        """As the service takes them, or ValidationFailed (shown by ``add_service_error``)."""
        return Beneficiaries.model_validate(self._raw_beneficiaries())

    def _raw_beneficiaries(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["kind"] != "named":
            return {"kind": "legal"}
        named = []
        for i in range(MAX_NAMED_BENEFICIARIES):
            name = (data.get(f"name_{i}") or "").strip()
            if not name:
                continue
            row: dict[str, Any] = {
                "name": name,
                "relationship": data[f"relationship_{i}"],
                "share_pct": data[f"share_pct_{i}"],
            }
            if data.get(f"member_{i}"):
                row["member_id"] = data[f"member_{i}"]
            named.append(row)
        return {"kind": "named", "named": named}


# --- the health questionnaire --------------------------------------------------------------


def _attribute_field(name: str, info: FieldInfo) -> forms.Field:
    """A form field for one attribute of a condition model (pydantic → Django)."""
    label = ATTRIBUTE_LABELS.get(name, name)
    annotation = info.annotation
    bounds: dict[str, Any] = {}
    for meta in info.metadata:
        for attr, key in (("ge", "min_value"), ("le", "max_value"), ("max_length", "max_length")):
            if getattr(meta, attr, None) is not None:
                bounds[key] = getattr(meta, attr)
    if typing.get_origin(annotation) is typing.Literal:
        values = typing.get_args(annotation)
        labels = {**{k: str(v) for k, v in HEPATITIS_B_STATUS_LABELS.items()}}
        if name == "type":
            labels.update({k: str(v) for k, v in DIABETES_TYPE_LABELS.items()})
        choices = [(str(v), labels.get(str(v), str(v))) for v in values]
        coerce: Any = int if all(isinstance(v, int) for v in values) else str
        return forms.TypedChoiceField(
            label=label, choices=[("", _("请选择")), *choices], coerce=coerce, empty_value=None
        )
    if annotation is bool:
        return forms.TypedChoiceField(
            label=label,
            choices=BOOL_CHOICES,
            coerce=lambda v: v == "true",
            widget=forms.RadioSelect,
            error_messages={"required": _("请选择是或否")},
        )
    if annotation is int:
        return forms.IntegerField(
            label=label, widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}), **bounds
        )
    if annotation is float:
        return forms.FloatField(
            label=label,
            widget=forms.NumberInput(attrs={"step": NUMBER_STEPS.get(name, "0.1"), "inputmode": "decimal"}),
            **bounds,
        )
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=bounds.get("max_length"),
        min_length=1,
    )


def condition_form_class(code: str) -> type[forms.Form]:
    """The follow-up questions of one condition, plus an optional diagnosis date."""
    model = CONDITION_MODELS[code]
    fields: dict[str, Any] = {name: _attribute_field(name, info) for name, info in model.model_fields.items()}
    fields["diagnosed_on"] = forms.DateField(
        label=_("确诊日期（选填）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    return type(f"{model.__name__}AnswerForm", (forms.Form,), fields)


def condition_form(code: str, data: Any = None, initial: dict[str, Any] | None = None) -> forms.Form:
    """The follow-up form of one condition, its field names prefixed with the condition code."""
    return condition_form_class(code)(data, initial=initial, prefix=code, label_suffix="")


def prefilled_condition_form(code: str, prefill: list[dict[str, Any]]) -> forms.Form:
    """The follow-up form of one condition with the member's declared values, if any."""
    known = next((c for c in prefill if c.get("code") == code), None)
    return condition_form(code, initial=_initial_from(known) if known else None)


def _initial_from(condition: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name, value in (condition.get("attributes") or {}).items():
        initial[name] = ("true" if value else "false") if isinstance(value, bool) else value
    if condition.get("diagnosed_on"):
        initial["diagnosed_on"] = condition["diagnosed_on"]
    return initial


class Questionnaire:
    """The questionnaire of one insured: 否/是 per question, follow-ups for each 是, consent.

    Bound to POST data it validates everything at once; unbound it opens the questions the
    prefill (the member's health declarations) answers with 是.
    """

    def __init__(
        self,
        questions: list[dict[str, str]],
        data: Any = None,
        prefill: list[dict[str, Any]] | None = None,
    ) -> None:
        self.data = data
        self.bound = data is not None
        self.errors: list[str] = []
        prefilled = {c["code"]: c for c in prefill or [] if c.get("code") in CONDITION_MODELS}
        self.prefilled = bool(prefilled) and not self.bound
        self.items: list[dict[str, Any]] = []
        for question in questions:
            code = question["condition"]
            if self.bound:
                answer = data.get(f"q_{code}", "")
                form = condition_form(code, data) if answer == YES else None
            else:
                answer = YES if code in prefilled else ""
                form = condition_form(code, initial=_initial_from(prefilled[code])) if code in prefilled else None
            self.items.append({"code": code, "text": question["text"], "answer": answer, "form": form, "error": ""})
        self.consent_error = ""
        #: the answers as the engine reads them, once ``is_valid()``
        self.declared: tuple[DeclaredCondition, ...] = ()

    def is_valid(self) -> bool:
        if not self.bound:
            return False
        ok = True
        for item in self.items:
            if item["answer"] not in (YES, NO):
                item["error"] = str(_("请回答此问题"))
                ok = False
            elif item["form"] is not None and not item["form"].is_valid():
                ok = False
        if self.data.get("consent") not in ("on", "yes", "true", "1"):
            self.consent_error = str(_("请阅读并勾选健康告知声明"))
            ok = False
        if ok:
            try:
                self.declared = conditions_parsed(self.conditions())
            except ValidationFailed as exc:
                self.add_error(exc.field, exc.message)
                ok = False
        return ok

    @property
    def consent(self) -> bool:
        return bool(self.data) and self.data.get("consent") in ("on", "yes", "true", "1")

    def conditions(self) -> list[dict[str, Any]]:
        result = []
        for item in self.items:
            form = item["form"]
            if item["answer"] != YES or form is None:
                continue
            attributes = {k: v for k, v in form.cleaned_data.items() if k != "diagnosed_on"}
            diagnosed = form.cleaned_data.get("diagnosed_on")
            result.append(
                {
                    "code": item["code"],
                    "attributes": attributes,
                    "diagnosed_on": diagnosed.isoformat() if diagnosed else None,
                }
            )
        return result

    def add_error(self, field: str | None, message: str) -> None:
        """Place a service error (``conditions.<i>.<attribute>``) next to its field."""
        parts = (field or "").split(".")
        if len(parts) >= 2 and parts[0] == "conditions" and parts[1].isdigit():
            index = int(parts[1])
            answered = [item for item in self.items if item["answer"] == YES and item["form"] is not None]
            if index < len(answered):
                form = answered[index]["form"]
                name = parts[-1] if len(parts) > 2 else None
                if name == "attributes" or name not in form.fields:
                    name = None
                if name is None:
                    answered[index]["error"] = message
                else:
                    form.add_error(name, message)
                return
        if field == "consent":
            self.consent_error = message
            return
        self.errors.append(message)


# --- external policies ---------------------------------------------------------------------


class ExternalPolicyForm(forms.Form):
    policy: ExternalPolicyInput

    insured = forms.TypedChoiceField(label=_("被保险人"), coerce=int, choices=[])
    insurer_name = forms.CharField(label=_("保险公司"), max_length=120)
    product_name = forms.CharField(label=_("产品名称"), max_length=120)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    policy_number = forms.CharField(label=_("保单号（选填）"), max_length=64, required=False)
    sum_insured_fen = StrictYuanField(label=_("保额/年度限额（元）"))
    premium_fen = StrictYuanField(label=_("年保费（元）"), allow_zero=True)
    starts_on = forms.DateField(label=_("生效日"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("满期日（选填）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        insured = self.fields["insured"]
        assert isinstance(insured, forms.ChoiceField)
        insured.choices = _members_choices(members)
        insured.error_messages["invalid_choice"] = _("请选择本家庭的成员")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.policy = ExternalPolicyInput(
                insurer_name=data["insurer_name"],
                product_name=data["product_name"],
                category=data["category"],
                policy_number=data.get("policy_number") or "",
                sum_insured_fen=data["sum_insured_fen"],
                premium_fen=data["premium_fen"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
            )
        except ValidationFailed as exc:
            form_error(self, exc)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {"insured": self.members[self.cleaned_data["insured"]], **self.policy.model_dump()}


def form_error(form: forms.Form, exc: Any, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error next to its field (or at the top of the form)."""
    field = (getattr(exc, "field", None) or "").split(".")[0]
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, exc.message)
