"""Claims figures: the engine's throughput (and, through the services, end to end).

* ``claims.engine_claims_per_s``: medical claims of 10 invoice items each (the spec's example
  policy: general + serious-illness benefits, an annual deductible, a hospital rule), adjudicated
  by ``kincare.claims.engine.adjudicate`` one after another in one process on one core, warm,
  for a few seconds: every claim is a plain dict validated in full (policy included), decided,
  explained line by line and turned into its output JSON object (``as_json()``). 2,000
  generated claims (seed 2026: item categories and amounts, diagnoses incl. serious illness and
  exclusions, social insurance, other insurance, year-to-date accumulators) are cycled. The
  extra field ``prevalidated_policy_claims_per_s`` is the same with the policy validated once
  (a ``PolicyTerms`` instance in the request), as a caller that caches the terms would run it.
  Aim: ≥ 5,000 claims/s.
* the end-to-end figures (``claims.e2e_claims_per_s``, ``claims.automation_rate``): see
  ``e2e_figures()``.

The engine part needs no database and no Django settings.

    .venv/bin/python bench/claims.py [--seconds 3] [--only engine|e2e]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _claims_population import ITEMS_PER_CLAIM, SEED
from _common import emit

POLICY: dict[str, Any] = {
    "policy_id": "P-1",
    "category": "medical",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "first_effective_date": "2025-01-01",
    "waiting_period_days": 30,
    "exclusions": ["B18", "K7"],
    "benefits": [
        {"type": "general", "annual_limit_fen": 200000000, "deductible_group": "main"},
        {
            "type": "serious_illness",
            "annual_limit_fen": 400000000,
            "deductible_group": None,
            "icd_prefixes": ["C", "I21", "I60", "I61", "I63", "N18.5"],
        },
    ],
    "deductibles": {"main": {"amount_fen": 1000000, "scope": "annual"}},
    "ratio_with_social_insurance": "1.00",
    "ratio_without_social_insurance": "0.60",
    "covered_claim_types": ["inpatient", "special_outpatient", "outpatient_surgery", "pre_post_outpatient"],
    "pre_post_days": [30, 30],
    "hospital_rule": {"min_level": 2, "public_only": True, "special_needs_ward": False},
    "auto_approve_limit_fen": 5000000,
}
CATEGORIES = [
    "bed",
    "nursing",
    "exam",
    "lab",
    "treatment",
    "surgery",
    "drug",
    "material",
    "other_medical",
    "non_medical",
    "cosmetic",
    "special_needs_surcharge",
]
DIAGNOSES = ["K35.8", "J18.9", "K80.1", "S72.0", "I10", "E11.9", "C34.1", "I21.0", "I63.9", "K70.3", "N18.5"]


def medical_claims(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` claim requests of ``ITEMS_PER_CLAIM`` items each against the example policy."""
    claims = []
    for n in range(count):
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        items: list[dict[str, Any]] = [
            {"category": rng.choice(CATEGORIES), "amount_fen": rng.randint(1_000, 2_000_000)}
            for _ in range(ITEMS_PER_CLAIM)
        ]
        total = sum(item["amount_fen"] for item in items)
        social = rng.random() < 0.8
        claims.append(
            {
                "claim_id": f"C-{n}",
                "policy": copy.deepcopy(POLICY),
                "accumulators": {
                    "deductible_used_fen": {"main": rng.choice([0, 0, 250_000, 1_000_000])},
                    "paid_fen": {"general": rng.choice([0, 0, 5_000_000]), "serious_illness": 0},
                },
                "claim": {
                    "member_id": f"M-{n % 300}",
                    "claim_type": rng.choice(["inpatient", "inpatient", "special_outpatient", "outpatient_surgery"]),
                    "service_start": f"2026-{month:02d}-{day:02d}",
                    "service_end": f"2026-{month:02d}-{min(28, day + rng.randint(0, 10)):02d}",
                    "diagnoses": [rng.choice(DIAGNOSES)],
                    "is_accident": rng.random() < 0.05,
                    "hospital": {"level": rng.choice([2, 3, 3, 3]), "public": rng.random() < 0.95},
                    "social_insurance_used": social,
                    "items": items,
                    "social_insurance_paid_fen": total * rng.randint(30, 60) // 100 if social else 0,
                    "other_insurance_paid_fen": rng.choice([0, 0, 0, 100_000]),
                    "related_stay": None,
                },
            }
        )
    return claims


