"""The claim form: parses what a family types and uploads; ``claim_submit`` decides.

Amounts are parsed strictly with ``parse_yuan`` (half-width digits, at most two decimals, no
signs or separators). Invoice items are repeated rows (``item_category`` + ``item_amount``, one
pair per row, in order); diagnoses are repeated ``diagnoses`` values (ICD-10 codes picked from
the shipped list); documents come from one multiple file input per kind (``doc_<kind>``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kincare.claims import reference
from kincare.claims.models import ClaimDocument, ClaimType
from kincare.claims.services import CLAIM_TYPES_BY_CATEGORY
from kincare.core.errors import ValidationFailed
from kincare.core.money import parse_yuan
from kincare.core.text import validate_text

#: item categories in the order a hospital invoice lists them, with their Chinese names
ITEM_CATEGORIES: list[tuple[str, Any]] = [
    ("bed", _("床位费")),
    ("nursing", _("护理费")),
    ("exam", _("检查费")),
    ("lab", _("化验费")),
    ("treatment", _("治疗费")),
    ("surgery", _("手术费")),
    ("drug", _("药品费")),
    ("material", _("卫生材料费")),
    ("other_medical", _("其他医疗费")),
    ("non_medical", _("非医疗费用（伙食、陪护等）")),
    ("cosmetic", _("美容整形费用")),
    ("special_needs_surcharge", _("特需病房附加费")),
]
ITEM_LABELS: dict[str, Any] = dict(ITEM_CATEGORIES)
SEVERITY_CHOICES: list[tuple[str, Any]] = [
    ("severe", _("重度（重疾）")),
    ("moderate", _("中度（中症）")),
    ("mild", _("轻度（轻症）")),
]
DOCUMENT_KINDS: list[tuple[str, Any]] = list(ClaimDocument.Kind.choices)
DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
MAX_ITEMS = 50
MAX_DIAGNOSES = 10
MAX_INVOICE_NUMBERS = 20
_INVOICE_SPLIT = re.compile(r"[\s,，、;；]+")
_INVOICE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,40}$")


def claim_types_for(category: str) -> list[tuple[str, str]]:
    labels = dict(ClaimType.choices)
    return [(code, str(labels[code])) for code in CLAIM_TYPES_BY_CATEGORY.get(category, ())]


def item_label(category: str) -> str:
    return str(ITEM_LABELS.get(category, category))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); empty is fine."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": DOCUMENT_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class StrictYuanField(forms.CharField):
    """A yuan amount cleaned to integer fen by ``parse_yuan`` (empty: 0 unless required)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        if not text:
            return 0
        try:
            return parse_yuan(text, allow_zero=True)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


