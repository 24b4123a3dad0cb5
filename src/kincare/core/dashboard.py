"""The operator dashboard on the admin index: each automation figure next to its industry target,
and the manual queues.

Core imports no app: each app registers what it shows in its ``AppConfig.ready`` —
``register_figure(code, provider, order=…)`` with a provider returning ``figure(...)`` (a few
aggregate queries, no per-row work), ``register_queue(code, provider, order=…)`` with a provider
taking the staff user and returning ``queue(...)``. Today:

* automated underwriting — decisions made by the engine / all decisions (target above 80%;
  ``kincare.underwriting.dashboard``);
* automated issuance — issued policies whose insured's decision was made by the engine (or that
  needed none) / all issued policies (target above 70%; ``kincare.policies.dashboard``);
* automated claims — claims decided by the engine / all adjudicated claims (target above 40%;
  ``kincare.claims.dashboard``);
* the queues: underwriting cases pending, claims waiting for an adjuster (manual review or a
  second approval).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kincare.core.registry import Registry

FigureProvider = Callable[[], dict[str, Any]]
QueueProvider = Callable[[Any], dict[str, Any]]

figure_providers: Registry[FigureProvider] = Registry("dashboard figure")
queue_providers: Registry[QueueProvider] = Registry("dashboard queue")


def register_figure(code: str, provider: FigureProvider, *, order: int) -> None:
    """``provider()`` returns ``figure(...)``; figures are shown by ``order``."""
    figure_providers.register(code, provider, order=order)


def register_queue(code: str, provider: QueueProvider, *, order: int) -> None:
    """``provider(user)`` returns ``queue(...)``; queues are shown by ``order``."""
    queue_providers.register(code, provider, order=order)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def figure(
    *, code: str, label: str, engine: int | None, total: int | None, target: float, note: str = ""
) -> dict[str, Any]:
    """One automation figure as the panel shows it: ``engine / total`` against ``target``."""
    rate = (engine / total) if engine is not None and total else None
    return {
        "code": code,
        "label": label,
        "numerator": engine,
        "denominator": total,
        "rate": rate,
        "display": _percent(rate),
        "bar_pct": round(rate * 100) if rate is not None else 0,
        "target": target,
        "target_display": "> " + _percent(target).replace(".0%", "%"),
        "target_pct": round(target * 100),
        "met": (rate > target) if rate is not None else None,
        "note": note,
    }


def queue(*, code: str, label: str, count: int, link: str | None, link_label: str) -> dict[str, Any]:
    """One manual queue: its size, and a link to it for staff who work it (``link`` None otherwise)."""
    return {"code": code, "label": label, "count": count, "link": link, "link_label": link_label}


def dashboard_figures() -> list[dict[str, Any]]:
    """Each automation figure with its target; ``display`` is "—" while there is nothing to count."""
    return [provider() for provider in figure_providers]


def dashboard_context(user: Any) -> dict[str, Any]:
    """What the admin index panel shows: the figures and the manual queues."""
    return {"figures": dashboard_figures(), "queues": [provider(user) for provider in queue_providers]}
