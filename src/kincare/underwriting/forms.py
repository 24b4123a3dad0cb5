"""Operator console forms: upload a rule table version; decide a referred case.

The decision form parses the terms into ``ManualTerms`` (its errors next to their fields); the
service takes them as they are. Errors the service raises (a case decided meanwhile) come back
as form errors too.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kincare.core.errors import DomainError, ValidationFailed
from kincare.families.conditions import CONDITION_LABELS
from kincare.underwriting.engine.rules import MAX_TABLE_BYTES
from kincare.underwriting.engine.shipped import questionnaires
from kincare.underwriting.form_schemas import MANUAL_OUTCOMES, ManualTerms
from kincare.underwriting.models import UnderwritingDecision

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def questionnaire_choices() -> list[tuple[str, str]]:
    return [(code, f"{spec.name}（{code}）") for code, spec in questionnaires().items()]


def condition_choices() -> list[tuple[str, str]]:
    return [(code, f"{label}（{code}）") for code, label in CONDITION_LABELS.items() if code != "other"]


class RuleSetUploadForm(forms.Form):
    """A new version of one table: paste the JDM JSON or upload a .json file (at most 256 KB)."""

    questionnaire = forms.ChoiceField(label=_("健康告知"), choices=questionnaire_choices)
    condition = forms.ChoiceField(label=_("疾病"), choices=condition_choices)
    content = forms.CharField(
        label=_("规则表（JDM JSON）"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 28, "cols": 110, "spellcheck": "false", "class": "vLargeTextField"}),
        help_text=_("粘贴 GoRules JDM 决策表 JSON，或在下方上传 .json 文件（二选一）。"),
    )
    file = forms.FileField(
        label=_("上传 .json 文件"),
        required=False,
        help_text=_("最大 %(kb)d KB") % {"kb": MAX_TABLE_BYTES // 1024},
    )
    note = forms.CharField(label=_("修改说明"), required=False, max_length=300)

    def clean_file(self) -> bytes | None:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > MAX_TABLE_BYTES:
            raise forms.ValidationError(_("文件不能超过 %(kb)d KB") % {"kb": MAX_TABLE_BYTES // 1024})
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("请上传 .json 文件"))
        data: bytes = upload.read(MAX_TABLE_BYTES + 1)
        return data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("content") or ""
        upload = data.get("file")
        if "file" in self.errors:
            return data
        if upload and text.strip():
            self.add_error("content", _("请粘贴 JSON 或上传文件，二选一"))
        elif not upload and not text.strip():
            self.add_error("content", _("请粘贴规则表 JSON 或上传 .json 文件"))
        elif len(text.encode()) > MAX_TABLE_BYTES:
            self.add_error("content", _("规则表不能超过 %(kb)d KB") % {"kb": MAX_TABLE_BYTES // 1024})
        return data

    def table_content(self) -> str | bytes:
        upload: bytes | None = self.cleaned_data.get("file")
        return upload if upload else self.cleaned_data["content"]


_OUTCOME_LABELS = dict(UnderwritingDecision.Outcome.choices)


class ManualDecisionForm(forms.Form):
    """What an underwriter decides for a referred case, parsed as a whole into ``terms``."""

    terms: ManualTerms

    outcome = forms.ChoiceField(
        label=_("核保结论"),
        choices=[(code, _OUTCOME_LABELS[code]) for code in MANUAL_OUTCOMES],
        widget=forms.RadioSelect,
    )
    loading_pct = forms.IntegerField(
        label=_("加费比例(%)"), required=False, min_value=0, max_value=150, help_text=_("有条件承保：1–150")
    )
    exclusion_icd10 = forms.CharField(
        label=_("除外疾病 ICD-10 编码前缀"),
        required=False,
        max_length=200,
        help_text=_("有条件承保：多个编码用逗号分隔，例如 B18, K70, K74"),
    )
    exclusion_description = forms.CharField(
        label=_("除外责任说明"),
        required=False,
        max_length=200,
        help_text=_("写在保单上的文字，例如：乙型肝炎及其并发症、肝硬化、肝癌"),
    )
    postpone_months = forms.IntegerField(
        label=_("延期月数"), required=False, min_value=0, max_value=60, help_text=_("延期：1–60 个月")
    )
    note = forms.CharField(
        label=_("核保意见"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("决定的理由（必填，记录在案）"),
    )

    def exclusions(self) -> list[dict[str, Any]]:
        codes = [c for c in _SEPARATORS.split(self.cleaned_data.get("exclusion_icd10") or "") if c]
        description = (self.cleaned_data.get("exclusion_description") or "").strip()
        if not codes and not description:
            return []
        return [{"icd10": codes, "description": description}]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.terms = ManualTerms(
                outcome=data["outcome"],
                loading_pct=data.get("loading_pct") or 0,
                exclusions=self.exclusions(),
                postpone_months=data.get("postpone_months") or 0,
                note=data["note"],
            )
        except ValidationFailed as exc:
            self.add_service_error(exc)
        return data

    def add_service_error(self, exc: DomainError) -> None:
        """Show a service error next to the field it names (or above the form)."""
        name = (exc.field or "").split(".")[0]
        if name == "exclusions":
            name = "exclusion_description" if exc.code.startswith("exclusion_description") else "exclusion_icd10"
        self.add_error(name if name in self.fields else None, exc.message)
