"""Catalog figures: scoring speed (sample catalog and a 10,000-product synthetic catalog) and
premium-quote latency through the JSON API.

* ``catalog.score_all_ms``: the pure engine scoring the whole shipped catalog (YAML already
  parsed; the median of 21 runs);
* ``catalog.score_synthetic_products_per_s``: 10,000 products derived from the sample (premiums,
  limits, services and insurers perturbed deterministically), scored in one call;
* ``catalog.quote_api_p50_ms`` / ``catalog.quote_api_p95_ms``: ``GET
  /api/v1/catalog/products/{code}/quote`` in-process with Django's test ``Client`` (full
  middleware, URL routing, ninja parsing, the selector's queries and the engine), against a
  SQLite database at ``var/bench_catalog.sqlite3`` holding the imported sample catalog
  (``--database-url postgres://…`` measures on PostgreSQL instead).

    .venv/bin/python bench/catalog.py [--requests 400] [--database-url URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, django_setup, emit

SYNTHETIC = 10_000


def synthetic_catalog(sample: list, size: int) -> list:
    rng = random.Random(7)
    out = []
    for n in range(size):
        base = sample[n % len(sample)]
        factor = rng.uniform(0.6, 1.6)
        bands = tuple(
            dataclasses.replace(b, annual_premium_fen=max(1, int(b.annual_premium_fen * factor)))
            for b in base.table.bands
        )
        plans = tuple(
            dataclasses.replace(p, cover_fen=int(p.cover_fen * rng.uniform(0.5, 2))) for p in base.table.plans
        )
        out.append(
            dataclasses.replace(
                base,
                code=f"syn_{n:05d}",
                table=dataclasses.replace(base.table, bands=bands, plans=plans),
                waiting_days=rng.choice([0, 30, 90, 180]),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench_catalog.sqlite3'}")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    os.environ.setdefault("KINCARE_ALLOWED_HOSTS", "testserver,localhost")
    django_setup(args.database_url)

    from django.core.management import call_command
    from django.test import Client

    from kincare.catalog.engine import Weights, score_catalog
    from kincare.catalog.services import catalog_import
    from kincare.catalog.sources import DATA_DIR, current_products, load_catalog, product_facts

    catalog = load_catalog(DATA_DIR)
    insurers = {i.code: i for i in catalog.insurers}
    facts = [product_facts(p, insurers[p.insurer]) for p in current_products(catalog)]
    weights = Weights()

    timings = []
    for _ in range(21):
        start = time.perf_counter()
        score_catalog(facts, weights)
        timings.append((time.perf_counter() - start) * 1000)
    emit("catalog.score_all_ms", round(statistics.median(timings), 2), "ms", products=len(facts))

    synthetic = synthetic_catalog(facts, SYNTHETIC)
    start = time.perf_counter()
    score_catalog(synthetic, weights)
    elapsed = time.perf_counter() - start
    emit("catalog.score_synthetic_products_per_s", round(SYNTHETIC / elapsed), "products/s", products=SYNTHETIC)

    call_command("migrate", verbosity=0)
    catalog_import(directory=DATA_DIR)
    client = Client()
    rng = random.Random(11)
    selected = [
        item
        for item in client.get("/api/v1/catalog/products").json()
        if item["issue_age_max_years"] >= 18 and item["issue_age_min_days"] <= 18 * 365
    ]
    warm: dict[str, str | int] = {"sex": "M", "age": 30}
    for _ in range(20):  # warm up connections and caches
        client.get(f"/api/v1/catalog/products/{selected[0]['code']}/quote", warm)
    latencies = []
    for _ in range(args.requests):
        item = rng.choice(selected)
        age = rng.randint(item["issue_age_min_days"] // 365 + 1, item["issue_age_max_years"])
        params: dict[str, str | int] = {
            "sex": rng.choice("MF"),
            "age": age,
            "social_insurance": rng.choice(["true", "false"]),
        }
        start = time.perf_counter()
        response = client.get(f"/api/v1/catalog/products/{item['code']}/quote", params)
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"quote failed: {response.status_code} {response.content[:200]!r}")
    latencies.sort()
    emit("catalog.quote_api_p50_ms", round(statistics.median(latencies), 2), "ms", requests=len(latencies))
    emit("catalog.quote_api_p95_ms", round(latencies[int(len(latencies) * 0.95) - 1], 2), "ms", requests=len(latencies))


if __name__ == "__main__":
    main()
