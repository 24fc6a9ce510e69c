"""Benchmark: the pipeline through each fault of issue 15, against a real worker (prefork, -c 2),
a real beat (the sweeper), a redis-server of its own, PostgreSQL and the fake CAIO core.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_faults \
    .venv/bin/python bench/faults.py [--count 200] [--only kill-worker,redis-restart]

It creates and migrates its own database (flushed before each fault), starts its own
redis-server on a free port (it kills and restarts it: no other Redis is touched), the fake core
as a process, and beat. Each fault runs on `--count` approved submissions with the portal's
default pipeline settings unless the fault says otherwise, and prints:

- settled: the time from the fault until every row is final (registered, failed, rejected or
  cancelled), and the time from the end of the fault (the core back, the configuration fixed)
  until then; "not settled" when rows were still open at `--timeout`;
- what happened: rows registered, failed, still open; doubled (the core applied the same
  service and version twice); core calls; attempts; and the timeline events that tell the
  recovery (retries, leases taken back, rows sent again).

The same-run baseline is the first row: the same drain with no fault. No assertions; at the end
it prints the table for docs/pipeline.md.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

FINAL = ("registered", "failed", "rejected", "cancelled")
OPEN = ("pending_review", "approved", "queued", "registering")
EVENTS = ("retry_scheduled", "lease_expired", "re_enqueued", "held", "failed")
TOKEN = "bench-core-token"


@dataclass
class Fault:
    """One fault: what the bench does (`run`), what it stands for, and the worker settings."""

    name: str
    what: str
    run: Callable[[Bench], tuple[float, float]]  # returns (fault began, fault ended)
    env: dict[str, str] = field(default_factory=dict)
    case: str = ""  # the case number, when it is one
    after: Callable[[Bench], None] | None = None  # what staff do once it settled


class Bench:
    """The processes and rows of one fault; `run_fault` drives it."""

    def __init__(self, args, *, queue: str, core, core_url: str, redis, log_dir: Path):
        self.args = args
        self.queue = queue
        self.core = core
        self.core_url = core_url
        self.redis = redis
        self.log_dir = log_dir
        self.workers: list[subprocess.Popen] = []
        self.ids: list[int] = []
        self.env: dict[str, str] = {}

    # -- processes ------------------------------------------------------------------------------
    def child_env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, REDIS_URL=self.redis.url, CELERY_QUEUE=self.queue,
                   CAIO_CORE_URL=self.core_url, CAIO_CORE_TOKEN=TOKEN, EMAIL_URL="dummymail://",
                   PYTHONUNBUFFERED="1")
        env.update(self.env)
        env.update(extra)
        return env

    def start_worker(self, **extra: str) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{len(self.workers)}.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "prefork",
             "-c", str(self.args.concurrency), "-Q", self.queue, "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"faults-{len(self.workers)}-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=self.child_env(**extra), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(worker)
        deadline = time.monotonic() + 60
        while b"ready." not in log_bytes(log.name):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {log.name}")
            time.sleep(0.1)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(30)
                except subprocess.TimeoutExpired:
                    kill_tree(worker, children_only=False)

    # -- rows -----------------------------------------------------------------------------------
    def enqueue(self) -> float:
        """Create `--count` approved submissions and send each (as approval does on commit)."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from contracts_app.models import Contract, ContractRevision
        from integrations.models import Submission
        from integrations.pipeline.submissions import submission_enqueue

        owner = get_user_model().objects.create_user(
            f"faults-{uuid.uuid4().hex[:6]}@bench.invalid", "x", display_name="Bench",
            email_verified=True)
        contracts = Contract.objects.bulk_create(
            Contract(owner=owner, service_id=f"fault-{i:05d}") for i in range(self.args.count))
        revisions = ContractRevision.objects.bulk_create(
            ContractRevision(contract=c, number=1, text="", is_valid=True, author=owner, data={
                "service_id": c.service_id, "name": f"Fault {c.service_id}", "version": "1.0.0",
                "capabilities": ["summarization"], "cost": {"per_request": 0.001,
                                                            "currency": "USD"},
            }) for c in contracts)
        now = timezone.now()
        Submission.objects.bulk_create(
            Submission(contract=r.contract, revision=r, submitter=owner, status="approved",
                       next_attempt_at=now, decided_at=now) for r in revisions)
        self.ids = list(Submission.objects.order_by("pk").values_list("pk", flat=True))
        started = time.monotonic()
        for pk in self.ids:
            submission_enqueue(pk)
        return started

    def statuses(self) -> dict[str, int]:
        from django.db.models import Count

        from integrations.models import Submission

        return dict(Submission.objects.values_list("status").annotate(n=Count("pk")))

    def wait_registered(self, fraction: float) -> None:
        """Until that share of the rows is registered: the fault then hits a drain in flight."""
        target = math.ceil(fraction * self.args.count)
        deadline = time.monotonic() + 120
        while self.statuses().get("registered", 0) < target and time.monotonic() < deadline:
            time.sleep(0.02)

    def wait_settled(self, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(self.statuses().get(s) for s in OPEN):
                return time.monotonic()
            time.sleep(0.2)
        return None


def log_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def kill_tree(proc: subprocess.Popen, *, children_only: bool) -> None:
    """SIGKILL a worker's pool children, then (unless children_only) the worker, by pid."""
    from tests.support.processes import children_of

    for pid in children_of(proc.pid):
        os.kill(pid, signal.SIGKILL)
    if not children_only:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


# --- the faults --------------------------------------------------------------------------------

def no_fault(b: Bench) -> tuple[float, float]:
    b.start_worker()
    started = b.enqueue()
    return started, started


def core_down(fault: dict) -> Callable[[Bench], tuple[float, float]]:
    """The core answers every registration with `fault` for --outage seconds, then recovers."""
    def run(b: Bench) -> tuple[float, float]:
        b.start_worker()
        b.core.down("register", fault)
        started = b.enqueue()
        time.sleep(b.args.outage)
        b.core.down("register", None)
        b.core.release()
        return started, time.monotonic()
    return run


def kill_children(b: Bench) -> tuple[float, float]:
    b.enqueue()  # a backlog first, so the fault hits rows in the queue and in flight
    worker = b.start_worker()
    b.wait_registered(1 / 3)
    kill_tree(worker, children_only=True)  # the parent forks new children
    killed = time.monotonic()
    return killed, killed


def kill_worker(b: Bench) -> tuple[float, float]:
    b.enqueue()
    worker = b.start_worker()
    b.wait_registered(1 / 3)
    kill_tree(worker, children_only=False)
    killed = time.monotonic()
    b.start_worker()  # as a supervisor restarts it
    return killed, killed


def redis_restart(b: Bench) -> tuple[float, float]:
    b.enqueue()
    b.start_worker()
    b.wait_registered(1 / 3)
    b.redis.restart()  # SIGKILL, then a new redis-server on the same port, empty
    restarted = time.monotonic()
    return restarted, restarted


def core_refuses_credentials(b: Bench) -> tuple[float, float]:
    """The workers send a wrong token for --outage seconds; then they are restarted with the
    right one (the configuration fixed)."""
    b.start_worker(CAIO_CORE_TOKEN="not-the-cores-token")
    started = b.enqueue()
    time.sleep(b.args.outage)
    b.stop_workers()
    b.start_worker()
    return started, time.monotonic()


def applied_then_timeout(b: Bench) -> tuple[float, float]:
    """Every 7th call of the first drain is applied by the core, which then answers after 60 s
    (past the timeout); the calls after those (staff's retries) are answered normally."""
    b.core.script("register", *([{}] * 6 + [{"hang": 60}]) * (b.args.count // 7))
    b.start_worker()
    started = b.enqueue()
    return started, started


def staff_retry_failed(b: Bench) -> None:
    """What staff do once it settled: Retry on every failed submission (the admin's action)."""
    from django.contrib.auth import get_user_model

    from integrations.models import Submission
    from integrations.pipeline.submissions import submission_retry

    staff = get_user_model().objects.create_user(
        f"staff-{uuid.uuid4().hex[:6]}@bench.invalid", "x", display_name="Staff", is_staff=True,
        email_verified=True)
    for submission in Submission.objects.filter(status="failed"):
        submission_retry(submission=submission, user=staff)


FAULTS = [
    Fault("baseline", "no fault (same-run baseline)", no_fault),
    Fault("core-503", "the core answers 503 to every registration for --outage s",
          core_down({"status": 503})),
    Fault("core-hang", "the core hangs every registration for --outage s "
          "(CAIO_CORE_TIMEOUT=2)", core_down({"hang": 120}), env={"CAIO_CORE_TIMEOUT": "2"},
          case="5"),
    Fault("kill-children", "kill -9 of the worker's pool children mid-drain", kill_children,
          case="3"),
    Fault("kill-worker", "kill -9 of the whole worker mid-drain, restarted at once",
          kill_worker, case="3"),
    Fault("redis-restart", "Redis killed mid-drain and restarted empty", redis_restart,
          case="4"),
    Fault("core-401", "the core refuses the portal's token (401) for --outage s, then the "
          "workers restart with the right one", core_refuses_credentials, case="2"),
    Fault("applied-then-timeout", "every 7th call applied, then answered after 60 s; "
          "PIPELINE_MAX_ATTEMPTS=1, CAIO_CORE_TIMEOUT=2; then staff retry every failed row",
          applied_then_timeout, env={"PIPELINE_MAX_ATTEMPTS": "1", "CAIO_CORE_TIMEOUT": "2"},
          case="1", after=staff_retry_failed),
]


# --- running them ------------------------------------------------------------------------------

def run_fault(fault: Fault, b: Bench) -> dict:
    from django.core.management import call_command
    from django.db.models import Count, Sum

    from integrations.models import Event, Submission
    from tests.support.core_server import duplicates

    call_command("flush", verbosity=0, interactive=False)
    b.core.reset()
    b.core.set_latency(b.args.latency_ms)
    purge_queue(b)
    b.env = dict(fault.env)
    began = ended = settled = None
    try:
        began, ended = fault.run(b)
        settled = b.wait_settled(b.args.timeout)
        if settled is not None and fault.after is not None:
            fault.after(b)
            settled = b.wait_settled(b.args.timeout)
    finally:
        b.core.release()
        b.stop_workers()
        b.workers = []
    statuses = b.statuses()
    events = dict(Event.objects.filter(kind__in=EVENTS).values_list("kind")
                  .annotate(n=Count("pk")))
    applied = b.core.applied("register")
    return {
        "fault": fault, "statuses": statuses, "events": events,
        "from_fault": None if settled is None else settled - began,
        "after_fault": None if settled is None else settled - ended,
        "doubled": len(duplicates(applied)), "calls": len(b.core.requests("register")),
        "applied": len(applied),
        "attempts": Submission.objects.aggregate(n=Sum("attempts"))["n"] or 0,
    }


def purge_queue(b: Bench) -> None:
    """Drop what an earlier fault left in the broker (spare messages), keeping the marker."""
    import redis

    client = redis.Redis.from_url(b.redis.url)
    client.delete(b.queue, "unacked", "unacked_index")


def seconds(value: float | None) -> str:
    return "not settled" if value is None else f"{value:.1f} s"


def describe(r: dict, count: int) -> str:
    s, e = r["statuses"], r["events"]
    parts = [f"{s.get('registered', 0)}/{count} registered"]
    if s.get("failed"):
        parts.append(f"{s['failed']} failed")
    still = sum(s.get(x, 0) for x in OPEN)
    if still:
        parts.append(f"{still} still open")
    parts.append(f"{r['doubled']} doubled")
    parts.append(f"{r['calls']} core calls, {r['attempts']} attempts")
    for kind, label in (("retry_scheduled", "retries"), ("lease_expired", "leases taken back"),
                        ("re_enqueued", "sent again by the sweeper"),
                        ("held", "held without spending an attempt")):
        if e.get(kind):
            parts.append(f"{e[kind]} {label}")
    return ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description="The pipeline through each fault of issue 15.")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--outage", type=float, default=15.0,
                        help="seconds a core outage or a wrong configuration lasts")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds to wait for a fault to settle")
    parser.add_argument("--only", default="", help="comma-separated fault names")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database of the bench's own")
    from bench.pipeline import ensure_database

    ensure_database(database_url)
    log_dir = ROOT / "var" / "bench-faults"
    log_dir.mkdir(parents=True, exist_ok=True)
    from tests.support.processes import RedisServer

    redis_server = RedisServer(Path(tempfile.mkdtemp(prefix="bench-faults-redis-")))
    redis_server.start()
    os.environ["REDIS_URL"] = redis_server.url  # this process's settings too

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.pipeline import free_port
    from portal.celery import app
    from tests.support.core_server import CoreControl

    call_command("migrate", verbosity=0, interactive=False)
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue
    try:  # mark the broker, as the first sweep would (older code has no marker)
        from integrations.pipeline.broker import pipeline_resend_if_broker_lost_messages
    except ImportError:
        pass
    else:
        pipeline_resend_if_broker_lost_messages()

    port = free_port()
    core_proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.core_server", "--port", str(port),
         "--latency-ms", str(args.latency_ms), "--token", TOKEN], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=open(log_dir / "core.log", "wb"))
    core = CoreControl(f"http://127.0.0.1:{port}")
    bench = Bench(args, queue=queue, core=core, core_url=core.url, redis=redis_server,
                  log_dir=log_dir)
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "beat", "-l", "info",
         "-s", str(log_dir / "beat-schedule")], cwd=ROOT, env=bench.child_env(),
        stdout=open(log_dir / "beat.log", "wb"), stderr=subprocess.STDOUT)
    chosen = [f for f in FAULTS if not args.only or f.name in args.only.split(",")]
    results = []
    try:
        core.wait_ready()
        print(f"faults benchmark: {args.count} approved submissions per fault, 1 worker (prefork, "
              f"-c {args.concurrency}), core latency {args.latency_ms:g} ms, outages "
              f"{args.outage:g} s; lease {settings.PIPELINE_LEASE_SECONDS:g} s (renewed every "
              f"{getattr(settings, 'PIPELINE_HEARTBEAT_SECONDS', 'never ')}s), sweep every "
              f"{settings.SWEEPER_INTERVAL_SECONDS:g} s, grace {settings.SWEEPER_GRACE_SECONDS:g}"
              f" s, {settings.PIPELINE_MAX_ATTEMPTS} attempts, backoff "
              f"{settings.PIPELINE_BACKOFF_BASE:g}-{settings.PIPELINE_BACKOFF_MAX:g} s, core "
              f"timeout {settings.CAIO_CORE_TIMEOUT:g} s", flush=True)
        for fault in chosen:
            result = run_fault(fault, bench)
            results.append(result)
            print(f"  {fault.name:<22} settled {seconds(result['from_fault'])} after the fault "
                  f"began, {seconds(result['after_fault'])} after it ended; "
                  f"{describe(result, args.count)}", flush=True)
    finally:
        beat.terminate()
        beat.wait(20)
        core_proc.terminate()
        core_proc.wait(10)
        redis_server.stop()
    print("\n| fault | case | what happens | time to settle (after the fault ended) |")
    print("|---|---|---|---|")
    for r in results:
        f = r["fault"]
        print(f"| {f.what} | {f.case or '-'} | {describe(r, args.count)} | "
              f"{seconds(r['from_fault'])} ({seconds(r['after_fault'])}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
