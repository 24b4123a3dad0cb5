"""The shipped critical-illness list (``claims/data/critical_illness.yaml``): ICD-10 prefixes per
severity, and the payout group of each severe disease (multiple-payout products)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kincare.claims.engine.scalars import SEVERITIES

CI_LIST = Path(__file__).resolve().parent.parent / "data" / "critical_illness.yaml"


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    unknown = set(data) - set(SEVERITIES) - {"groups"}
    if unknown:
        raise ValueError(f"{path}: unknown severity {sorted(unknown)[0]!r}")
    groups = {str(code): str(name) for code, name in (data.get("groups") or {}).items()}
    for entry in data.get("severe") or []:
        if str(entry.get("group", "")) not in groups:
            raise ValueError(f"{path}: severe prefix {entry.get('prefix')!r} has no known group")
    return data


@lru_cache(maxsize=4)
def shipped_ci_list(path: Path = CI_LIST) -> dict[str, tuple[tuple[str, str], ...]]:
    """``{severity: ((prefix, name), ...)}`` for severe, moderate and mild (read once)."""
    data = _load(path)
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for severity in SEVERITIES:
        entries = data.get(severity) or []
        out[severity] = tuple((str(e["prefix"]).strip().upper(), str(e.get("name", ""))) for e in entries)
    return out


def shipped_prefixes(severity: str) -> tuple[str, ...]:
    return tuple(prefix for prefix, _ in shipped_ci_list()[severity])


@lru_cache(maxsize=4)
def shipped_groups(path: Path = CI_LIST) -> dict[str, str]:
    """``{group code: Chinese name}`` of the severe payout groups, in the file's order."""
    return {str(code): str(name) for code, name in (_load(path).get("groups") or {}).items()}


@lru_cache(maxsize=4)
def shipped_severe_groups(path: Path = CI_LIST) -> dict[str, str]:
    """``{severe ICD-10 prefix: group code}`` (the engine's default when a policy gives none)."""
    return {str(e["prefix"]).strip().upper(): str(e["group"]) for e in _load(path).get("severe") or []}
