"""What a Dask worker runs in ``kincare replan-all``: one partition, read, planned and written.

Kept apart from ``planning.batch`` and importing Django models only inside the task, so that a
worker unpickling the task does so before Django is set up. A worker runs with the same settings
as the web processes (database, PII keys): it reads the partition's inputs in a handful of
queries, runs the pure engine, and writes the plans in one bulk insert in the transaction that
marks the partition done.
"""

from __future__ import annotations

import os
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from kincare.planning.engine.catalog import PlanningCatalog
from kincare.planning.engine.model import FamilyIn
from kincare.planning.engine.parse import family_json
from kincare.planning.engine.plan import plan_family


def plan_partition(catalog: PlanningCatalog, families: list[FamilyIn]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(inputs, result) of each family as the JSON a stored plan keeps (pure)."""
    _django()
    return [(family_json(family), plan_family(family, catalog).as_json()) for family in families]


def replan_partition(catalog: PlanningCatalog, run_id: int, partition_id: int) -> int:
    """Read, plan and write one partition on a worker; the number of families written (0 when
    another runner had already finished it)."""
    _django()
    from django.db import connection

    from kincare.planning.facts import partition_inputs
    from kincare.planning.models import ReplanPartition
    from kincare.planning.services import partition_write

    try:
        partition = ReplanPartition.objects.select_related("run").get(pk=partition_id, run_id=run_id)
        if partition.done_at is not None:
            return 0
        from django.utils import timezone

        read_at = timezone.now()
        inputs = partition_inputs(partition)
        return partition_write(partition, plan_partition(catalog, inputs), catalog.version, read_at=read_at)
    finally:
        # a worker thread's connection is not reused by the next task's thread: close it
        connection.close()


def _django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kincare.settings")
        django.setup()


class PinToCore(WorkerPlugin):
    """A Dask worker plugin for LocalClusters of single-threaded worker processes: worker n runs
    on core n (mod the cores). zen-engine hands each evaluation to its runtime thread and back;
    with both threads on one core the handoff never waits for a core another worker holds
    (measured: two workers planning side by side stall a fifth of the time without it)."""

    name = "kincare-pin-to-core"

    def setup(self, worker: Any) -> None:
        if not hasattr(os, "sched_setaffinity"):
            return
        cores = sorted(os.sched_getaffinity(0))
        try:
            core = cores[int(worker.name) % len(cores)]
        except (TypeError, ValueError):
            return
        for tid in os.listdir("/proc/self/task"):
            try:
                os.sched_setaffinity(int(tid), {core})
            except OSError:
                continue
