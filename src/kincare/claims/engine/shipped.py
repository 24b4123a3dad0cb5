"""The shipped critical-illness list: ICD-10 prefixes per severity (``claims/data/critical_illness.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from kincare.claims.engine.terms import SEVERITIES

CI_LIST = Path(__file__).resolve().parent.parent / "data" / "critical_illness.yaml"


@lru_cache(maxsize=4)
def shipped_ci_list(path: Path = CI_LIST) -> dict[str, tuple[tuple[str, str], ...]]:
    """``{severity: ((prefix, name), ...)}`` for severe, moderate and mild (read once)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    unknown = set(data) - set(SEVERITIES)
    if unknown:
        raise ValueError(f"{path}: unknown severity {sorted(unknown)[0]!r}")
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for severity in SEVERITIES:
        entries = data.get(severity) or []
        out[severity] = tuple((str(e["prefix"]).strip().upper(), str(e.get("name", ""))) for e in entries)
    return out


def shipped_prefixes(severity: str) -> tuple[str, ...]:
    return tuple(prefix for prefix, _ in shipped_ci_list()[severity])
