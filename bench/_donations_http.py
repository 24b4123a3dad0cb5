"""The HTTP side of bench/donations.py: a gunicorn server it can start, kill -9 and restart, and
a load generator (separate processes, threads with keep-alive ``http.client`` connections).

Nothing here imports Django: the clients sign the sandbox notifications themselves, as the
sandbox provider does (``hex(HMAC-SHA256(secret, "<timestamp>\\n" + body))``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerError(RuntimeError):
    pass


class Gunicorn:
    """``kincare serve`` (gunicorn) in its own process group, so that kill -9 reaches every worker.

    ``serve`` execs gunicorn in place, so the process started here *is* the master.
    """

    def __init__(self, *, database_url: str, port: int, workers: int, threads: int, log_dir: Path) -> None:
        self.port = port
        self.workers = workers
        self.threads = threads
        self.log_path = log_dir / f"gunicorn-{port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "DATABASE_URL": database_url,
            "KINCARE_HTTPS": "false",
            "KINCARE_ALLOWED_HOSTS": "127.0.0.1",
            "KINCARE_DEBUG": "false",
            # a benchmark pays through the sandbox provider: only a demo may run it (issue 13)
            "KINCARE_DEMO": "true",
            "KINCARE_CELERY_EAGER": "true",
            "KINCARE_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "kincare.settings",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *, ready_path: str, timeout: float = 90.0) -> None:
        exe = ROOT / ".venv" / "bin" / "kincare"
        if not exe.exists():
            raise ServerError(f"{exe} not found: run `make setup` first")
        argv = [
            str(exe),
            "serve",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start #{self.starts}: {' '.join(argv)}\n".encode())
            log.flush()
            # stdout is gunicorn's access log (one line a request): thrown away; errors go to the log
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self._wait_ready(ready_path, timeout)

    def _wait_ready(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerError(
                    f"gunicorn exited with {self.proc.returncode} while starting; see {self.log_path}:\n"
                    + self.log_tail()
                )
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    return
                raise ServerError(
                    f"gunicorn answers HTTP {resp.status} to GET {path}; see {self.log_path}:\n{self.log_tail()}"
                )
            except OSError as exc:
                last = type(exc).__name__
            finally:
                conn.close()
            time.sleep(0.2)
        raise ServerError(f"gunicorn not ready on port {self.port} after {timeout:.0f} s ({last}); see {self.log_path}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill9(self) -> None:
        """SIGKILL the master and every worker at once (the whole process group), then reap."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._wait_group_gone(self.proc.pid, timeout=10)
        self.proc = None

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL whatever is left of the group."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._wait_group_gone(pgid, timeout=5)
        self.proc = None

    @staticmethod
    def _wait_group_gone(pgid: int, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            except PermissionError:
                return
            time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# the load generator


def sign(body: bytes, secret: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    return {
        "X-Sandbox-Timestamp": stamp,
        "X-Sandbox-Signature": signature,
        "Content-Type": "application/json",
    }


@dataclass
class ClientConfig:
    port: int
    campaign_id: int
    secret: str
    run: str
    #: stop retrying a donation this many seconds after the run's start (whatever happened)
    give_up_after: float
    #: a donation that gets no answer this long is retried (same key / same notification)
    request_timeout: float = 10.0


@dataclass
class ThreadResult:
    acked: list[tuple[str, int, float]] = field(default_factory=list)  # (out_trade_no, amount, acked at)
    latencies_ms: list[float] = field(default_factory=list)
    create_retries: int = 0
    notify_retries: int = 0
    unacknowledged: int = 0
    without_order: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def merge(self, other: ThreadResult) -> None:
        self.acked += other.acked
        self.latencies_ms += other.latencies_ms
        self.create_retries += other.create_retries
        self.notify_retries += other.notify_retries
        self.unacknowledged += other.unacknowledged
        self.without_order += other.without_order
        for k, v in other.errors.items():
            self.errors[k] = self.errors.get(k, 0) + v


class _Conn:
    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except BaseException:
            self.close()
            raise
        if resp.will_close:
            self.close()
        return resp.status, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


_NETWORK_ERRORS = (OSError, http.client.HTTPException)


class _Retry:
    """Attempts at one step: the first at once, each retry after a wait doubling from 50 ms to
    0.5 s, none once the run's hard stop has passed."""

    def __init__(self, hard_stop: float) -> None:
        self.hard_stop = hard_stop
        self.attempts = 0
        self.backoff = 0.05

    def wait(self) -> bool:
        """Wait before the next attempt and count it; False: give up."""
        if self.attempts:
            if time.time() > self.hard_stop:
                return False
            time.sleep(self.backoff)
            self.backoff = min(self.backoff * 2, 0.5)
        self.attempts += 1
        return True


def _donate(conn: _Conn, cfg: ClientConfig, token: str, seq: int, out: ThreadResult, hard_stop: float) -> None:
    """One donation: create it, then send its signed paid notification; retry each step until
    it is acknowledged (the same idempotency key and the same provider transaction id)."""
    key = f"{cfg.run}-{seq}"
    amount = 100 + (seq * 37) % 100_000
    transaction_id = "4200" + uuid.uuid4().hex[:24]
    started = time.perf_counter()
    create_body = json.dumps({"amount_fen": amount, "idempotency_key": key, "anonymous": True}).encode()
    create_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = f"/api/v1/campaigns/{cfg.campaign_id}/donations"
    out_trade_no: str | None = None
    retry = _Retry(hard_stop)
    while out_trade_no is None:
        if retry.attempts:
            out.create_retries += 1
        if not retry.wait():
            out.unacknowledged += 1
            return
        try:
            status, data = conn.post(path, create_body, create_headers)
        except _NETWORK_ERRORS as exc:
            out.error(f"create:{type(exc).__name__}")
            continue
        if status >= 500 or status == 429:
            out.error(f"create:http_{status}")
            continue
        if status != 201:
            out.error(f"create:http_{status}:{data[:80].decode(errors='replace')}")
            out.unacknowledged += 1
            return
        out_trade_no = json.loads(data).get("out_trade_no")
        if not out_trade_no:
            # created, but without a payment order: nothing for the provider to pay
            out.error("create:no_out_trade_no")
            if retry.attempts >= 5:
                out.without_order += 1
                out.unacknowledged += 1
                return
    payload = {
        "id": uuid.uuid4().hex[:16],
        "event": "paid",
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "amount_fen": amount,
        "trade_state": "SUCCESS",
    }
    notify_body = json.dumps(payload, sort_keys=True).encode()
    retry = _Retry(hard_stop)
    while True:
        if retry.attempts:
            out.notify_retries += 1
        if not retry.wait():
            out.unacknowledged += 1
            return
        try:
            status, data = conn.post("/api/v1/payments/notify/sandbox", notify_body, sign(notify_body, cfg.secret))
        except _NETWORK_ERRORS as exc:
            out.error(f"notify:{type(exc).__name__}")
            continue
        if status == 200 and json.loads(data).get("code") == "SUCCESS":
            break
        out.error(f"notify:http_{status}")
        if status < 500:
            out.unacknowledged += 1
            return
    out.latencies_ms.append((time.perf_counter() - started) * 1000)
    out.acked.append((out_trade_no, amount, time.time()))


def _thread_main(cfg: ClientConfig, token: str, stop: Any, start: float, out: ThreadResult, seq0: int) -> None:
    conn = _Conn(cfg.port, cfg.request_timeout)
    hard_stop = start + cfg.give_up_after
    seq = seq0
    try:
        while not stop.is_set():
            _donate(conn, cfg, token, seq, out, hard_stop)
            seq += 1
    except Exception as exc:  # reported to the parent, never silently dropped
        out.error(f"client_crash:{type(exc).__name__}:{exc}"[:200])
    finally:
        conn.close()


def client_process(
    cfg: ClientConfig, tokens: list[str], proc_no: int, ready: Any, go: Any, stop: Any, out: Any
) -> None:
    """One load-generator process: a thread per token, started together on ``go``."""
    results = [ThreadResult() for _ in tokens]
    ready.put(proc_no)
    go.wait()
    start = time.time()
    threads = [
        threading.Thread(target=_thread_main, args=(cfg, token, stop, start, results[i], (proc_no * 1000 + i) * 10**6))
        for i, token in enumerate(tokens)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    merged = ThreadResult()
    for r in results:
        merged.merge(r)
    out.put(merged)


class Load:
    """``processes`` × ``threads`` clients against one campaign, each thread with its own donor."""

    def __init__(self, cfg: ClientConfig, tokens: list[str], processes: int) -> None:
        ctx = mp.get_context("spawn")
        self.ready: mp.Queue[int] = ctx.Queue()
        self.out: mp.Queue[ThreadResult] = ctx.Queue()
        self.go = ctx.Event()
        self.stop = ctx.Event()
        per = [tokens[i::processes] for i in range(processes)]
        self.procs = [
            ctx.Process(
                target=client_process, args=(cfg, chunk, n, self.ready, self.go, self.stop, self.out), daemon=True
            )
            for n, chunk in enumerate(per)
            if chunk
        ]

    def start(self) -> float:
        for p in self.procs:
            p.start()
        for _ in self.procs:
            self.ready.get(timeout=60)
        self.go.set()
        return time.time()

    def finish(self, timeout: float) -> ThreadResult:
        self.stop.set()
        merged = ThreadResult()
        for _ in self.procs:
            merged.merge(self.out.get(timeout=timeout))
        for p in self.procs:
            p.join(timeout=10)
        return merged

    def terminate(self) -> None:
        self.stop.set()
        for p in self.procs:
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
