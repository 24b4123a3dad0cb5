"""Donations into one hot campaign on PostgreSQL: through the services, through HTTP, and across a
``kill -9`` of the web server — with proofs that no confirmed donation is lost or counted twice.

One donation is the real path: ``donation_start`` (a pending Donation and its PaymentOrder, credited
to the campaign's public, hash-chained escrow) and then the sandbox provider's signed "paid"
notification through ``payment_notification_handle`` (the ledger entry, the order's transition,
the purpose handler ``donation_on_paid`` that confirms the donation, the chain seal and the goal
check after commit). Each phase uses its own live campaign (goal 10^11 fen, so none ends), in one
fresh database; setup (users, tokens, campaigns, Django start-up) is outside the clock.

* ``donations.service_per_s.w16``: 16 worker processes, each donating as its own donor, for
  ``--seconds`` after a start barrier; then ``donations.lost`` / ``donations.duplicated``.
* ``pgbench.simple_update_tps`` (16 clients, same server, same run; bench/ledger.py's runner) and
  ``donations.ratio_vs_pgbench``.
* ``donations.http_per_s`` / ``donations.http_p99_ms``: ``kincare serve`` (gunicorn) and client
  processes on loopback; one donation = POST create + POST signed notification, both
  acknowledged; the latency is that of the whole donation. Default shape for a 2-core machine
  that also runs PostgreSQL and the clients: 2 gunicorn workers × 1 thread (one process per
  core; the work is CPU-bound Python, so threads only add GIL waits) and 4 concurrent donors in
  one client process (enough to keep both workers busy; 6–8 clients raised p99 without raising
  throughput). ``--web-workers``/``--web-threads``/``--clients`` change it.
* ``donations.crash_acknowledged`` / ``donations.crash_lost``: the HTTP load, the gunicorn master
  and workers killed with SIGKILL after ``--crash-after`` seconds, gunicorn restarted; clients
  retry what was not acknowledged (same idempotency key, same notification), then the campaign
  is reconciled against the acknowledgements.

Everything (setup included) takes about 1.5 minutes on 2 cores.

    .venv/bin/python bench/donations.py [--seconds 10] [--http-seconds 8] [--only service,pgbench,http,crash]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import django_setup, emit, ensure_database, pg_server_url
from _donations_http import ClientConfig, Gunicorn, Load, ServerError, ThreadResult, free_port

DB_NAME = "kincare_bench_donations"
GOAL_FEN = 10**11
PHONE_BASE = 13_900_000_000


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# ---------------------------------------------------------------------------------------------
# setup (outside every clock)


def _campaign_live(fundraiser: Any, reviewer: Any, n: int) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kincare.crowdfunding import services
    from kincare.crowdfunding.form_schemas import campaign_input
    from kincare.families.engine import resident_id_with_check_digit

    def pdf() -> SimpleUploadedFile:
        body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + f"% {uuid.uuid4().hex}\n".encode()
        return SimpleUploadedFile("doc.pdf", body, content_type="application/pdf")

    data = {
        "title": f"压测筹款 {n}",
        "story": "孩子今年八岁，被确诊为急性淋巴细胞白血病，需要化疗和骨髓移植，家里已经花光积蓄。",
        "relationship": "parent",
        "patient_name": "王小明",
        "patient_resident_id": resident_id_with_check_digit(f"11010120160321{2 * n + 1:03d}"),
        "hospital_code": "BJ001",
        "department": "血液科",
        "doctor": "李医生",
        "icd10": "C91.0",
        "diagnosed_on": (dt.date.today() - dt.timedelta(days=20)).isoformat(),
        # the goal cap is cost − insurance − aid: a goal no bench can reach
        "estimated_cost_fen": GOAL_FEN,
        "finances": {"houses": [], "cars": [], "financial_assets_fen": 0, "annual_income_fen": 0, "debts_fen": 0},
        "social_insurance": "urban_rural_resident",
        "declared_insurance": [],
        "other_aid": [],
        "goal_fen": GOAL_FEN,
        "days": 30,
    }
    campaign = services.campaign_create(
        actor=fundraiser, data=campaign_input(data), documents=[("diagnosis", pdf()), ("cost_estimate", pdf())]
    )
    campaign = services.campaign_submit(actor=fundraiser, campaign=campaign)
    campaign = services.campaign_approve(actor=reviewer, campaign=campaign)
    if campaign.status != "live":
        raise RuntimeError(f"bench campaign {campaign.pk} is {campaign.status}, not live")
    return int(campaign.pk)


def setup_world(donors: int, campaigns: int) -> tuple[list[int], list[int], list[str]]:
    """(campaign ids, donor user ids, donors' raw API tokens) — through the real services."""
    from django.utils import timezone

    from kincare.accounts.models import User
    from kincare.accounts.services import staff_roles_ensure, staff_user_create, user_verify_real_name
    from kincare.accounts.services.tokens import api_token_create
    from kincare.families.engine import resident_id_with_check_digit

    staff_roles_ensure()
    fundraiser = User.objects.create_user(str(PHONE_BASE + 1), None, display_name="王建国")
    user_verify_real_name(user=fundraiser, name="王建国", resident_id=resident_id_with_check_digit("11010119800101001"))
    # an account of a year: the engine flags fundraisers whose account is days old
    User.objects.filter(pk=fundraiser.pk).update(date_joined=timezone.now() - dt.timedelta(days=365))
    fundraiser.refresh_from_db()
    reviewer = staff_user_create(
        phone=str(PHONE_BASE + 2), password="Reviewer-2026!", role="campaign_reviewer", display_name="审核员"
    )
    campaign_ids = [_campaign_live(fundraiser, reviewer, n) for n in range(campaigns)]
    donor_ids: list[int] = []
    tokens: list[str] = []
    for i in range(donors):
        user = User.objects.create_user(str(PHONE_BASE + 100 + i), None)  # no password: no Argon2 here
        _token, raw = api_token_create(user=user, name="bench")
        donor_ids.append(int(user.pk))
        tokens.append(raw)
    return campaign_ids, donor_ids, tokens


# ---------------------------------------------------------------------------------------------
# 1. through the services


def _service_donate(campaign_id: int, donor: Any, key: str, amount: int) -> tuple[str, bool, str]:
    """One donation through the services; (out_trade_no, acknowledged, outcome)."""
    from kincare.core.payments.models import SandboxTransaction
    from kincare.core.payments.sandbox import sandbox_signed
    from kincare.core.payments.services import payment_notification_handle
    from kincare.crowdfunding import selectors, services
    from kincare.crowdfunding.form_schemas import DonationInput

    campaign = selectors.campaign_public(campaign_id)  # what the API view does
    gift = DonationInput(amount_fen=amount, idempotency_key=key, message="")
    donation = services.donation_start(actor=donor, campaign=campaign, **gift.model_dump(), anonymous=True)
    order = donation.order
    if order is None:
        return "", False, "no_order"
    transaction_id = "4200" + uuid.uuid4().hex[:24]
    # the provider's side: the person paid (tests/helpers.py ``provider_paid``)
    SandboxTransaction.objects.filter(out_trade_no=order.out_trade_no).update(
        state=SandboxTransaction.State.SUCCESS, transaction_id=transaction_id
    )
    body, headers = sandbox_signed(
        {
            "id": uuid.uuid4().hex[:16],
            "event": "paid",
            "out_trade_no": order.out_trade_no,
            "transaction_id": transaction_id,
            "amount_fen": order.amount_fen,
            "trade_state": "SUCCESS",
        }
    )
    result = payment_notification_handle(provider_name="sandbox", body=body, headers=headers)
    return order.out_trade_no, result.ok and result.outcome in ("paid", "duplicate"), result.outcome


def _service_worker(
    url: str, campaign_id: int, donor_id: int, seconds: float, run: str, worker_no: int, ready: Any, go: Any, out: Any
) -> None:
    acked: list[tuple[str, int]] = []
    errors: dict[str, int] = {}
    latencies: list[float] = []
    try:
        django_setup(url)
        from django.db import connection

        from kincare.accounts.models import User

        donor = User.objects.get(pk=donor_id)
        # warm-up (imports, caches, the connection): acknowledged like the rest, not timed
        no, ok, outcome = _service_donate(campaign_id, donor, f"s{run}w{worker_no}-warm", 100)
        if not ok:
            raise RuntimeError(f"warm-up donation not acknowledged: {outcome}")
        acked.append((no, 100))
    except Exception as exc:
        ready.put(f"worker {worker_no}: {type(exc).__name__}: {exc}")
        raise
    ready.put("")
    go.wait()
    cpu0 = time.process_time()
    start = time.time()
    deadline = start + seconds
    in_window = 0
    i = 0
    while time.time() < deadline:
        amount = 100 + (worker_no * 7919 + i * 37) % 100_000
        t0 = time.perf_counter()
        try:
            no, ok, outcome = _service_donate(campaign_id, donor, f"s{run}w{worker_no}-{i}", amount)
        except Exception as exc:  # counted and reported
            name = f"{type(exc).__name__}: {exc}"[:160]
            errors[name] = errors.get(name, 0) + 1
            ok = False
        else:
            if ok:
                acked.append((no, amount))
                latencies.append((time.perf_counter() - t0) * 1000)
                if time.time() <= deadline:
                    in_window += 1
            else:
                errors[outcome] = errors.get(outcome, 0) + 1
        i += 1
    out.put(
        {
            "in_window": in_window,
            "acked": acked,
            "errors": errors,
            "latencies": latencies,
            "cpu_s": time.process_time() - cpu0,
        }
    )
    connection.close()


def _machine_busy_s() -> float:
    """CPU seconds spent by the whole machine so far (Linux /proc/stat), or -inf elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return float("-inf")
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure_service(url: str, campaign_id: int, donor_ids: list[int], seconds: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready: mp.Queue[str] = ctx.Queue()
    out: mp.Queue[dict[str, Any]] = ctx.Queue()
    go = ctx.Event()
    run = uuid.uuid4().hex[:6]
    procs = [
        ctx.Process(
            target=_service_worker,
            args=(url, campaign_id, donor, seconds, run, n, ready, go, out),
            daemon=True,
        )
        for n, donor in enumerate(donor_ids)
    ]
    try:
        for p in procs:
            p.start()
        for _ in procs:  # every process has set Django up and donated once before the clock starts
            failure = ready.get(timeout=180)
            if failure:
                raise RuntimeError(f"service bench could not start: {failure}")
        busy0 = _machine_busy_s()
        go.set()
        results = [out.get(timeout=seconds + 180) for _ in procs]
        busy = _machine_busy_s() - busy0
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
    acked = [a for r in results for a in r["acked"]]
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    latencies = [x for r in results for x in r["latencies"]]
    timed = max(1, len(latencies))
    return {
        "rate": sum(r["in_window"] for r in results) / seconds,
        "acked": acked,
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        # CPU per donation: every process on the machine (PostgreSQL included) / the workers alone
        "cpu_ms_per_donation": round(busy * 1000 / timed, 1) if busy >= 0 else None,
        "app_cpu_ms_per_donation": round(sum(r["cpu_s"] for r in results) * 1000 / timed, 1),
    }


# ---------------------------------------------------------------------------------------------
# the proof: acknowledged donations against the database and the ledger


def check_campaign(campaign_id: int, acked: list[tuple[str, int]]) -> dict[str, Any]:
    """Every acknowledged donation confirmed and credited exactly once; the ledger reconciles."""
    from django.db.models import Count, Sum

    from kincare.core.ledger.checks import reconcile, verify
    from kincare.core.ledger.models import Account, Posting, PublicChainLink
    from kincare.core.ledger.services import ledger_seal_all
    from kincare.core.payments.models import PaymentOrder
    from kincare.crowdfunding.models import Campaign, Donation

    campaign = Campaign.objects.get(pk=campaign_id)
    escrow = Account.objects.get(code=campaign.escrow_code)
    confirmed = dict(
        Donation.objects.filter(campaign=campaign, status=Donation.Status.CONFIRMED).values_list(
            "order__out_trade_no", "amount_fen"
        )
    )
    confirmed_sum = sum(confirmed.values())
    acked_orders = {no for no, _amount in acked}
    # credits to the escrow, per payment order (the payment entry's subject is the order)
    per_order = dict(
        Posting.objects.filter(account=escrow, amount_fen__lt=0)
        .values("entry__subject_id")
        .annotate(n=Count("id"))
        .values_list("entry__subject_id", "n")
    )
    order_nos = dict(
        PaymentOrder.objects.filter(pk__in=[int(pk) for pk in per_order if pk.isdigit()]).values_list(
            "pk", "out_trade_no"
        )
    )
    credited = {order_nos.get(int(pk), f"?{pk}"): n for pk, n in per_order.items() if pk.isdigit()}
    extra_credits = sum(n - 1 for n in credited.values() if n > 1) + sum(
        n for pk, n in per_order.items() if not pk.isdigit()
    )
    posted = -int(Posting.objects.filter(account=escrow).aggregate(total=Sum("amount_fen"))["total"] or 0)
    unsealed = Posting.objects.filter(account=escrow).count() - PublicChainLink.objects.filter(account=escrow).count()
    lost_orders = {no for no in acked_orders if no not in confirmed or no not in credited}
    ledger_seal_all()  # what the beat task would do for a seal lost after a commit
    problems = reconcile()
    chain = verify(grace=dt.timedelta(0))
    return {
        "acknowledged": len(acked_orders),
        "acks_repeated": len(acked) - len(acked_orders),
        "confirmed": len(confirmed),
        "lost": len(lost_orders),
        "lost_examples": sorted(lost_orders)[:5],
        # counted twice: one order credited more than once, or escrow money no confirmed donation explains
        "duplicated": extra_credits,
        "confirmed_not_acknowledged": len(set(confirmed) - acked_orders),
        "credited_not_confirmed": len(set(credited) - set(confirmed)),
        "escrow_minus_confirmed_fen": posted - confirmed_sum,
        "escrow_balance_fen": posted,
        "unsealed_after_run": unsealed,
        "reconcile_discrepancies": [str(p) for p in problems][:5] if problems else [],
        "chain_discrepancies": [str(p) for p in chain][:5] if chain else [],
    }


def _emit_checks(prefix: str, checks: dict[str, Any]) -> None:
    extra = {k: v for k, v in checks.items() if k not in ("lost", "duplicated")}
    emit(f"{prefix}lost", checks["lost"], "donations", expected=0, **extra)
    emit(
        f"{prefix}duplicated",
        checks["duplicated"],
        "donations",
        expected=0,
        escrow_minus_confirmed_fen=checks["escrow_minus_confirmed_fen"],
        reconcile_discrepancies=len(checks["reconcile_discrepancies"]),
    )


# ---------------------------------------------------------------------------------------------
# 3. and 4. over HTTP


def _client_config(port: int, campaign_id: int, run: str, give_up_after: float) -> ClientConfig:
    from django.conf import settings

    return ClientConfig(
        port=port,
        campaign_id=campaign_id,
        secret=str(settings.PAYMENT_PROVIDERS["sandbox"]["secret"]),
        run=run,
        give_up_after=give_up_after,
    )


def measure_http(
    url: str, campaign_id: int, tokens: list[str], seconds: float, shape: dict[str, int], log_dir: Path
) -> tuple[dict[str, Any], ThreadResult]:
    server = Gunicorn(
        database_url=url, port=free_port(), workers=shape["workers"], threads=shape["threads"], log_dir=log_dir
    )
    load: Load | None = None
    try:
        server.start(ready_path=f"/api/v1/campaigns/{campaign_id}")
        cfg = _client_config(server.port, campaign_id, "h" + uuid.uuid4().hex[:7], give_up_after=seconds + 60)
        load = Load(cfg, tokens[: shape["clients"]], shape["client_processes"])
        start = load.start()
        time.sleep(seconds)
        stop = time.time()
        result = load.finish(timeout=120)
    finally:
        if load is not None:
            load.terminate()
        server.stop()
    in_window = [lat for (_no, _a, at), lat in zip(result.acked, result.latencies_ms, strict=True) if at <= stop]
    return {
        "rate": len(in_window) / (stop - start),
        "p50_ms": round(_percentile(in_window, 0.50), 1),
        "p99_ms": round(_percentile(in_window, 0.99), 1),
    }, result


def measure_crash(
    url: str,
    campaign_id: int,
    tokens: list[str],
    shape: dict[str, int],
    crash_after: float,
    run_after: float,
    log_dir: Path,
) -> tuple[dict[str, Any], ThreadResult]:
    server = Gunicorn(
        database_url=url, port=free_port(), workers=shape["workers"], threads=shape["threads"], log_dir=log_dir
    )
    ready_path = f"/api/v1/campaigns/{campaign_id}"
    load: Load | None = None
    try:
        server.start(ready_path=ready_path)
        cfg = _client_config(server.port, campaign_id, "k" + uuid.uuid4().hex[:7], give_up_after=120)
        load = Load(cfg, tokens[: shape["clients"]], shape["client_processes"])
        load.start()
        time.sleep(crash_after)
        killed_at = time.time()
        server.kill9()
        restart_at = time.time()
        server.start(ready_path=ready_path)
        back_at = time.time()
        time.sleep(run_after)
        result = load.finish(timeout=180)
    finally:
        if load is not None:
            load.terminate()
        server.stop()
    return {
        "acked_before_kill": sum(1 for *_x, at in result.acked if at < killed_at),
        "acked_after_restart": sum(1 for *_x, at in result.acked if at >= killed_at),
        "down_s": round(back_at - killed_at, 2),
        "restart_s": round(back_at - restart_at, 2),
    }, result


# ---------------------------------------------------------------------------------------------


def _sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # run the finally blocks: gunicorn and clients are stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="service-level run")
    parser.add_argument("--workers", type=int, default=16, help="service-level worker processes")
    parser.add_argument("--http-seconds", type=float, default=8.0)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--web-threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP donors")
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--crash-after", type=float, default=3.0)
    parser.add_argument("--crash-run-after", type=float, default=3.0, help="load after the restart")
    parser.add_argument("--pgbench-seconds", type=int, default=8)
    parser.add_argument("--only", default="service,pgbench,http,crash")
    args = parser.parse_args()
    phases = set(args.only.split(","))
    signal.signal(signal.SIGTERM, _sigterm)

    # one configuration for every phase: no Redis (database cache), Celery tasks run eagerly
    os.environ.pop("REDIS_URL", None)
    try:
        url = ensure_database(DB_NAME, fresh=True)
    except Exception as exc:  # psycopg's OperationalError and friends
        sys.exit(f"donations bench: cannot prepare database {DB_NAME} on {pg_server_url()}: {exc}")
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the cache without Redis (as `make db` does)
    shape = {
        "workers": args.web_workers,
        "threads": args.web_threads,
        "clients": args.clients,
        "client_processes": args.client_processes,
    }
    campaigns, donor_ids, tokens = setup_world(donors=max(args.workers, args.clients), campaigns=3)
    connection.close()
    log_dir = Path(tempfile.mkdtemp(prefix="kincare-bench-donations-"))
    server = pg_server_url()

    rate: float | None = None
    if "service" in phases:
        r = measure_service(url, campaigns[0], donor_ids[: args.workers], args.seconds)
        rate = r["rate"]
        emit(
            f"donations.service_per_s.w{args.workers}",
            round(rate, 1),
            "donations/s",
            workers=args.workers,
            seconds=args.seconds,
            p50_ms=r["p50_ms"],
            p99_ms=r["p99_ms"],
            cpu_ms_per_donation=r["cpu_ms_per_donation"],
            app_cpu_ms_per_donation=r["app_cpu_ms_per_donation"],
            cores=os.cpu_count(),
            errors=r["errors"],
            server=server,
        )
        _emit_checks("donations.", check_campaign(campaigns[0], r["acked"]))

    if "pgbench" in phases:
        from ledger import pgbench_tps

        tps = pgbench_tps(16, args.pgbench_seconds)
        if tps is None:
            print("pgbench not found: pgbench.simple_update_tps skipped", file=sys.stderr)
        else:
            emit("pgbench.simple_update_tps", round(tps, 1), "tps", clients=16, seconds=args.pgbench_seconds)
            if rate is not None:
                emit("donations.ratio_vs_pgbench", round(rate / tps, 3), "ratio", workers=args.workers)

    try:
        if "http" in phases:
            h, res = measure_http(url, campaigns[1], tokens, args.http_seconds, shape, log_dir)
            emit(
                "donations.http_per_s",
                round(h["rate"], 1),
                "donations/s",
                seconds=args.http_seconds,
                **shape,
                retries=res.create_retries + res.notify_retries,
                errors=res.errors,
            )
            emit("donations.http_p99_ms", h["p99_ms"], "ms", p50_ms=h["p50_ms"], **shape)
            http_checks = check_campaign(campaigns[1], [(no, a) for no, a, _at in res.acked])
            _emit_checks("donations.http_", http_checks)

        if "crash" in phases:
            c, res = measure_crash(url, campaigns[2], tokens, shape, args.crash_after, args.crash_run_after, log_dir)
            checks = check_campaign(campaigns[2], [(no, a) for no, a, _at in res.acked])
            emit(
                "donations.crash_acknowledged",
                checks["acknowledged"],
                "donations",
                **c,
                create_retries=res.create_retries,
                notify_retries=res.notify_retries,
                unacknowledged=res.unacknowledged,
                without_order=res.without_order,
                confirmed=checks["confirmed"],
                confirmed_not_acknowledged=checks["confirmed_not_acknowledged"],
                errors=res.errors,
                **shape,
            )
            emit(
                "donations.crash_lost",
                checks["lost"],
                "donations",
                expected=0,
                duplicates=checks["duplicated"],
                escrow_minus_confirmed_fen=checks["escrow_minus_confirmed_fen"],
                credited_not_confirmed=checks["credited_not_confirmed"],
                reconcile_discrepancies=checks["reconcile_discrepancies"],
                chain_discrepancies=checks["chain_discrepancies"],
                lost_examples=checks["lost_examples"],
            )
    except ServerError as exc:
        print(f"donations bench: {exc}", file=sys.stderr)
        sys.exit(1)
    with contextlib.suppress(OSError):
        for f in log_dir.iterdir():
            if f.stat().st_size == 0 or "error" not in f.read_text(errors="replace").lower():
                f.unlink()
        log_dir.rmdir()
    if log_dir.exists():
        print(f"donations bench: gunicorn logs kept in {log_dir}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
