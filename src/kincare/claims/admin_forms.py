"""Operator console forms for the claims review queue: approve, adjust, reject, second approval.

The forms only read the input (the amount strictly, with ``parse_yuan``); the review services
check the claim's state, the adjuster and the rules. Their errors come back as form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kincare.claims.services import ADJUST_REASONS, REJECT_REASONS
from kincare.core.errors import DomainError
from kincare.core.money import AmountError, parse_yuan
from kincare.core.text import validate_text

_NOTE_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 80})


def adjust_reason_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in ADJUST_REASONS.items()]


def reject_reason_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in REJECT_REASONS.items()]


class ReviewForm(forms.Form):
    """Base: a note, and service errors shown next to the field they name (or above the form)."""

    #: the service's keyword → this form's field, when they differ
    FIELD_ALIASES: dict[str, str] = {"amount_fen": "amount"}

    def add_service_error(self, exc: DomainError) -> None:
        name = (exc.field or "").split(".")[0]
        name = self.FIELD_ALIASES.get(name, name)
        self.add_error(name if name in self.fields else None, exc.message)

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.cleaned_data.get("note") or ""}


class ApproveForm(ReviewForm):
    note = forms.CharField(
        validators=[validate_text], label=_("审核意见"), required=False, max_length=2000, widget=_NOTE_WIDGET
    )


class AdjustForm(ReviewForm):
    amount = forms.CharField(
        label=_("核定赔付金额（元）"),
        max_length=20,
        strip=False,
        help_text=_("半角数字，最多两位小数，例如 12800 或 12800.50"),
    )
    reason_code = forms.ChoiceField(label=_("调整原因"), choices=adjust_reason_choices)
    note = forms.CharField(
        validators=[validate_text],
        label=_("审核意见"),
        max_length=2000,
        widget=_NOTE_WIDGET,
        help_text=_("调整的理由（必填，记录在案）"),
    )

    def clean_amount(self) -> int:
        try:
            return parse_yuan(self.cleaned_data.get("amount", ""), field="amount", allow_zero=True)
        except AmountError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "amount_fen": self.cleaned_data["amount"],
            "reason_code": self.cleaned_data["reason_code"],
            "note": self.cleaned_data["note"],
        }


class RejectForm(ReviewForm):
    reason_code = forms.ChoiceField(label=_("拒赔原因"), choices=reject_reason_choices)
    note = forms.CharField(
        validators=[validate_text],
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=_NOTE_WIDGET,
        help_text=_("拒赔的理由（记录在案；选择“其他原因”时必填）"),
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason_code": self.cleaned_data["reason_code"], "note": self.cleaned_data["note"]}


class SecondApproveForm(ReviewForm):
    note = forms.CharField(
        validators=[validate_text], label=_("复核意见"), required=False, max_length=2000, widget=_NOTE_WIDGET
    )


class SecondReturnForm(ReviewForm):
    note = forms.CharField(
        validators=[validate_text],
        label=_("退回原因"),
        max_length=2000,
        widget=_NOTE_WIDGET,
        help_text=_("退回重新审核的理由（必填）"),
    )
