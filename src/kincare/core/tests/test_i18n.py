"""Pages are Simplified Chinese first, with every string available in English."""

import re
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if re.search(r'\nmsgstr ""\Z', e.strip()) and "msgid_plural" not in e]
    assert untranslated == []
    assert "#, fuzzy" not in text


def test_the_compiled_catalog_is_shipped():
    assert PO.with_suffix(".mo").exists()


@pytest.mark.django_db
def test_a_browser_asking_for_english_gets_english_and_chinese_is_the_default(client):
    chinese = client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="zh-hans"' in chinese
    assert "登录" in chinese
    assert 'lang="en"' in english
    assert "Log in" in english
