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

    .venv/bin/python bench/claims.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import emit

SEED = 2026
ITEMS_PER_CLAIM = 10

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
#: claims of the generated population (env KINCARE_BENCH_CLAIMS)
E2E_CLAIMS = 6_000
#: members: a claim goes to a member drawn at random, ~1.7 claims per member that claims
E2E_MEMBERS_PER_CLAIM = 0.6
#: common diagnoses with a usual inpatient cost (ICD-10 → weight); the rest of the mix is below
COMMON = {"J18.9": 12, "K35.8": 10, "K80.1": 8, "S82.0": 6, "J18.0": 6, "K80.2": 6, "S82.6": 5, "J18.1": 4}
SERIOUS = {"C34.1": 3, "C50.9": 3, "I21.0": 2}
EXCLUDED = {"F10.2": 1, "O80": 2}
ELIGIBLE_HOSPITALS = ["BJ001", "BJ002", "BJ005", "SH001", "SH004", "GZ001", "GZ003", "SZ001", "HZ001", "HZ003"]
INELIGIBLE_HOSPITALS = ["BJ006", "BJ007", "SH005", "SZ004"]
WATCHLIST_HOSPITAL = "GZ004"


def _pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def e2e_population(claims: int, seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(members, claims): a generated population, pure data (no database).

    Members: 80% with social insurance; 95% on a med_01 policy (deductible 10,000 yuan, 100% /
    60%) in its second year (first effective 400 days ago, this term from 200 days ago), 5% on
    one bought 45 days ago (waiting period 30 days: some of their claims fall into it, the
    others come early). Claims (10 invoice items each, spread over the usual categories, 5% of
    the amount non-medical), drawn independently:

    * diagnosis: 92% common illnesses and injuries (pneumonia, appendicitis, gallstones,
      fractures), 6% serious illness (lung / breast cancer, heart attack: paid from the
      serious-illness benefit without deductible, often above the 50,000 yuan auto-approve
      limit), 2% general exclusions (alcohol dependence, childbirth);
    * cost: log-normal around the diagnosis's usual cost (σ 0.45; a few are above 3× the
      usual: ``amount_unusual``); social insurance pays 40–65% of the covered costs when the
      member has it; 5% also got 2,000 yuan from another insurance;
    * hospital: 95% an eligible public level-2/3 hospital, 4% a private or level-1 one
      (rejected), 1% the watch-listed private one (rejected, flagged);
    * service dates: in the last 60 days (new members: the last 40);
    * invoice numbers: unique, but 1.5% of claims reuse an earlier claim's number
      (``duplicate_invoice``); a member drawn often may pass 3 claims in 90 days (``frequent_claims``).
    """
    from kincare.claims.reference import diagnoses

    known = diagnoses()
    rng = random.Random(seed)
    n_members = max(1, int(claims * E2E_MEMBERS_PER_CLAIM))
    members = [
        {"social": rng.random() < 0.8, "new": rng.random() < 0.05, "sex": rng.choice("MF"), "age": rng.randint(18, 60)}
        for _ in range(n_members)
    ]
    medical = ["drug", "exam", "lab", "treatment", "bed", "nursing", "material", "surgery", "other_medical"]
    out: list[dict[str, Any]] = []
    for n in range(claims):
        member = rng.randrange(n_members)
        roll = rng.random()
        table = COMMON if roll < 0.92 else SERIOUS if roll < 0.98 else EXCLUDED
        code = _pick(rng, table)
        usual = known[code].usual_cost_fen or 1_000_000
        total = max(50_000, int(usual * rng.lognormvariate(0, 0.45)))
        weights = [rng.random() + 0.2 for _ in range(ITEMS_PER_CLAIM - 1)]
        covered = total - total // 20
        amounts = [max(100, int(covered * w / sum(weights))) for w in weights]
        items = [{"category": medical[i % len(medical)], "amount_fen": a} for i, a in enumerate(amounts)]
        items.append({"category": "non_medical", "amount_fen": max(100, total // 20)})
        covered_sum = sum(a for a in amounts)
        social = members[member]["social"]
        social_paid = covered_sum * rng.randint(40, 65) // 100 if social else 0
        other_paid = min(200_000, covered_sum - social_paid) if rng.random() < 0.05 else 0
        hospital_roll = rng.random()
        hospital = (
            rng.choice(ELIGIBLE_HOSPITALS)
            if hospital_roll < 0.95
            else rng.choice(INELIGIBLE_HOSPITALS)
            if hospital_roll < 0.99
            else WATCHLIST_HOSPITAL
        )
        back = rng.randint(2, 40 if members[member]["new"] else 60)
        stay = rng.randint(0, 10)
        invoice = f"INV-{seed}-{n:06d}"
        if n > 20 and rng.random() < 0.015:
            invoice = f"INV-{seed}-{rng.randrange(n):06d}"
        out.append(
            {
                "member": member,
                "kwargs": {
                    "claim_type": "inpatient",
                    "service_start_days_ago": back,
                    "service_end_days_ago": max(1, back - stay),
                    "hospital_code": hospital,
                    "diagnoses": [code],
                    "items": items,
                    "social_insurance_used": social,
                    "social_insurance_paid_fen": social_paid,
                    "other_insurance_paid_fen": other_paid,
                    "invoice_numbers": [invoice],
                },
            }
        )
    return members, out


def _e2e_setup(members: list[dict[str, Any]]) -> list[tuple[int, int, int]]:
    """Users, families, members and issued med_01 policies, written in bulk (setup, not measured).

    Returns (user id, member id, policy id) per member."""
    import datetime as dt

    from django.utils import timezone

    from kincare.accounts.models import User, phone_index
    from kincare.catalog.models import Product
    from kincare.core.pii import blind_index
    from kincare.families.models import Family, Member
    from kincare.policies.models import Application, Policy
    from kincare.policies.services.common import local_midnight

    product = Product.objects.get(code="med_01", is_current=True)
    plan = product.plans.get(code="standard")
    today = timezone.localdate()
    now = timezone.now()
    users = [
        User(phone=f"139{n:08d}", phone_hash=phone_index(f"139{n:08d}"), display_name=f"bench{n}", password="!")
        for n in range(len(members))
    ]
    User.objects.bulk_create(users, batch_size=1000)
    users = list(User.objects.filter(display_name__startswith="bench").order_by("pk"))
    families = Family.objects.bulk_create([Family(name=f"家{n}", guardian=u) for n, u in enumerate(users)], 1000)
    rows = []
    for n, (spec, user, family) in enumerate(zip(members, users, families, strict=True)):
        rid = f"B{n:017d}"
        rows.append(
            Member(
                family=family,
                user=user,
                name=f"成员{n}",
                resident_id=rid,
                resident_id_hash=blind_index(rid, purpose="resident_id"),
                birth_date=dt.date(today.year - spec["age"], 1, 15),
                sex=spec["sex"],
                relationship="self",
                social_insurance="urban_employee" if spec["social"] else "none",
            )
        )
    people = Member.objects.bulk_create(rows, batch_size=1000)
    applications = Application.objects.bulk_create(
        [
            Application(
                family=m.family,
                product=product,
                plan=plan,
                policyholder=m,
                status="issued",
                premium_fen=50_000,
                created_by=u,
                issued_at=now,
            )
            for m, u in zip(people, users, strict=True)
        ],
        batch_size=1000,
    )
    policies = []
    for n, (spec, member, application) in enumerate(zip(members, people, applications, strict=True)):
        start = today - dt.timedelta(days=45 if spec["new"] else 200)
        policies.append(
            Policy(
                number=f"KCBENCH{n:010d}",
                family=member.family,
                application=application,
                product=product,
                plan=plan,
                policyholder=member,
                insured=member,
                sum_insured_fen=plan.cover_fen,
                base_premium_fen=50_000,
                premium_fen=50_000,
                status="active",
                effective_at=local_midnight(start),
                ends_at=local_midnight(start + dt.timedelta(days=365)),
                first_effective_on=today - dt.timedelta(days=45 if spec["new"] else 400),
                issued_at=now,
            )
        )
    policies = Policy.objects.bulk_create(policies, batch_size=1000)
    return [(u.pk, m.pk, p.pk) for u, m, p in zip(users, people, policies, strict=True)]


def _e2e_worker(url: str, jobs: list[tuple[int, int, int, dict[str, Any]]], go: Any, ready: Any, out: Any) -> None:
    import datetime as dt

    from _common import django_setup

    django_setup(url)
    from django.db import connection
    from django.utils import timezone

    from kincare.accounts.models import User
    from kincare.claims.services import claim_submit
    from kincare.families.models import Member
    from kincare.policies.models import Policy

    today = timezone.localdate()
    users = {u.pk: u for u in User.objects.filter(pk__in={j[0] for j in jobs})}
    members = {m.pk: m for m in Member.objects.select_related("family").filter(pk__in={j[1] for j in jobs})}
    policies = {
        p.pk: p
        for p in Policy.objects.select_related("product", "product__insurer", "plan", "policyholder").filter(
            pk__in={j[2] for j in jobs}
        )
    }
    connection.ensure_connection()
    ready.put(len(jobs))
    go.wait()
    done = errors = 0
    first_error = ""
    started = time.perf_counter()
    for user_id, member_id, policy_id, spec in jobs:
        kwargs = dict(spec)
        kwargs["service_start"] = today - dt.timedelta(days=kwargs.pop("service_start_days_ago"))
        kwargs["service_end"] = today - dt.timedelta(days=kwargs.pop("service_end_days_ago"))
        try:
            claim_submit(actor=users[user_id], policy=policies[policy_id], member=members[member_id], **kwargs)
            done += 1
        except Exception as exc:  # counted and reported
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {exc}"
    out.put((done, errors, time.perf_counter() - started, first_error))
    connection.close()


INVOICE_INDEX = "claims_claim_invoice_hashes_gin"


def _invoice_index() -> str:
    """The GIN index the duplicate-invoice lookup (jsonb ``@>``) wants; created here when the
    migrations do not have it yet (without it every claim scans the whole claims table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE tablename = 'claims_claim' AND indexdef ILIKE '%gin%'")
        if cursor.fetchone():
            return "migration"
        cursor.execute(
            f"CREATE INDEX {INVOICE_INDEX} ON claims_claim "
            "USING gin (invoice_hashes jsonb_path_ops) WITH (fastupdate = off)"
        )
    return "created by the bench"


def e2e_figures(workers: int | None = None, claims: int | None = None) -> list[dict[str, Any]]:
    """The end-to-end figures through the services on PostgreSQL.

    A fresh database (``kincare_bench_claims`` on ``KINCARE_BENCH_PG``, default
    postgres://postgres@127.0.0.1:5432) is migrated and loaded with the sample catalog, then
    with ``e2e_population`` (default 6,000 claims, ~3,600 members, each with an issued med_01
    policy, written in bulk: setup, not measured). ``workers`` processes (default: the number of
    CPUs; env ``KINCARE_BENCH_CLAIMS_WORKERS``) each connect, load their members' users and
    policies, and wait; then the clock starts and each submits its share through
    ``claim_submit`` — every check, the claim and its invoice-number hash stored, the accumulator
    row locked, risk facts from the database, the engine, status moves with history and audit,
    the payout posted to the ledger, the family notified — one transaction per claim. A
    member's claims all go to one worker, in order (members are spread over the workers).

    * ``claims.e2e_claims_per_s`` = claims / wall time from the start signal until the last
      worker finished (aim ≥ 300);
    * ``claims.automation_rate`` = claims the engine decided (approved, incl. zero payouts, or
      rejected) / all claims of the population, from ``selectors.automation_rate`` (a fraction
      0–1; aim ≥ 0.60), with the counts per outcome.

    The ledger is reconciled afterwards (``ledger_discrepancies`` must be 0). The duplicate-invoice
    lookup (jsonb ``@>`` on ``claims_claim.invoice_hashes``) wants a GIN index: the bench creates
    one when the migrations have none (``invoice_hash_index`` says which). The run is CPU-bound
    (about 10 ms of Python and 6 ms of PostgreSQL per claim, ~25 statements, one commit): the
    figure grows with the cores of the machine that runs both. Returns [] with a message on
    stderr when PostgreSQL is not reachable.
    """
    import multiprocessing as mp
    import os
    from collections import Counter

    from _common import django_setup, ensure_database, pg_server_url

    claims = claims or int(os.environ.get("KINCARE_BENCH_CLAIMS", E2E_CLAIMS))
    workers = workers or int(os.environ.get("KINCARE_BENCH_CLAIMS_WORKERS", os.cpu_count() or 2))
    try:
        url = ensure_database(E2E_DB, fresh=True)
    except Exception as exc:  # no server: the engine figure still stands
        print(f"claims e2e: PostgreSQL not reachable ({exc}); skipped", file=sys.stderr)
        return []
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from kincare.catalog.services import catalog_import
    from kincare.claims.models import Claim
    from kincare.claims.selectors import automation_rate
    from kincare.core.ledger.checks import reconcile

    catalog_import()
    gin = _invoice_index()
    members, population = e2e_population(claims)
    ids = _e2e_setup(members)
    shares: list[list[tuple[int, int, int, dict[str, Any]]]] = [[] for _ in range(workers)]
    for job in population:
        user_id, member_id, policy_id = ids[job["member"]]
        shares[job["member"] % workers].append((user_id, member_id, policy_id, job["kwargs"]))

    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    go, ready, out = ctx.Event(), ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_e2e_worker, args=(url, share, go, ready, out)) for share in shares]
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
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
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
            **({"first_error": next(r[3] for r in results if r[3])} if errors else {}),
            "workers": workers,
            "seconds": round(elapsed, 2),
            "items_per_claim": ITEMS_PER_CLAIM,
            "server": pg_server_url(),
            "ledger_discrepancies": len(reconcile()),
            "invoice_hash_index": gin,
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
    args = parser.parse_args()
    for figure in [engine_claims_per_s(args.seconds), *e2e_figures()]:
        figure = dict(figure)
        emit(figure.pop("metric"), figure.pop("value"), figure.pop("unit"), **figure)


if __name__ == "__main__":
    main()
