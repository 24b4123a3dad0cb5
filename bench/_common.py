"""Helpers shared by the benchmarks: JSON-line output and a PostgreSQL database to measure on."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}, ensure_ascii=False), flush=True)


def pg_server_url() -> str:
    url = os.environ.get("KINCARE_BENCH_PG", DEFAULT_PG)
    return url.rstrip("/")


def ensure_database(name: str, *, fresh: bool = False) -> str:
    """Create the database if missing (drop it first when ``fresh``); return its URL."""
    import psycopg

    with psycopg.connect(f"{pg_server_url()}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server_url()}/{name}"


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kincare.settings")
    os.environ.setdefault("KINCARE_CELERY_EAGER", "true")
    os.environ.setdefault("KINCARE_DEMO", "true")  # the benches pay through the sandbox provider
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