def _rate(claims: list[dict[str, Any]], seconds: float) -> tuple[float, int]:
    from kincare.claims.engine import adjudicate

    for request in claims[:200]:  # warm: imports, caches
        adjudicate(request).as_json()
    done = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for request in claims:
            adjudicate(request).as_json()
        done += len(claims)
        if time.perf_counter() >= deadline:
            break
    return done / (time.perf_counter() - start), done


def engine_claims_per_s(seconds: float = 3.0) -> dict[str, Any]:
    """``claims.engine_claims_per_s``: 10-item medical claims through ``adjudicate`` on one core."""
    from kincare.claims.engine import PolicyTerms

    claims = medical_claims(2_000, random.Random(SEED))
    rate, done = _rate(claims, seconds)
    policy = PolicyTerms.model_validate(POLICY)
    prevalidated = [{**request, "policy": policy} for request in claims]
    fast_rate, _ = _rate(prevalidated, seconds / 2)
    return {
        "metric": "claims.engine_claims_per_s",
        "value": round(rate),
        "unit": "claims/s",
        "items_per_claim": ITEMS_PER_CLAIM,
        "claims": done,
        "prevalidated_policy_claims_per_s": round(fast_rate),
        "aim": 5000,
    }


# -- end to end through the services (PostgreSQL) ------------------------------------------------

E2E_DB = "kincare_bench_claims"
#: claims measured (env KINCARE_BENCH_CLAIMS)
E2E_CLAIMS = 6_000
#: claims submitted before the clock starts, the platform's history (env KINCARE_BENCH_CLAIMS_HISTORY)
E2E_HISTORY = 1_000

#: one claim: (user id, member id, policy id, claim_submit's arguments, invoice PDF)
Job = tuple[int, int, int, dict[str, Any], bytes]


def _load(jobs: list[Job]) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    """The jobs' users, members and policies (as the API would have loaded them), by id."""
    from kincare.accounts.models import User
    from kincare.families.models import Member
    from kincare.policies.models import Policy

    users = {u.pk: u for u in User.objects.filter(pk__in={j[0] for j in jobs})}
    members = {m.pk: m for m in Member.objects.select_related("family").filter(pk__in={j[1] for j in jobs})}
    policies = {
        p.pk: p
        for p in Policy.objects.select_related("product", "product__insurer", "plan", "policyholder").filter(
            pk__in={j[2] for j in jobs}
        )
    }
    return users, members, policies


