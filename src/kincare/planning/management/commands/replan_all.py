"""``kincare replan-all [--scheduler ADDRESS] [--partition-size N] [--workers N] [--fresh]``.

Re-plans every family on Dask (a LocalCluster of single-threaded worker processes when no
scheduler is given), in partitions keyed by family id, and prints the throughput. An
interrupted run is resumed by the next call (finished partitions are not redone); ``--fresh``
starts over. See ``kincare.planning.batch``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kincare.planning.batch import DEFAULT_PARTITION_SIZE, replan_all


class Command(BaseCommand):
    help = "Re-plan every family on Dask in restartable partitions and print the throughput"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
        parser.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes (default: CPUs)")
        parser.add_argument("--partition-size", type=int, default=DEFAULT_PARTITION_SIZE)
        parser.add_argument("--as-of", default=None, help="plan as of this date, YYYY-MM-DD (default: today)")
        parser.add_argument("--fresh", action="store_true", help="start a new run instead of resuming one")
        parser.add_argument("--max-partitions", type=int, default=None, help="stop after this many partitions")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["partition_size"] < 1:
            raise CommandError("--partition-size must be at least 1")
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of must be YYYY-MM-DD") from None
        result = replan_all(
            scheduler=options["scheduler"],
            workers=options["workers"],
            partition_size=options["partition_size"],
            as_of=as_of,
            fresh=options["fresh"],
            limit_partitions=options["max_partitions"],
            progress=None if options["no_progress"] else sys.stderr,
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "run_id": result.run_id,
                        "families": result.families,
                        "partitions": result.partitions,
                        "skipped_partitions": result.skipped_partitions,
                        "seconds": round(result.seconds, 3),
                        "families_per_s": round(result.families_per_s, 1),
                        "workers": result.workers,
                        "resumed": result.resumed,
                        "finished": result.finished,
                    }
                )
            )
            return
        state = "finished" if result.finished else "interrupted (run `kincare replan-all` again to resume)"
        self.stdout.write(
            f"run {result.run_id}{' (resumed)' if result.resumed else ''}: re-planned {result.families} families "
            f"in {result.partitions} partitions ({result.skipped_partitions} already done) "
            f"in {result.seconds:.1f} s — {result.families_per_s:.1f} families/s on {result.workers} worker(s); {state}"
        )
