"""Planning figures: one family's plan time, and ``replan-all`` throughput on Dask.

* ``planning.plan_median_ms`` / ``planning.plan_p95_ms``: the pure engine planning a family of
  four (a primary earner of 38 with 300,000 yuan, a non-earning spouse, a child of 9 and a
  grandmother of 66 with controlled grade-1 hypertension; household finances known) against
  the full sample catalog with the shipped rule tables: needs, options through underwriting,
  pruning, the CP-SAT solve and the notes; warm, 1,000 runs. The same family through HiGHS is
  printed as ``planning.plan_median_ms.highs`` (the measurement that chose CP-SAT).
* ``planning.batch_families_per_s.w1`` / ``.w2``: ``replan-all`` over 20,000 synthetic families
  (``kincare demo --families``) on PostgreSQL with a LocalCluster of 1 and 2 single-threaded
  worker processes, each a fresh run, timed from the call to the last plan written (cluster
  start included); ``planning.batch_scaling_efficiency`` = w2 / (2 × w1).

    .venv/bin/python bench/planning.py [--families 20000] [--runs 1000] [--skip-batch]

Needs PostgreSQL on 127.0.0.1:5432 for the batch (``KINCARE_BENCH_PG`` to change); the database
``kincare_bench_planning`` is recreated on each run.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, django_setup, emit, ensure_database

DB_NAME = "kincare_bench_planning"


def the_family() -> Any:
    from kincare.planning.engine import parse_family

    return parse_family(
        {
            "family_id": "bench",
            "as_of": "2026-12-01",
            "members": [
                {"member_id": "earner", "birth_date": "1988-05-01", "sex": "M", "annual_income_fen": 30_000_000},
                {"member_id": "spouse", "birth_date": "1990-03-01", "sex": "F"},
                {"member_id": "child", "birth_date": "2017-06-01", "sex": "M"},
                {
                    "member_id": "grandmother",
                    "birth_date": "1960-02-01",
                    "sex": "F",
                    "conditions": [
                        {
                            "code": "hypertension",
                            "attributes": {"grade": 1, "controlled": True, "years": 5, "complications": False},
                        }
                    ],
                },
            ],
            "finances": {"annual_expenses_fen": 12_000_000, "debts_fen": 80_000_000, "savings_fen": 20_000_000},
            "existing": [],
        }
    )


def plan_times(runs: int, backend: str) -> list[float]:
    from kincare.planning.engine import plan_family
    from kincare.planning.engine.shipped import load_planning_catalog

    catalog = load_planning_catalog()
    family = the_family()
    for _ in range(30):  # warm: tables compiled, solver loaded, memo filled
        plan_family(family, catalog, backend=backend)
    timings = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        plan_family(family, catalog, backend=backend)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    timings.sort()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--partition-size", type=int, default=500)
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()

    if args.skip_batch:
        django_setup(f"sqlite:///{ROOT / 'var' / 'bench_planning.sqlite3'}")
    else:
        django_setup(ensure_database(DB_NAME, fresh=True))

    cpsat = plan_times(args.runs, "cpsat")
    p95 = cpsat[int(len(cpsat) * 0.95) - 1]
    emit("planning.plan_median_ms", round(statistics.median(cpsat), 3), "ms", runs=args.runs, members=4, solver="cpsat")
    emit("planning.plan_p95_ms", round(p95, 3), "ms", runs=args.runs)
    highs = plan_times(max(50, args.runs // 5), "highs")
    emit("planning.plan_median_ms.highs", round(statistics.median(highs), 3), "ms", runs=len(highs), solver="highs")
    if args.skip_batch:
        return

    from django.core.management import call_command

    from kincare.planning.batch import replan_all
    from kincare.planning.synthetic import synthetic_families_create

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("demo", stdout=io.StringIO())  # the catalog, the rule tables, staff and demo families
    start = time.perf_counter()
    synthetic_families_create(args.families)
    print(f"# generated {args.families} families in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rates = {}
    for workers in (1, 2):
        result = replan_all(workers=workers, partition_size=args.partition_size, fresh=True)
        assert result.finished
        rates[workers] = result.families_per_s
        emit(
            f"planning.batch_families_per_s.w{workers}",
            round(result.families_per_s, 1),
            "families/s",
            families=result.families,
            seconds=round(result.seconds, 2),
            partitions=result.partitions,
            partition_size=args.partition_size,
            workers=workers,
        )
    emit("planning.batch_scaling_efficiency", round(rates[2] / (2 * rates[1]), 3), "ratio", aim=0.8)


if __name__ == "__main__":
    main()
