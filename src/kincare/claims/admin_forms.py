"""Operator console forms for the claims review queue: approve, adjust, reject, second approval.

The forms parse the input once (the amount strictly, with ``parse_yuan``; the note, the reason
code and the amount with ``review_note`` / ``adjust_terms`` / ``reject_terms``, which keep the
codes the services used to answer); the review services check the claim's state, the adjuster
and the rules. Their errors come back as form errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kincare.claims.services import ADJUST_REASONS, REJECT_REASONS
from kincare.core.errors import DomainError, ValidationFailed
from kincare.core.money import AmountError, parse_yuan
from kincare.core.text import validate_text

MAX_NOTE = 2000


def review_note(note: object, *, required: bool) -> str:
    """An adjuster's note: at most 2000 characters, stripped; ``required``: not empty."""
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ValidationFailed(gettext("审核意见不能超过 2000 个字"), code="note_invalid", field="note")
    note = note.strip()
    if required and not note:
        raise ValidationFailed(gettext("请填写审核意见"), code="note_required", field="note")
    return note


def adjust_terms(*, amount_fen: object, reason_code: object, note: object) -> dict[str, Any]:
    """``claim_review_adjust``'s arguments: a reason from ``ADJUST_REASONS``, a note, whole fen ≥ 0."""
    if not isinstance(reason_code, str) or reason_code not in ADJUST_REASONS:
        raise ValidationFailed(gettext("请选择调整原因"), code="reason_invalid", field="reason_code")
    clean_note = review_note(note, required=True)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0:
        raise ValidationFailed(gettext("金额必须是不小于 0 的整数（分）"), code="amount_invalid", field="amount_fen")
    return {"amount_fen": amount_fen, "reason_code": reason_code, "note": clean_note}


def reject_terms(*, reason_code: object, note: object = "") -> dict[str, Any]:
    """``claim_review_reject``'s arguments: a reason from ``REJECT_REASONS``; a note for ``other``."""
    if not isinstance(reason_code, str) or reason_code not in REJECT_REASONS:
        raise ValidationFailed(gettext("请选择拒赔原因"), code="reason_invalid", field="reason_code")
    return {"reason_code": reason_code, "note": review_note(note, required=reason_code == "other")}


_NOTE_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 80})


def adjust_reason_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in ADJUST_REASONS.items()]


def reject_reason_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in REJECT_REASONS.items()]


class ReviewForm(forms.Form):
    """Base: a note, and service errors shown next to the field they name (or above the form)."""

    #: the service's keyword → this form's field, when they differ
    FIELD_ALIASES: dict[str, str] = {"amount_fen": "amount"}
    #: the action needs a note (its reason)
    NOTE_REQUIRED = False

    def add_service_error(self, exc: DomainError) -> None:
        name = (exc.field or "").split(".")[0]
        name = self.FIELD_ALIASES.get(name, name)
        self.add_error(name if name in self.fields else None, exc.message)

    def service_kwargs(self) -> dict[str, Any]:
        """The service's arguments, parsed (ValidationFailed: shown by ``add_service_error``)."""
        return {"note": review_note(self.cleaned_data.get("note") or "", required=self.NOTE_REQUIRED)}


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
        data = self.cleaned_data
        return adjust_terms(amount_fen=data["amount"], reason_code=data["reason_code"], note=data["note"])


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
        return reject_terms(reason_code=self.cleaned_data["reason_code"], note=self.cleaned_data["note"])


class SecondApproveForm(ReviewForm):
    note = forms.CharField(
        validators=[validate_text], label=_("复核意见"), required=False, max_length=2000, widget=_NOTE_WIDGET
    )


class SecondReturnForm(ReviewForm):
    NOTE_REQUIRED = True

    note = forms.CharField(
        validators=[validate_text],
        label=_("退回原因"),
        max_length=2000,
        widget=_NOTE_WIDGET,
        help_text=_("退回重新审核的理由（必填）"),
    )
