"""The sample catalog for ``kincare demo``."""

from __future__ import annotations

from kincare.catalog.services import catalog_import
from kincare.catalog.sources import DATA_DIR


def demo_catalog_ensure() -> str:
    """Import the shipped catalog (idempotent: upserts by code and version); returns a summary line."""
    result = catalog_import(directory=DATA_DIR)
    return (
        f"catalog: {result.insurers} insurers, {result.products_created} products created, "
        f"{result.products_updated} updated, {result.scored} scored"
    )
