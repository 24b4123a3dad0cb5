"""``kincare replan-all``: re-plan every family on Dask, in restartable partitions.

The run is cut into partitions of consecutive family ids (materialised as ``ReplanPartition``
rows when the run starts). Each partition is one Dask task: a worker reads the partition's
inputs in a handful of queries, runs the pure engine with the catalog (broadcast to every worker
once), and writes the partition's plans in one bulk insert, in the same transaction that marks
the partition done. The driver — this process — only starts the run, submits the partitions and
follows them (progress bar, throughput). A run that is interrupted is resumed by the next
``replan-all``: finished partitions are skipped, the others are planned. Workers run with the
web processes' settings (database, PII keys); reading and writing where the planning happens
keeps the driver out of the data path, so a larger cluster is not held back by one process.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kincare.core.fsm import transition_if_current
from kincare.families.models import Family
from kincare.planning.catalog import planning_catalog_current
from kincare.planning.models import ReplanPartition, ReplanRun
from kincare.planning.worker import PinToCore, replan_partition

log = logging.getLogger(__name__)
DEFAULT_PARTITION_SIZE = 500


@dataclass(frozen=True)
class BatchResult:
    run_id: int
    families: int
    partitions: int
    skipped_partitions: int
    seconds: float
    workers: int
    resumed: bool
    finished: bool

    @property
    def families_per_s(self) -> float:
        return self.families / self.seconds if self.seconds > 0 else 0.0


def run_start(*, as_of: dt.date, partition_size: int, catalog_version: str) -> ReplanRun:
    """A new run with its partitions: consecutive family ids, ``partition_size`` families each."""
    ids = list(Family.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        run = ReplanRun.objects.create(
            as_of=as_of, partition_size=partition_size, families_total=len(ids), catalog_version=catalog_version[:80]
        )
        ReplanPartition.objects.bulk_create(
            [
                ReplanPartition(
                    run=run,
                    first_family_id=chunk[0],
                    last_family_id=chunk[-1],
                    families=len(chunk),
                )
                for chunk in (ids[i : i + partition_size] for i in range(0, len(ids), partition_size))
            ]
        )
    return run


def run_finish(run: ReplanRun, *, reason: str) -> None:
    """running → done (a run another process finished first is left as it is)."""
    transition_if_current(run, to=ReplanRun.Status.DONE, reason=reason, extra_updates={"finished_at": timezone.now()})


def run_to_resume() -> ReplanRun | None:
    return ReplanRun.objects.filter(status=ReplanRun.Status.RUNNING).order_by("-id").first()


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the given scheduler, or of a LocalCluster of ``workers`` single-threaded processes."""
    import dask
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    # a daemonic process (a Celery worker's) may not start processes: threads there instead
    processes = settings.PLANNING_DASK_PROCESSES and not multiprocessing.current_process().daemon
    # the engine is the work: no statistical profiler sampling the workers every 10 ms, and no
    # memory monitor polling them (a partition is a few megabytes)
    quiet = {"distributed.worker.profile.enabled": False, "distributed.worker.memory.monitor-interval": "1s"}
    with (
        dask.config.set(quiet),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            memory_limit=0,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        if processes and workers <= (os.cpu_count() or 1):
            client.register_plugin(PinToCore())
        yield client


def replan_all(
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    as_of: dt.date | None = None,
    fresh: bool = False,
    limit_partitions: int | None = None,
    progress: IO[str] | None = None,
) -> BatchResult:
    """Re-plan every family (resuming an interrupted run unless ``fresh``).

    ``limit_partitions`` stops after that many partitions, leaving the run to be resumed (a
    run can be spread over several maintenance windows).
    """
    started = time.perf_counter()
    catalog = planning_catalog_current()
    run = None if fresh else run_to_resume()
    resumed = run is not None
    if fresh:
        for stale in ReplanRun.objects.filter(status=ReplanRun.Status.RUNNING):
            run_finish(stale, reason="superseded")
    if run is None:
        run = run_start(
            as_of=as_of or timezone.localdate(),
            partition_size=max(1, partition_size),
            catalog_version=catalog.version,
        )
    todo = list(run.partitions.filter(done_at__isnull=True).order_by("first_family_id"))
    skipped = run.partitions.count() - len(todo)
    if limit_partitions is not None:
        todo = todo[: max(0, limit_partitions)]
    n_workers = workers or max(1, os.cpu_count() or 1)
    families = done_partitions = 0
    bar = _progress_bar(sum(p.families for p in todo), progress)
    if todo:
        from distributed import as_completed

        with dask_client(scheduler, n_workers) as client:
            n_workers = len(client.scheduler_info().get("workers", {})) or n_workers
            shipped = client.scatter(catalog, broadcast=True)
            sizes = {}
            futures = []
            for partition in todo:
                future = client.submit(replan_partition, shipped, run.pk, partition.pk, pure=False)
                sizes[future.key] = partition.families
                futures.append(future)
            for future in as_completed(futures):
                families += future.result()
                done_partitions += 1
                bar.update(sizes[future.key])
    bar.close()
    finished = not run.partitions.filter(done_at__isnull=True).exists()
    if finished:
        run_finish(run, reason="finished")
    return BatchResult(
        run_id=run.pk,
        families=families,
        partitions=done_partitions,
        skipped_partitions=skipped,
        seconds=time.perf_counter() - started,
        workers=n_workers,
        resumed=resumed,
        finished=finished,
    )


def _progress_bar(total: int, stream: IO[str] | None) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="family",
        file=stream or sys.stderr,
        disable=stream is None,
        dynamic_ncols=True,
        smoothing=0.1,
    )
