"""Demo data for underwriting: the shipped rule tables, active (idempotent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kincare.core.demo import register_demo_step
from kincare.underwriting.models import RuleSet
from kincare.underwriting.services import ruleset_import_shipped


def demo_underwriting_ensure() -> str:
    created = ruleset_import_shipped()
    active = RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).count()
    return f"{active} 张核保规则表生效中 (active rule tables; {created} new)"


def demo_step(options: Mapping[str, Any]) -> list[str]:
    return [f"核保规则 (underwriting): {demo_underwriting_ensure()}  → http://127.0.0.1:8000/admin/underwriting/"]


def register() -> None:
    register_demo_step("underwriting", demo_step, order=30)
