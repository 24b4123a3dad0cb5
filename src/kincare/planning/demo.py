"""``kincare demo`` for planning: where the family protection plan is, and — with
``--families N`` — N synthetic families for the batch and the benchmarks (written in chunks,
after the demo transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kincare.core.demo import register_demo_step


def demo_step(options: Mapping[str, Any]) -> list[str]:
    return ["保障规划 (family protection plan): http://127.0.0.1:8000/family/plan/"]


def synthetic_step(options: Mapping[str, Any]) -> list[str]:
    if not options.get("families"):
        return []
    from kincare.planning.synthetic import synthetic_families_create

    made = synthetic_families_create(int(options["families"]))
    return [f"合成家庭 (synthetic families): {made} 个已生成；`kincare replan-all` 为它们规划保障"]


def register() -> None:
    register_demo_step("planning", demo_step, order=60)
    register_demo_step("synthetic families", synthetic_step, order=100, own_transaction=True)
