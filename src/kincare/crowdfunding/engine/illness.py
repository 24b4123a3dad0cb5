"""The serious-illness list (``crowdfunding/data/serious_illness.yaml``) and ICD-10 matching.

Codes are compared by structure, not as strings: a code is its category (a letter and two
digits, ``C92``) and the characters after the point (``0``, or ``000X001`` in the Chinese
clinical edition, 国家临床版). An entry matches when the category is the same and the code's
detail starts with the entry's detail. So ``C9`` is no code at all, ``C97`` never matches
``C98`` and ``N18.5`` never matches ``N18.4``. Ranges in the file (``C00``–``C97``) are expanded
to explicit entries when the list is read, once per process; no database is involved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SERIOUS_ILLNESS_FILE = Path(__file__).resolve().parent.parent / "data" / "serious_illness.yaml"

#: category, an optional point, then up to eight letters or digits (C92.0, C920, C34.900X001)
_CODE = re.compile(r"^([A-Z][0-9]{2})(?:\.?([0-9A-Z]{1,8}))?$")
#: what an entry of the list may name: a category, or a category and digits after the point
_ENTRY = re.compile(r"^([A-Z])([0-9]{2})(?:\.([0-9]{1,4}))?$")


@dataclass(frozen=True)
class IllnessEntry:
    category: str
    #: "" matches the whole category
    detail: str
    name: str

    @property
    def prefix(self) -> str:
        return f"{self.category}.{self.detail}" if self.detail else self.category


def split_icd10(code: object) -> tuple[str, str] | None:
    """``(category, detail)`` of an ICD-10 code as people type it, or None when it is not one.

    Full-width characters, spaces and lower case are forgiven (they come from forms and scans).
    """
    if not isinstance(code, str) or len(code) > 32:
        return None
    text = "".join(unicodedata.normalize("NFKC", code).split()).upper()
    match = _CODE.match(text)
    if match is None:
        return None
    return match.group(1), match.group(2) or ""


def normalise_icd10(code: object) -> str | None:
    """The canonical spelling (``c92 .0`` → ``C92.0``), or None when it is not an ICD-10 code."""
    parts = split_icd10(code)
    if parts is None:
        return None
    category, detail = parts
    return f"{category}.{detail}" if detail else category


def _expand(entry: dict[str, Any], position: int) -> list[IllnessEntry]:
    name = str(entry.get("name") or "").strip()
    keys = set(entry) - {"name"}
    where = f"{SERIOUS_ILLNESS_FILE.name} entry {position}"
    if not name:
        raise ValueError(f"{where}: no name")
    if keys == {"prefix"}:
        low = high = str(entry["prefix"]).strip()
    elif keys == {"from", "to"}:
        low, high = str(entry["from"]).strip(), str(entry["to"]).strip()
    else:
        raise ValueError(f"{where}: give either prefix, or from and to")
    first, last = _ENTRY.match(low), _ENTRY.match(high)
    if first is None or last is None:
        raise ValueError(f"{where}: {low!r}–{high!r} is not an ICD-10 prefix")
    letter, number, detail = first.groups()
    if detail is None:
        # a range of categories, all of one letter: C00 … C97
        if last.group(1) != letter or last.group(3) is not None or int(last.group(2)) < int(number):
            raise ValueError(f"{where}: {low}–{high} is not a range of categories of one letter")
        return [IllnessEntry(f"{letter}{n:02d}", "", name) for n in range(int(number), int(last.group(2)) + 1)]
    # a range of subcategories of one category, the detail of one width: T31.3 … T31.9
    last_detail = last.group(3)
    if last.group(1, 2) != (letter, number) or last_detail is None or len(last_detail) != len(detail):
        raise ValueError(f"{where}: {low}–{high} is not a range within one category")
    if int(last_detail) < int(detail):
        raise ValueError(f"{where}: {low}–{high} runs backwards")
    width = len(detail)
    return [IllnessEntry(f"{letter}{number}", f"{n:0{width}d}", name) for n in range(int(detail), int(last_detail) + 1)]


@cache
def serious_illness_list() -> tuple[IllnessEntry, ...]:
    """Every entry of the shipped list, ranges expanded (read once per process)."""
    with open(SERIOUS_ILLNESS_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if set(data) != {"serious"}:
        raise ValueError(f"{SERIOUS_ILLNESS_FILE.name}: expected one key, serious")
    entries: list[IllnessEntry] = []
    for position, entry in enumerate(data["serious"] or []):
        if not isinstance(entry, dict):
            raise ValueError(f"{SERIOUS_ILLNESS_FILE.name} entry {position}: not a mapping")
        entries.extend(_expand(entry, position))
    return tuple(entries)


@cache
def _by_category() -> dict[str, tuple[IllnessEntry, ...]]:
    index: dict[str, list[IllnessEntry]] = {}
    for entry in serious_illness_list():
        index.setdefault(entry.category, []).append(entry)
    # longest detail first, so the most specific name wins
    return {category: tuple(sorted(found, key=lambda e: -len(e.detail))) for category, found in index.items()}


def serious_illness(icd10: object) -> IllnessEntry | None:
    """The most specific entry of the list that the code falls under, or None."""
    parts = split_icd10(icd10)
    if parts is None:
        return None
    category, detail = parts
    for entry in _by_category().get(category, ()):
        if detail.startswith(entry.detail):
            return entry
    return None


def is_serious_illness(icd10: object) -> bool:
    """Whether the diagnosis is on the serious-illness list; a string that is no code is not."""
    return serious_illness(icd10) is not None
