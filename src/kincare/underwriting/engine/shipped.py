"""The shipped rule tables and questionnaires (``underwriting/data``), read without a database.

Layout::

    data/questionnaires.yaml                    code → {name, category, conditions: [...]}
    data/rules/<questionnaire>/<condition>.json  one JDM decision table (version 1)

Products name their questionnaire in the catalog YAML (``questionnaire: medical_chronic``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from kincare.underwriting.engine.core import RuleBook
from kincare.underwriting.engine.rules import RuleTable, parse_table, table_sha256

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
RULES_DIR = DATA_DIR / "rules"


@dataclass(frozen=True)
class QuestionnaireSpec:
    code: str
    name: str
    category: str
    conditions: tuple[str, ...]


@functools.cache
def questionnaires(data_dir: Path = DATA_DIR) -> dict[str, QuestionnaireSpec]:
    raw = yaml.safe_load((data_dir / "questionnaires.yaml").read_text(encoding="utf-8")) or {}
    return {
        code: QuestionnaireSpec(
            code=code,
            name=str(spec["name"]),
            category=str(spec.get("category", "")),
            conditions=tuple(spec["conditions"]),
        )
        for code, spec in raw.items()
    }


def shipped_table(questionnaire: str, condition: str, rules_dir: Path = RULES_DIR) -> RuleTable:
    """A shipped table, validated (a broken shipped file is a bug: it raises RuleTableInvalid)."""
    path = rules_dir / questionnaire / f"{condition}.json"
    text, _ = parse_table(path.read_bytes(), condition=condition)
    return RuleTable(
        questionnaire=questionnaire, condition=condition, version=1, content=text, sha256=table_sha256(text)
    )


@functools.cache
def shipped_book(questionnaire: str, rules_dir: Path = RULES_DIR) -> RuleBook:
    folder = rules_dir / questionnaire
    if not folder.is_dir():
        raise KeyError(questionnaire)
    tables = {path.stem: shipped_table(questionnaire, path.stem, rules_dir) for path in sorted(folder.glob("*.json"))}
    return RuleBook(questionnaire=questionnaire, tables=tables)


@functools.cache
def product_questionnaires() -> dict[str, str | None]:
    """Product code → questionnaire code, from the sample catalog (current versions)."""
    from kincare.catalog.sources import DATA_DIR as CATALOG_DIR
    from kincare.catalog.sources import current_products, load_catalog

    return {p.code: p.questionnaire for p in current_products(load_catalog(CATALOG_DIR))}