def _submit_all(
    jobs: list[Job], rows: tuple[dict[int, Any], dict[int, Any], dict[int, Any]], *, count_statements: bool = False
) -> tuple[int, int, str, float, int]:
    """Submit every claim through ``claim_submit``; returns (done, errors, first error, seconds,
    SQL statements counted)."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.utils import timezone

    from kincare.claims.services import claim_submit

    users, members, policies = rows
    today = timezone.localdate()
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    done = errors = 0
    first_error = ""
    started = time.perf_counter()
    with connection.execute_wrapper(count) if count_statements else contextlib.nullcontext():
        for user_id, member_id, policy_id, spec, pdf in jobs:
            kwargs = dict(spec)
            kwargs["service_start"] = today - dt.timedelta(days=kwargs.pop("service_start_days_ago"))
            kwargs["service_end"] = today - dt.timedelta(days=kwargs.pop("service_end_days_ago"))
            invoice = SimpleUploadedFile("invoice.pdf", pdf, content_type="application/pdf")
            try:
                claim_submit(
                    actor=users[user_id],
                    policy=policies[policy_id],
                    member=members[member_id],
                    documents=[("invoice", invoice)],
                    **kwargs,
                )
                done += 1
            except Exception as exc:  # counted and reported
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
    return done, errors, first_error, time.perf_counter() - started, statements


def _e2e_worker(url: str, media: str, jobs: list[Job], go: Any, ready: Any, out: Any) -> None:
    """One worker process: connect and load its share's rows, wait for the start, submit the
    share; puts ``_submit_all``'s figures on ``out``."""
    from _common import django_setup

    django_setup(url)
    from django.conf import settings
    from django.db import connection

    settings.MEDIA_ROOT = media
    rows = _load(jobs)
    connection.ensure_connection()
    ready.put(len(jobs))
    go.wait()
    out.put(_submit_all(jobs, rows, count_statements=True))
    connection.close()


