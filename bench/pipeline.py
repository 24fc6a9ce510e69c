"""Benchmark: drain approved submissions with ONE worker (prefork, -c 2) on Redis and PostgreSQL,
against the fake CAIO core answering in 20 ms, so the ceiling is 2 / 20 ms = 100 per second.

Run it (it creates and migrates its own database, bench_pipeline, and flushes it on every run):

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pipeline \
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/pipeline.py [--count 1000]

Prints registrations per second, the ratio to the ceiling (and to a same-run baseline: two
callers hitting the core directly), the CPU used by the worker's process tree (from /proc) per
registration, the PostgreSQL sessions opened during the drain, the host's load, and the lost and
duplicated counts. Targets: >= 70% of the ceiling, 0 lost, 0 duplicated.

The clock stops when every registration is recorded AND the worker's queue is empty (no message
waiting or unacknowledged), so work the registrations left behind (e.g. notification emails sent
as their own tasks) is inside the figures, not after them.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
TICK = os.sysconf("SC_CLK_TCK")


def ensure_database(url: str) -> None:
    """CREATE DATABASE for a PostgreSQL URL when it does not exist yet."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes():
    """(pid, command, parent pid, user + system CPU seconds) of every live process, from /proc."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, rest = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        yield (int(entry.name), head.split("(", 1)[1], int(fields[1]),
               (int(fields[11]) + int(fields[12])) / TICK)


def tree_cpu_seconds(pid: int, *, children: bool = True) -> float:
    """user + system CPU of a process and (by default) its live children."""
    return sum(cpu for p, _, ppid, cpu in processes() if p == pid or (children and ppid == pid))


def cpu_by_command(*names: str) -> float:
    """user + system CPU of every process whose command is one of `names` (e.g. the servers')."""
    return sum(cpu for _, command, _, cpu in processes() if command in names)


def host_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole host, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return float(sum(values) - idle), float(sum(values))


def pg_sessions(url: str) -> int | None:
    """Sessions (connections) PostgreSQL has opened on the bench database so far (PG 14+)."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return None
    import psycopg

    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s",
                           [parsed.path.lstrip("/")]).fetchone()
    return int(row[0]) if row else None


def queue_busy(queue: str) -> bool:
    """Messages waiting in, or taken but not yet acknowledged from, the worker's Redis queue."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        if client.llen(queue):
            return True
        return bool(client.hlen("unacked"))


def baseline(url: str, total: int = 400) -> float:
    """Two callers straight at the core: the best two worker processes could do."""
    import httpx

    def call(n: int) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            for _ in range(n):
                key = str(uuid.uuid4())
                client.post("/api/v1/integration/register-service",
                            json={"contract": {"service_id": f"baseline-{key}", "version": "1.0.0"}},
                            headers={"Idempotency-Key": key}).raise_for_status()

    threads = [threading.Thread(target=call, args=(total // 2,)) for _ in range(2)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description="Drain approved submissions through one worker.")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--email-url", default="dummymail://",
                        help="the worker's EMAIL_URL (registration emails are rendered, not sent)")
    parser.add_argument("--worker-args", default="",
                        help="extra `celery worker` options to try, e.g. '--prefetch-multiplier 4'")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        print("note: the reference figures are for PostgreSQL + Redis (see the docstring)")
    if database_url:
        ensure_database(database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Max, Min
    from django.utils import timezone

    from contracts_app.models import Contract, ContractRevision
    from integrations.models import Event, Submission
    from integrations.pipeline.submissions import submission_enqueue
    from portal.celery import app
    from tests.support.core_server import CoreControl, duplicates

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)

    port = free_port()
    core_proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.core_server", "--port", str(port),
         "--latency-ms", str(args.latency_ms)], cwd=ROOT, stdout=subprocess.DEVNULL)
    core = CoreControl(f"http://127.0.0.1:{port}")
    worker = None
    try:
        core.wait_ready()
        raw = baseline(core.url)
        core.reset()

        # The approved submissions: one contract each, as the review would leave them.
        owner = get_user_model().objects.create_user(
            "bench@bench.invalid", "x", display_name="Bench", email_verified=True)
        contracts = Contract.objects.bulk_create(
            Contract(owner=owner, service_id=f"bench-{i:05d}") for i in range(args.count))
        revisions = ContractRevision.objects.bulk_create(
            ContractRevision(contract=c, number=1, text="", is_valid=True, author=owner, data={
                "service_id": c.service_id, "name": f"Bench {c.service_id}", "version": "1.0.0",
                "capabilities": ["text_generation", "summarization"],
                "guarantees": {"latency": {"p95_ms": 200, "p99_ms": 400},
                               "accuracy": {"min": 0.9}},
                "constraints": {"max_tokens": 4096, "supported_languages": ["en", "de"]},
                "cost": {"per_request": 0.001, "currency": "USD"},
            }) for c in contracts)
        now = timezone.now()
        Submission.objects.bulk_create(
            Submission(contract=r.contract, revision=r, submitter=owner, status="approved",
                       next_attempt_at=now, decided_at=now) for r in revisions)
        ids = list(Submission.objects.order_by("pk").values_list("pk", flat=True))

        queue = f"bench-{uuid.uuid4().hex[:8]}"
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
        app.conf.task_default_queue = queue

        # 1. What approval does on commit, for each: approved -> queued, then the message.
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        for pk in ids:
            submission_enqueue(pk)
        enqueued = time.monotonic() - started
        self_after = resource.getrusage(resource.RUSAGE_SELF)

        # 2. One worker drains the queue. The clock runs from its first claim to the last
        # registration (database timestamps), so its start-up is not counted.
        env = dict(os.environ, CAIO_CORE_URL=core.url, CAIO_CORE_AUTH="none", CELERY_QUEUE=queue,
                   PYTHONUNBUFFERED="1", EMAIL_URL=args.email_url)
        log = open(ROOT / "var" / "bench-pipeline-worker.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "prefork",
             "-c", str(args.concurrency), "-Q", queue, "-l", os.environ.get("BENCH_WORKER_LOGLEVEL", "warning"), "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h",
             *args.worker_args.split()],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        pending = Submission.objects.filter(status="queued")
        deadline = time.monotonic() + 120
        while pending.count() == args.count:
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the worker did not start; see var/bench-pipeline-worker.log")
            time.sleep(0.01)
        cpu_before = tree_cpu_seconds(worker.pid)
        core_cpu_before = tree_cpu_seconds(core_proc.pid)
        servers_before = cpu_by_command("postgres"), cpu_by_command("redis-server")
        sessions_before = pg_sessions(database_url)
        load_before = os.getloadavg()[0]
        host_before = host_busy()
        parent_before = tree_cpu_seconds(worker.pid, children=False)
        done_before = Submission.objects.filter(status="registered").count()
        wall_before = time.monotonic()
        deadline = time.monotonic() + max(300.0, args.count / 2)  # a loaded host drains slowly
        while time.monotonic() < deadline:
            if not Submission.objects.filter(status__in=["queued", "registering"]).exists():
                break
            time.sleep(0.05)
        registered_at = time.monotonic()
        while time.monotonic() < deadline and settings.REDIS_URL and queue_busy(queue):
            time.sleep(0.05)  # what the registrations left behind (emails) is part of the work
        tail = time.monotonic() - registered_at
        cpu = tree_cpu_seconds(worker.pid) - cpu_before
        core_cpu = tree_cpu_seconds(core_proc.pid) - core_cpu_before
        pg_cpu = cpu_by_command("postgres") - servers_before[0]
        redis_cpu = cpu_by_command("redis-server") - servers_before[1]
        sessions = pg_sessions(database_url)
        host_after = host_busy()
        host_pct = 100 * (host_after[0] - host_before[0]) / max(host_after[1] - host_before[1], 1)
        parent_cpu = tree_cpu_seconds(worker.pid, children=False) - parent_before
        cpu_wall = time.monotonic() - wall_before
        cpu_count = Submission.objects.filter(status="registered").count() - done_before
        first = Event.objects.filter(kind="claimed").aggregate(at=Min("at"))["at"]
        last = Submission.objects.aggregate(at=Max("finished_at"))["at"]
        elapsed = (last - first).total_seconds() if first and last else float("inf")
        elapsed += tail  # until the queue is empty too

        time.sleep(1.0)  # anything still in flight would show up as a duplicate now
        applied = core.applied("register")
        requests = core.requests("register")
        keys = [a["key"] for a in applied]
        registered = Submission.objects.filter(status="registered").count()
        failed = Submission.objects.filter(status="failed").count()
        lost = args.count - registered
        duplicated = len(duplicates(applied)) + (len(keys) - len(set(keys)))
        ceiling = args.concurrency / (args.latency_ms / 1000.0)
        rate = registered / elapsed
        bench_cpu = (self_after.ru_utime + self_after.ru_stime
                     - self_before.ru_utime - self_before.ru_stime)
        print(f"pipeline benchmark: {args.count} approved submissions, 1 worker (prefork, "
              f"-c {args.concurrency}), core latency {args.latency_ms:g} ms, "
              f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} + "
              f"{'Redis' if settings.REDIS_URL else 'filesystem broker'}")
        print(f"  registered            {registered} in {elapsed:.2f} s, first claim to last "
              f"registration and an empty queue ({tail:.2f} s of that after the last "
              f"registration; enqueueing all of them took {enqueued:.2f} s before)")
        print(f"  registrations/second  {rate:.1f}")
        print(f"  ceiling               {ceiling:.0f}/s  -> {100 * rate / ceiling:.0f}% of ceiling")
        print(f"  same-run baseline     {raw:.1f}/s (2 callers straight at the core) -> "
              f"{100 * rate / raw:.0f}% of it")
        print(f"  worker CPU            {cpu / max(cpu_wall, 1e-9):.2f} cores "
              f"({1000 * cpu / max(cpu_count, 1):.1f} ms per registration, of which the pool's "
              f"parent {1000 * parent_cpu / max(cpu_count, 1):.1f} ms); enqueueing "
              f"{1000 * bench_cpu / args.count:.1f} ms CPU per submission")
        print(f"  other CPU             per registration: PostgreSQL {1000 * pg_cpu / max(cpu_count, 1):.1f} "
              f"ms, Redis {1000 * redis_cpu / max(cpu_count, 1):.1f} ms, the fake core "
              f"{1000 * core_cpu / max(cpu_count, 1):.1f} ms (all processes of the host, so other "
              f"clients count too)")
        print(f"  host                  {os.cpu_count()} CPUs, {host_pct:.0f}% busy during the drain "
              f"(everything on it), load average {load_before:.1f} at the start, "
              f"{os.getloadavg()[0]:.1f} at the end; email backend {args.email_url}")
        if sessions is not None and sessions_before is not None:
            print(f"  PostgreSQL sessions   {sessions - sessions_before} opened during the drain "
                  f"(all clients of the database)")
        peak = core.state().get("peak_in_flight")
        print(f"  core requests         {len(requests)} (applied {len(applied)}), at most {peak} "
              f"at a time (the ceiling assumes {args.concurrency})")
        print(f"  lost {lost} (not registered when the run ended), failed {failed}, "
              f"duplicated {duplicated}")
        ok = lost == 0 and duplicated == 0 and rate >= 0.7 * ceiling
        print(f"  target (>= 70% of ceiling, 0 lost, 0 duplicated): {'met' if ok else 'NOT met'}")
        return 0 if lost == 0 and duplicated == 0 else 1
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
        core_proc.terminate()
        core_proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
