"""core/text: free text refuses control characters (issue 13, defect 9a)."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from django import forms
from pydantic import BaseModel

from kincare.core.errors import ValidationFailed
from kincare.core.text import NoControlInside, SafeStrictText, has_control_characters, validate_text


@pytest.mark.parametrize("text", ["a\x00b", "\x07", "\x1b[2J", "x\x7f", "\x85", "\ud800"])
def test_it_finds_control_characters(text):
    assert has_control_characters(text)


@pytest.mark.parametrize("text", ["", "子轩加油！", "第一行\n第二行\r\n\t缩进", "emoji 🎉", "Ünïcödé · 张"])
def test_it_lets_ordinary_text_through_with_line_breaks_and_tabs(text):
    assert not has_control_characters(text)


class _Model(BaseModel):
    title: SafeStrictText
    details: Annotated[dict[str, Any], NoControlInside] = {}


def test_the_schema_type_refuses_with_the_invalid_characters_code_and_the_field():
    assert _Model(title="标题\n").title == "标题\n"
    with pytest.raises(ValidationFailed) as exc:
        _Model(title="标题\x00")
    assert (exc.value.code, exc.value.field) == ("invalid_characters", "title")


def test_it_looks_inside_free_form_details():
    with pytest.raises(ValidationFailed) as exc:
        _Model(title="ok", details={"notes": ["fine", {"deeper": "bad\x08"}]})
    assert (exc.value.code, exc.value.field) == ("invalid_characters", "details")


def test_the_form_validator_refuses_with_the_same_code():
    class Form(forms.Form):
        text = forms.CharField(validators=[validate_text])

    form = Form({"text": "hello\x1bworld"})
    assert not form.is_valid()
    assert form.errors.as_data()["text"][0].code == "invalid_characters"
    assert Form({"text": "第一行\r\n第二行"}).is_valid()