def _analyze() -> dict[str, str]:
    """``ANALYZE`` the database, as autovacuum keeps the statistics of a production server (this
    one may run without it); returns the server's autovacuum setting for the record."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT current_setting('autovacuum')")
        (autovacuum,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'claims_claim' AND indexdef ILIKE '%gin%'")
        (gin,) = cursor.fetchone()
    return {"autovacuum": autovacuum, "invoice_hash_index": "present" if gin else "missing"}


def e2e_figures(workers: int | None = None, claims: int | None = None) -> list[dict[str, Any]]:
    """The end-to-end figures through the services on PostgreSQL.

    A fresh database (``kincare_bench_claims`` on ``KINCARE_BENCH_PG``, default
    postgres://postgres@127.0.0.1:5432) is migrated and loaded with the sample catalog, then
    with ``e2e_population`` (default 1,000 + 6,000 claims, ~4,200 members, each with an issued
    med_01 policy, written in bulk). The first 1,000 claims are the platform's history: they go
    through ``claim_submit`` in this process before the clock starts; then the database is
    analysed (``ANALYZE``: production runs autovacuum, which keeps the statistics of the claims,
    ledger and audit tables current; this server may not, ``autovacuum`` says; without it the
    planner would go on treating the tables it saw empty as empty). All of that is setup, not
    measured.

    Then ``workers`` processes (default: the number of CPUs; env
    ``KINCARE_BENCH_CLAIMS_WORKERS``) each connect, load their members' users and policies, and
    wait; the clock starts and each submits its share of the other 6,000 claims through
    ``claim_submit`` — every check, the claim, its invoice-number hash and its invoice PDF
    stored (in a temporary media folder), the accumulator row locked, risk facts from the
    database, the engine, status moves with history and audit, the payout posted to the
    ledger, the family notified — one transaction per claim. A member's claims all go to one
    worker, in order (members are spread over the workers). Only ``claim_submit`` is inside the
    clock.

    * ``claims.e2e_claims_per_s`` = claims / wall time from the start signal until the last
      worker finished (aim ≥ 300), with ``statements_per_claim`` (SQL statements through
      Django, savepoints included; each claim's BEGIN and COMMIT come on top);
    * ``claims.automation_rate`` = claims the engine decided (approved, incl. zero payouts, or
      rejected) / all adjudicated claims (history included), from ``selectors.automation_rate``
      (a fraction 0–1; aim ≥ 0.60), with the counts per outcome.

    The ledger is reconciled afterwards (``ledger_discrepancies`` must be 0). The run is
    CPU-bound, the workers (Python) and PostgreSQL sharing the machine's cores: the figure grows
    with the cores of the machine that runs both. Returns [] with a message on stderr when
    PostgreSQL is not reachable.
    """
    import multiprocessing as mp
    import os
    import shutil
    import tempfile
    from collections import Counter

    from _claims_population import e2e_population, e2e_setup
    from _common import django_setup, ensure_database, pg_server_url

    claims = claims or int(os.environ.get("KINCARE_BENCH_CLAIMS", E2E_CLAIMS))
    history = int(os.environ.get("KINCARE_BENCH_CLAIMS_HISTORY", E2E_HISTORY))
    workers = workers or int(os.environ.get("KINCARE_BENCH_CLAIMS_WORKERS", os.cpu_count() or 2))
    try:
        url = ensure_database(E2E_DB, fresh=True)
    except Exception as exc:  # no server: the engine figure still stands
        print(f"claims e2e: PostgreSQL not reachable ({exc}); skipped", file=sys.stderr)
        return []
    django_setup(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    from kincare.catalog.services import catalog_import
    from kincare.claims.models import Claim
    from kincare.claims.selectors import automation_rate
    from kincare.core.ledger.checks import reconcile

    media = tempfile.mkdtemp(prefix="kincare-bench-claims-")
    try:
        settings.MEDIA_ROOT = media
        catalog_import()
        members, population = e2e_population(history + claims)
        ids = e2e_setup(members)
        jobs: list[Job] = [(*ids[job["member"]], job["kwargs"], job["invoice_pdf"]) for job in population]
        history_errors = _submit_all(jobs[:history], _load(jobs[:history]))[1]
        server = _analyze()
        shares: list[list[Job]] = [[] for _ in range(workers)]
        for job, spec in zip(jobs[history:], population[history:], strict=True):
            shares[spec["member"] % workers].append(job)
        connections.close_all()

        ctx = mp.get_context("spawn")
        go, ready, out = ctx.Event(), ctx.Queue(), ctx.Queue()
        procs = [ctx.Process(target=_e2e_worker, args=(url, media, share, go, ready, out)) for share in shares]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=300)
        started = time.perf_counter()
        go.set()
        results = [out.get(timeout=3600) for _ in procs]
        elapsed = time.perf_counter() - started
        for proc in procs:
            proc.join()
    finally:
        shutil.rmtree(media, ignore_errors=True)
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    statements = sum(r[4] for r in results)
    outcomes = Counter(
        f"{status}/{decided_by or '-'}" for status, decided_by in Claim.objects.values_list("status", "decided_by")
    )
    flags: Counter[str] = Counter()
    for claim_flags in Claim.objects.values_list("flags", flat=True):
        flags.update(claim_flags or [])
    rate = automation_rate()
    return [
        {
            "metric": "claims.e2e_claims_per_s",
            "value": round(done / elapsed, 1),
            "unit": "claims/s",
            "claims": done,
            "errors": errors,
            **({"first_error": next(r[2] for r in results if r[2])} if errors else {}),
            "workers": workers,
            "seconds": round(elapsed, 2),
            "items_per_claim": ITEMS_PER_CLAIM,
            "statements_per_claim": round(statements / max(1, done + errors), 2),
            "history_claims": history,
            **({"history_errors": history_errors} if history_errors else {}),
            "server": pg_server_url(),
            **server,
            "ledger_discrepancies": len(reconcile()),
            "aim": 300,
        },
        {
            "metric": "claims.automation_rate",
            "value": round(rate["rate"] or 0.0, 4),
            "unit": "fraction",
            "engine": rate["engine"],
            "total": rate["total"],
            "outcomes": dict(sorted(outcomes.items())),
            "flags": dict(sorted(flags.items())),
            "aim": 0.6,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to run the engine figure (default 3)")
    parser.add_argument("--only", choices=["engine", "e2e"], help="one part only (default: both)")
    args = parser.parse_args()
    figures = [] if args.only == "e2e" else [engine_claims_per_s(args.seconds)]
    if args.only != "engine":
        figures.extend(e2e_figures())
    for figure in figures:
        figure = dict(figure)
        emit(figure.pop("metric"), figure.pop("value"), figure.pop("unit"), **figure)


if __name__ == "__main__":
    main()
