"""The sample catalog for ``kincare demo``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR
from kincare.core.demo import register_demo_step


def demo_catalog_ensure() -> str:
    """Import the shipped catalog (idempotent: upserts by code and version); returns a summary line."""
    result = catalog_import(directory=DATA_DIR)
    return (
        f"catalog: {result.insurers} insurers, {result.products_created} products created, "
        f"{result.products_updated} updated, {result.scored} scored"
    )


def demo_step(options: Mapping[str, Any]) -> list[str]:
    return [f"保险产品 (catalog): {demo_catalog_ensure()}  → http://127.0.0.1:8000/catalog/"]


def register() -> None:
    register_demo_step("catalog", demo_step, order=20)