@dataclass
class ItemRow:
    """One invoice row as typed, with its error (for re-rendering the form)."""

    category: str = ""
    amount: str = ""
    error: str = ""
    amount_fen: int = 0


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClaimForm(forms.Form):
    claim_type = forms.ChoiceField(label=_("理赔类型"), choices=[], widget=forms.RadioSelect)
    service_start = forms.DateField(label=_("就诊/入院日期"), widget=_date_widget())
    service_end = forms.DateField(label=_("出院/结束日期"), widget=_date_widget())
    hospital_code = forms.CharField(label=_("就诊医院"), max_length=40, widget=forms.HiddenInput)
    is_accident = forms.BooleanField(label=_("因意外伤害就诊"), required=False)
    special_needs_ward = forms.BooleanField(label=_("入住特需病房或国际部"), required=False)
    social_insurance_used = forms.BooleanField(label=_("已经社保（医保）结算"), required=False)
    social_insurance_paid = StrictYuanField(label=_("社保统筹支付金额（元）"))
    other_insurance_paid = StrictYuanField(label=_("其他商业保险已赔付金额（元）"))
    related_admission = forms.DateField(label=_("关联住院的入院日期"), required=False, widget=_date_widget())
    related_discharge = forms.DateField(label=_("关联住院的出院日期"), required=False, widget=_date_widget())
    severity = forms.ChoiceField(label=_("确诊疾病程度"), choices=[("", "—"), *SEVERITY_CHOICES], required=False)
    #: the repeated ``diagnoses`` values (codes picked from the shipped list)
    diagnoses = forms.Field(label=_("诊断"), required=False, widget=forms.MultipleHiddenInput)
    #: errors of the invoice rows and of the documents land on these two
    invoice_items = forms.Field(label=_("发票费用明细"), required=False, widget=forms.HiddenInput)
    documents = forms.Field(label=_("理赔材料"), required=False, widget=forms.HiddenInput)
    invoice_numbers = forms.CharField(
        validators=[validate_text],
        label=_("发票号码"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("每行一个，或用逗号分隔")}),
    )

    def __init__(self, *args: Any, category: str, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.category = category
        claim_type = self.fields["claim_type"]
        assert isinstance(claim_type, forms.ChoiceField)
        claim_type.choices = claim_types_for(category)
        claim_type.error_messages["invalid_choice"] = _("该保单不承保这种理赔类型")
        claim_type.error_messages["required"] = _("请选择理赔类型")
        if len(claim_type.choices) == 1:
            self.initial.setdefault("claim_type", claim_type.choices[0][0])
        self.fields["hospital_code"].error_messages["required"] = _("请选择就诊医院")
        self.fields["service_start"].error_messages["required"] = _("请填写就诊/入院日期")
        self.fields["service_end"].error_messages["required"] = _("请填写出院/结束日期")
        for name, _label in DOCUMENT_KINDS:
            self.fields[f"doc_{name}"] = MultipleFileField(label=_label)
        raw_data = self.data if self.is_bound else {}
        self.item_rows: list[ItemRow] = self._raw_rows(raw_data)
        self.diagnosis_codes: list[str] = self._raw_diagnoses(raw_data)

    # -- repeated rows ----------------------------------------------------------------------

    @staticmethod
    def _getlist(data: Any, key: str) -> list[str]:
        getter = getattr(data, "getlist", None)
        values = getter(key) if getter is not None else data.get(key, [])
        return [str(v) for v in (values if isinstance(values, list | tuple) else [values])]

    def _raw_rows(self, data: Any) -> list[ItemRow]:
        categories = self._getlist(data, "item_category")
        amounts = self._getlist(data, "item_amount")
        count = max(len(categories), len(amounts))
        rows = []
        for i in range(min(count, MAX_ITEMS + 1)):
            category = categories[i].strip() if i < len(categories) else ""
            amount = amounts[i].strip() if i < len(amounts) else ""
            rows.append(ItemRow(category=category, amount=amount[:30]))
        return rows

    def _raw_diagnoses(self, data: Any) -> list[str]:
        codes: list[str] = []
        for value in self._getlist(data, "diagnoses"):
            code = value.strip().upper()[:12]
            if code and code not in codes:
                codes.append(code)
        return codes

    @property
    def display_rows(self) -> list[ItemRow]:
        """The rows to show: as typed, at least three."""
        rows = [r for r in self.item_rows if r.category or r.amount or r.error]
        return rows + [ItemRow() for _ in range(max(0, 3 - len(rows)))]

    @property
    def chosen_diagnoses(self) -> list[reference.Diagnosis]:
        return [d for d in (reference.diagnosis_get(c) for c in self.diagnosis_codes) if d is not None]

    @property
    def chosen_hospital(self) -> reference.Hospital | None:
        return reference.hospital_get(self.data.get("hospital_code")) if self.is_bound else None

    def clean_invoice_items(self) -> list[dict[str, Any]]:
        valid = set(ITEM_LABELS)
        items: list[dict[str, Any]] = []
        filled = [r for r in self.item_rows if r.category or r.amount]
        if not filled and self.category == "critical_illness":
            return []  # a critical illness pays on the diagnosis, not on invoices
        if not filled:
            raise forms.ValidationError(_("请至少填写一项发票费用"), code="items_required")
        if len(filled) > MAX_ITEMS:
            raise forms.ValidationError(gettext("费用明细最多 %(n)s 行") % {"n": MAX_ITEMS}, code="items_too_many")
        for row in filled:
            errors = [] if row.category in valid else [gettext("请选择费用类别")]
            try:
                row.amount_fen = parse_yuan(row.amount)
            except ValidationFailed as exc:
                errors.append(exc.message)
            if errors:
                row.error = "；".join(errors)
                continue
            items.append({"category": row.category, "amount_fen": row.amount_fen})
        if any(r.error for r in filled):
            raise forms.ValidationError(_("请修改标出的费用行"), code="items_invalid")
        return items

    def clean_diagnoses(self) -> list[str]:
        if not self.diagnosis_codes:
            raise forms.ValidationError(_("请至少选择一项诊断"), code="diagnoses_required")
        if len(self.diagnosis_codes) > MAX_DIAGNOSES:
            raise forms.ValidationError(
                gettext("诊断最多选择 %(n)s 项") % {"n": MAX_DIAGNOSES}, code="diagnoses_too_many"
            )
        codes = []
        for code in self.diagnosis_codes:
            found = reference.diagnosis_get(code)
            if found is None:
                raise forms.ValidationError(
                    gettext("诊断编码 %(code)s 不在疾病目录中，请从搜索结果中选择") % {"code": code},
                    code="diagnosis_unknown",
                )
            codes.append(found.code)
        return codes

    # -- the whole form -----------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("hospital_code")
        if code and reference.hospital_get(code) is None:
            self.add_error("hospital_code", gettext("请从医院目录中选择就诊医院"))
        start, end = data.get("service_start"), data.get("service_end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("service_end", gettext("出院/结束日期不能早于就诊/入院日期"))
        admission, discharge = data.get("related_admission"), data.get("related_discharge")
        if data.get("claim_type") == "pre_post_outpatient" and not (admission and discharge):
            self.add_error("related_admission", gettext("住院前后门急诊请填写关联住院的入院和出院日期"))
        elif admission and discharge and discharge < admission:
            self.add_error("related_discharge", gettext("出院日期不能早于入院日期"))
        if not data.get("social_insurance_used") and data.get("social_insurance_paid"):
            self.add_error("social_insurance_paid", gettext("未经社保结算时社保支付金额应为 0"))
        data["invoice_number_list"] = self._clean_invoice_numbers(data.get("invoice_numbers") or "")
        return data

    def _clean_invoice_numbers(self, text: str) -> list[str]:
        numbers = [n for n in _INVOICE_SPLIT.split(text.strip()) if n]
        if len(numbers) > MAX_INVOICE_NUMBERS:
            self.add_error("invoice_numbers", gettext("发票号码最多 %(n)s 个") % {"n": MAX_INVOICE_NUMBERS})
            return []
        bad = [n for n in numbers if not _INVOICE_NUMBER.match(n)]
        if bad:
            self.add_error(
                "invoice_numbers", gettext("发票号码只能包含半角字母、数字和连字符：%(n)s") % {"n": bad[0][:40]}
            )
            return []
        return list(dict.fromkeys(numbers))

    def uploads(self) -> list[tuple[str, UploadedFile]]:
        return [(kind, f) for kind, _label in DOCUMENT_KINDS for f in self.cleaned_data.get(f"doc_{kind}") or []]

    def document_fields(self) -> list[Any]:
        return [self[f"doc_{kind}"] for kind, _label in DOCUMENT_KINDS]

    def draft_kwargs(self) -> dict[str, Any]:
        """The claim as ``claims.form_schemas.claim_draft`` parses it."""
        data = self.cleaned_data
        related = None
        if data.get("related_admission") and data.get("related_discharge"):
            related = {
                "admission": data["related_admission"].isoformat(),
                "discharge": data["related_discharge"].isoformat(),
            }
        return {
            "claim_type": data["claim_type"],
            "service_start": data["service_start"],
            "service_end": data["service_end"],
            "hospital_code": reference.hospital_get(data["hospital_code"]).code,  # type: ignore[union-attr]
            "diagnoses": data["diagnoses"],
            "items": data["invoice_items"],
            "social_insurance_used": bool(data.get("social_insurance_used")),
            "social_insurance_paid_fen": data.get("social_insurance_paid") or 0,
            "other_insurance_paid_fen": data.get("other_insurance_paid") or 0,
            "related_stay": related,
            "is_accident": bool(data.get("is_accident")),
            "special_needs_ward": bool(data.get("special_needs_ward")),
            "severity": data.get("severity") or "",
            "invoice_numbers": data.get("invoice_number_list") or [],
        }


def form_error(form: forms.Form, exc: Any, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error next to its field (or at the top of the form)."""
    field = str(getattr(exc, "field", None) or "").split(".")[0].split("[")[0]
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, exc.message)


class DocumentsForm(forms.Form):
    """Documents added to an open claim from its page: one kind, one or more files."""

    kind = forms.ChoiceField(label=_("材料类型"), choices=DOCUMENT_KINDS)
    documents = MultipleFileField(label=_("文件（PDF、JPG 或 PNG，每个不超过 10 MB）"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].error_messages["required"] = _("请选择要上传的文件")
