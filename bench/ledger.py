"""Ledger throughput into one hot non-negative account on PostgreSQL, against pgbench.

Each operation is one ``ledger_post`` of a donation-shaped entry (debit the platform clearing
account, credit one campaign escrow: a non-negative liability with bucketed balances), with a
fresh idempotency key, in its own transaction — what a confirmed payment notification does.
Workers are separate processes (no shared GIL), each with its own connection. pgbench's
built-in ``simple-update`` script runs in the same run against the same server, with 16 clients.

    .venv/bin/python bench/ledger.py [--seconds 8] [--workers 1,4,16]

Prints JSON lines: ledger.postings_per_s.w{N}, pgbench.simple_update_tps,
ledger.ratio_vs_pgbench.w16.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import django_setup, emit, ensure_database, pg_server_url

DB_NAME = "kincare_bench"
PGBENCH_DB = "kincare_pgbench"
HOT = "bench:campaign:hot:escrow"
CLEARING = "bench:platform:clearing"


def _worker(url: str, seconds: float, go: Any, ready: mp.Queue, run_id: str, worker_no: int, out: mp.Queue) -> None:
    django_setup(url)
    from django.db import connection

    from kincare.core.ledger.models import Account
    from kincare.core.ledger.services import ledger_post

    hot = Account.objects.get(code=HOT)
    clearing = Account.objects.get(code=CLEARING)
    connection.ensure_connection()
    ready.put(worker_no)
    go.wait()
    deadline = time.time() + seconds
    done = 0
    while time.time() < deadline:
        amount = 100 + (done % 5000)
        ledger_post(
            kind="donation",
            idempotency_key=f"bench:{run_id}:{worker_no}:{done}",
            postings=[(clearing, amount), (hot, -amount)],
        )
        done += 1
    out.put(done)
    connection.close()


def measure_ledger(url: str, workers: int, seconds: float) -> float:
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    ready: mp.Queue = ctx.Queue()
    go = ctx.Event()
    run_id = uuid.uuid4().hex[:8]
    procs = [ctx.Process(target=_worker, args=(url, seconds, go, ready, run_id, i, out)) for i in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:  # every process has set Django up and connected before the clock starts
        ready.get(timeout=180)
    go.set()
    total = sum(out.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def pgbench_tps(clients: int, seconds: int) -> float | None:
    exe = shutil.which("pgbench") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None)
    if exe is None:
        return None
    url = ensure_database(PGBENCH_DB)
    subprocess.run([str(exe), "-i", "-q", "-s", "16", url], check=True, capture_output=True)
    result = subprocess.run(
        [str(exe), "-n", "-b", "simple-update", "-c", str(clients), "-j", "2", "-T", str(seconds), url],
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout)
    return float(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", default="1,4,16")
    args = parser.parse_args()

    url = ensure_database(DB_NAME, fresh=True)
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from kincare.core.ledger.checks import reconcile
    from kincare.core.ledger.services import account_ensure

    account_ensure(code=HOT, kind="liability", allow_negative=False, buckets=16, name="bench hot escrow")
    # The same settings as the production accounts: payments' clearing account is a
    # non-negative asset with 16 buckets, a campaign escrow a non-negative liability.
    account_ensure(code=CLEARING, kind="asset", allow_negative=False, buckets=16, name="bench clearing")

    rates: dict[int, float] = {}
    for n in [int(w) for w in args.workers.split(",")]:
        rates[n] = measure_ledger(url, n, args.seconds)
        emit(f"ledger.postings_per_s.w{n}", round(rates[n], 1), "postings/s", workers=n, server=pg_server_url())
    tps = pgbench_tps(16, int(args.seconds))
    if tps is not None:
        emit("pgbench.simple_update_tps", round(tps, 1), "tps", clients=16)
        if 16 in rates:
            emit("ledger.ratio_vs_pgbench.w16", round(rates[16] / tps, 3), "ratio")
    problems = reconcile()
    emit("ledger.reconcile_discrepancies", len(problems), "count")


if __name__ == "__main__":
    main()
