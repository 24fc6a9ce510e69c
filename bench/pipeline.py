"""Benchmark: drain approved submissions with worker processes (prefork, -c 2 each) on Redis and
PostgreSQL, against the fake CAIO core.

One run (the default): ONE worker, the core answering in 20 ms, so the ceiling is
2 / 20 ms = 100 per second:

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pipeline \
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/pipeline.py [--count 1000]

Scale-out (issue 16): one run per worker count, the core answering in 200 ms (a slow core, so
that the portal's own CPU on a 2-CPU host does not hide the scaling), 100 submissions per worker:

    ... .venv/bin/python bench/pipeline.py --workers 1,2,4 [--latency-ms 200] [--count 100]

The ceiling of a run is workers x 2 core calls at a time / the core's latency. Each run creates
its own data (the database, bench_pipeline, is flushed before every run). A series ends with a
table: registrations per second, the ceiling, the ratio to it, and the ratio to linear scaling
(the run's rate / (its workers x the 1-worker run's rate)).

Each run prints registrations per second, the ratio to the ceiling (a single run also to a
same-run baseline: two callers hitting the core directly), the CPU used by the workers' process
trees (from /proc) per registration, the PostgreSQL sessions opened during the drain, the host's
load, and the lost and duplicated counts. Targets: >= 70% of the ceiling, 0 lost, 0 duplicated.

The clock stops when every registration is recorded AND the workers' queue is empty (no message
waiting or unacknowledged), so work the registrations left behind (e.g. notification emails sent
as their own tasks) is inside the figures, not after them.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
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


def drain(args, workers: int, count: int, core, core_proc) -> dict:
    """One run: `count` approved submissions drained by `workers` worker processes, each
    `celery worker -P prefork -c args.concurrency`, against the fake core. Prints the run's
    figures and returns the headline ones."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Max, Min
    from django.utils import timezone

    from contracts_app.models import Contract, ContractRevision
    from integrations.models import Event, Submission
    from integrations.pipeline.submissions import submission_enqueue
    from portal.celery import app
    from tests.support.core_server import duplicates

    call_command("flush", verbosity=0, interactive=False)
    core.reset()
    processes_ = []
    try:
        # The approved submissions: one contract each, as the review would leave them.
        owner = get_user_model().objects.create_user(
            "bench@bench.invalid", "x", display_name="Bench", email_verified=True)
        contracts = Contract.objects.bulk_create(
            Contract(owner=owner, service_id=f"bench-{i:05d}") for i in range(count))
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

        # 2. The workers drain the queue. The clock runs from the first claim to the last
        # registration (database timestamps), so their start-up is not counted.
        env = dict(os.environ, CAIO_CORE_URL=core.url, CAIO_CORE_AUTH="none", CELERY_QUEUE=queue,
                   PYTHONUNBUFFERED="1", EMAIL_URL=args.email_url)
        log = open(ROOT / "var" / "bench-pipeline-worker.log", "wb")
        for n in range(workers):
            processes_.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "prefork",
                 "-c", str(args.concurrency), "-Q", queue, "-l",
                 os.environ.get("BENCH_WORKER_LOGLEVEL", "warning"), "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-n", f"{queue}-{n}@%h",
                 *args.worker_args.split()],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        # Every worker answers a ping before the clock may start: on a loaded host one worker
        # can start seconds after another, and its absence would count against the scaling.
        names = {f"{queue}-{n}@{socket.gethostname()}" for n in range(workers)}
        deadline = time.monotonic() + 120
        while True:
            if any(w.poll() is not None for w in processes_) or time.monotonic() > deadline:
                raise SystemExit("a worker did not start; see var/bench-pipeline-worker.log")
            replies = app.control.ping(destination=sorted(names), timeout=0.5)
            if names <= {name for reply in replies for name in reply}:
                break
        all_ready = timezone.now()

        def workers_cpu(children: bool = True) -> float:
            return sum(tree_cpu_seconds(w.pid, children=children) for w in processes_)

        cpu_before = workers_cpu()
        core_cpu_before = tree_cpu_seconds(core_proc.pid)
        servers_before = cpu_by_command("postgres"), cpu_by_command("redis-server")
        sessions_before = pg_sessions(os.environ.get("DATABASE_URL", ""))
        load_before = os.getloadavg()[0]
        host_before = host_busy()
        parent_before = workers_cpu(children=False)
        done_before = Submission.objects.filter(status="registered").count()
        wall_before = time.monotonic()
        deadline = time.monotonic() + max(300.0, count / 2)  # a loaded host drains slowly
        while time.monotonic() < deadline:
            if not Submission.objects.filter(status__in=["queued", "registering"]).exists():
                break
            time.sleep(0.05)
        registered_at = time.monotonic()
        while time.monotonic() < deadline and settings.REDIS_URL and queue_busy(queue):
            time.sleep(0.05)  # what the registrations left behind (emails) is part of the work
        tail = time.monotonic() - registered_at
        cpu = workers_cpu() - cpu_before
        core_cpu = tree_cpu_seconds(core_proc.pid) - core_cpu_before
        pg_cpu = cpu_by_command("postgres") - servers_before[0]
        redis_cpu = cpu_by_command("redis-server") - servers_before[1]
        sessions = pg_sessions(os.environ.get("DATABASE_URL", ""))
        host_after = host_busy()
        host_pct = 100 * (host_after[0] - host_before[0]) / max(host_after[1] - host_before[1], 1)
        parent_cpu = workers_cpu(children=False) - parent_before
        cpu_wall = time.monotonic() - wall_before
        cpu_count = Submission.objects.filter(status="registered").count() - done_before
        first = Event.objects.filter(kind="claimed").aggregate(at=Min("at"))["at"]
        start = max(first, all_ready) if first else all_ready
        last = Submission.objects.aggregate(at=Max("finished_at"))["at"]
        elapsed = (last - start).total_seconds() if last else float("inf")
        elapsed += tail  # until the queue is empty too
        timed = Submission.objects.filter(status="registered", finished_at__gt=start).count()

        time.sleep(1.0)  # anything still in flight would show up as a duplicate now
        applied = core.applied("register")
        requests = core.requests("register")
        keys = [a["key"] for a in applied]
        registered = Submission.objects.filter(status="registered").count()
        failed = Submission.objects.filter(status="failed").count()
        lost = count - registered
        duplicated = len(duplicates(applied)) + (len(keys) - len(set(keys)))
        callers = workers * args.concurrency
        ceiling = callers / (args.latency_ms / 1000.0)
        rate = timed / elapsed
        bench_cpu = (self_after.ru_utime + self_after.ru_stime
                     - self_before.ru_utime - self_before.ru_stime)
        print(f"pipeline benchmark: {count} approved submissions, {workers} worker"
              f"{'s' if workers > 1 else ''} (prefork, -c {args.concurrency} each), core latency "
              f"{args.latency_ms:g} ms, "
              f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} + "
              f"{'Redis' if settings.REDIS_URL else 'filesystem broker'}")
        print(f"  registered            {registered}; {timed} of them in {elapsed:.2f} s, from the "
              f"first claim with every worker up to the last registration and an empty queue "
              f"({tail:.2f} s of that after the last registration; enqueueing all of them took "
              f"{enqueued:.2f} s before)")
        print(f"  registrations/second  {rate:.1f}")
        print(f"  ceiling               {ceiling:.0f}/s ({callers} core calls at a time / "
              f"{args.latency_ms:g} ms)  -> {100 * rate / ceiling:.0f}% of ceiling")
        print(f"  worker CPU            {cpu / max(cpu_wall, 1e-9):.2f} cores "
              f"({1000 * cpu / max(cpu_count, 1):.1f} ms per registration, of which the pools' "
              f"parents {1000 * parent_cpu / max(cpu_count, 1):.1f} ms); enqueueing "
              f"{1000 * bench_cpu / count:.1f} ms CPU per submission")
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
              f"at a time (the ceiling assumes {callers})")
        print(f"  lost {lost} (not registered when the run ended), failed {failed}, "
              f"duplicated {duplicated}")
        return {"workers": workers, "count": count, "registered": registered, "elapsed": elapsed,
                "rate": rate, "ceiling": ceiling, "lost": lost, "duplicated": duplicated,
                "peak": peak, "load": (load_before, os.getloadavg()[0]), "host_pct": host_pct}
    finally:
        for worker in processes_:
            if worker.poll() is None:
                worker.terminate()
        for worker in processes_:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description="Drain approved submissions through workers.")
    parser.add_argument("--workers", default="1",
                        help="worker processes, or a comma-separated list for a scale-out "
                             "series such as 1,2,4 (one run each, in this order)")
    parser.add_argument("--count", type=int, default=None,
                        help="submissions per worker in each run (default 1000 for one run, "
                             "100 per worker in a series)")
    parser.add_argument("--latency-ms", type=float, default=None,
                        help="the fake core's latency (default 20 ms for one run, 200 ms in a "
                             "series, so the portal's own CPU does not hide the scaling)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--core-port", type=int, default=0,
                        help="the fake core's port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--email-url", default="dummymail://",
                        help="the worker's EMAIL_URL (registration emails are rendered, not sent)")
    parser.add_argument("--worker-args", default="",
                        help="extra `celery worker` options to try, e.g. '--prefetch-multiplier 4'")
    args = parser.parse_args()
    series = [int(n) for n in args.workers.split(",") if n.strip()]
    if not series or min(series) < 1:
        parser.error("--workers takes whole numbers of 1 or more, e.g. 1,2,4")
    scale_out = len(series) > 1
    if args.latency_ms is None:
        args.latency_ms = 200.0 if scale_out else 20.0
    per_worker = args.count if args.count is not None else (100 if scale_out else 1000)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        print("note: the reference figures are for PostgreSQL + Redis (see the docstring)")
    if database_url:
        ensure_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command

    from tests.support.core_server import CoreControl

    call_command("migrate", verbosity=0, interactive=False)

    port = args.core_port or free_port()
    core_proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.core_server", "--port", str(port),
         "--latency-ms", str(args.latency_ms)], cwd=ROOT, stdout=subprocess.DEVNULL)
    core = CoreControl(f"http://127.0.0.1:{port}")
    results = []
    try:
        core.wait_ready()
        if not scale_out:
            raw = baseline(core.url)
        for workers in series:
            results.append(drain(args, workers, per_worker * workers, core, core_proc))
    finally:
        core_proc.terminate()
        core_proc.wait(10)
    clean = all(r["lost"] == 0 and r["duplicated"] == 0 for r in results)
    if not scale_out:
        r = results[0]
        print(f"  same-run baseline     {raw:.1f}/s ({args.concurrency * series[0]} callers "
              f"straight at the core) -> {100 * r['rate'] / raw:.0f}% of it")
        ok = clean and r["rate"] >= 0.7 * r["ceiling"]
        print(f"  target (>= 70% of ceiling, 0 lost, 0 duplicated): {'met' if ok else 'NOT met'}")
        return 0 if clean else 1
    one = next((r for r in results if r["workers"] == 1), None)
    print(f"\nscale-out: core latency {args.latency_ms:g} ms, prefork -c {args.concurrency} per "
          f"worker, {per_worker} submissions per worker in each run")
    print(f"{'workers':>7} {'reg/s':>8} {'ceiling':>8} {'of ceiling':>10} {'vs linear':>10} "
          f"{'lost':>5} {'dup':>4} {'peak calls':>10} {'load avg':>12} {'host busy':>9}")
    for r in results:
        linear = (f"{r['rate'] / (r['workers'] * one['rate']):10.2f}" if one
                  else f"{'-':>10}")
        print(f"{r['workers']:7d} {r['rate']:8.1f} {r['ceiling']:8.0f} "
              f"{100 * r['rate'] / r['ceiling']:9.0f}% {linear} {r['lost']:5d} "
              f"{r['duplicated']:4d} {r['peak']!s:>10} "
              f"{r['load'][0]:5.1f}->{r['load'][1]:<5.1f} {r['host_pct']:8.0f}%")
    print("vs linear = the run's rate / (its workers x the 1-worker run's rate)")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
