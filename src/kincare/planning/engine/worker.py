"""What a Dask worker runs in ``kincare replan-all``: the pure engine over one partition.

Kept apart from ``planning.batch`` so that a worker unpickling the task imports no Django
model (a worker has no database and needs none).
"""

from __future__ import annotations

import os
from typing import Any

from kincare.planning.engine.catalog import PlanningCatalog
from kincare.planning.engine.model import FamilyIn
from kincare.planning.engine.parse import family_json
from kincare.planning.engine.plan import plan_family


def plan_partition(catalog: PlanningCatalog, families: list[FamilyIn]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(inputs, result) of each family as the JSON a stored plan keeps: the driver only writes."""
    _settings()
    return [(family_json(family), plan_family(family, catalog).as_json()) for family in families]


def _settings() -> None:
    # The engine renders nothing, but the underwriting engine's messages go through gettext,
    # which needs settings: a worker process configures Django once (no database is touched).
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kincare.settings")
        django.setup()
