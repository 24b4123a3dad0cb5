"""The steps of ``kincare demo``, registered by each app in its ``AppConfig.ready`` (core imports
no app).

A step gets the command's options and returns the lines it prints. Steps run by ``order``
(staff 10, catalog 20, underwriting rules 30, families 40, policies 50, planning 60,
crowdfunding 70), all in one transaction; a step registered with ``own_transaction=True`` (the
synthetic families, written in chunks) runs after that transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kincare.core.registry import Registry

DemoRun = Callable[[Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class DemoStep:
    run: DemoRun
    own_transaction: bool = False


demo_steps: Registry[DemoStep] = Registry("demo step")


def register_demo_step(name: str, run: DemoRun, *, order: int, own_transaction: bool = False) -> None:
    demo_steps.register(name, DemoStep(run=run, own_transaction=own_transaction), order=order)
