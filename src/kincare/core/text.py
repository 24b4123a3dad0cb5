"""Free text as people type it: any language, any punctuation — but no control characters.

A NUL byte, a backspace or an escape sequence in a donation message or a family name is never
something a person meant; PostgreSQL refuses NUL in text outright, terminals and CSV exports
misbehave on the others. Line breaks and tabs (``\\n``, ``\\r``, ``\\t``) are text.

* ``NoControl`` — a pydantic validator to put in ``Annotated[...]``; ``SafeText`` /
  ``SafeStrictText`` are ``str`` / ``StrictStr`` with it. It raises ``ValidationFailed`` with
  code ``invalid_characters`` naming the field (a domain error, so the API answers that code).
* ``validate_text`` — the same check as a Django form field validator.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, StrictStr, ValidationInfo

from kincare.core.errors import ValidationFailed

#: control characters that are text after all
ALLOWED_CONTROLS = frozenset("\n\r\t")
CODE = "invalid_characters"


def has_control_characters(value: str) -> bool:
    """A control character (Unicode Cc, but line breaks and tabs) or a lone surrogate (Cs)."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_CONTROLS for ch in value)


def _message() -> str:
    return _("不能包含控制字符等不可见的特殊字符")


def refuse_control_characters(value: str, *, field: str | None = None) -> str:
    if has_control_characters(value):
        raise ValidationFailed(_message(), code=CODE, field=field)
    return value


def _check(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, str):
        refuse_control_characters(value, field=info.field_name)
    return value


NoControl = AfterValidator(_check)
SafeText = Annotated[str, NoControl]
SafeStrictText = Annotated[StrictStr, NoControl]


def validate_text(value: Any) -> None:
    """Django form validator: ``validators=[validate_text]``."""
    if isinstance(value, str) and has_control_characters(value):
        raise DjangoValidationError(_message(), code=CODE)


def _refuse_nested(value: Any, info: ValidationInfo) -> Any:
    """Every string inside a JSON-like value (dict keys and values, list items)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            refuse_control_characters(item, field=info.field_name)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return value


#: ``Annotated[dict[str, Any], NoControlInside]``: free-form details with text inside
NoControlInside = AfterValidator(_refuse_nested)
