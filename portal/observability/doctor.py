"""`manage.py portal_doctor`: is everything the portal needs there and working?

Each check answers in plain words: the database, pending migrations, the broker, the CAIO core
(reachable, and accepting the portal's credentials), a worker (it runs a `portal.ping` sent
now), and beat (its `portal.beat_tick`, sent on the sweeper's schedule, ran recently).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from integrations.pipeline.breaker import core_breaker_state
from integrations.pipeline.core import get_gateway
from portal.models import WorkerHeartbeat
from portal.observability.probes import probe_broker, probe_database

BEAT_MARKER = "beat"


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    message: str


def beat_tick_record() -> None:
    """Beat sent its tick and a worker ran it: one row, moved forward each time."""
    updated = WorkerHeartbeat.objects.filter(marker=BEAT_MARKER).update(at=timezone.now())
    if not updated:
        WorkerHeartbeat.objects.create(marker=BEAT_MARKER)


def check_database() -> Finding:
    probe = probe_database()
    if not probe.ok:
        return Finding("database", False, f"the database does not answer: {probe.detail}. "
                       "Check DATABASE_URL and that the server is running.")
    return Finding("database", True, f"{probe.detail} answers ({probe.seconds * 1000:.1f} ms)")


def check_migrations() -> Finding:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return Finding("migrations", False, f"{len(plan)} migration(s) not applied ({names}"
                       f"{more}). Run: python manage.py migrate")
    return Finding("migrations", True, "all applied")


def check_broker() -> Finding:
    probe = probe_broker()
    if not probe.ok:
        where = settings.REDIS_URL or "the filesystem broker"
        return Finding("broker", False, f"the broker ({where}) does not answer: {probe.detail}. "
                       "Check REDIS_URL and that Redis is running.")
    return Finding("broker", True, f"{probe.detail} answers ({probe.seconds * 1000:.1f} ms)")


def check_core() -> Finding:
    gateway = get_gateway()
    health = gateway.health()
    if not health.get("ok"):
        detail = health.get("error") or f"status {health.get('status')}"
        return Finding("core", False, f"the CAIO core at {health.get('core')} is not healthy "
                       f"({detail}). Check CAIO_CORE_URL and the core.")
    accepted, message = gateway.check_credentials()
    if not accepted:
        return Finding("core", False, message + ".")
    breaker = core_breaker_state()
    if breaker is not None:
        return Finding("core", False, f"{message}, but the circuit breaker is open until "
                       f"{breaker.open_until:%H:%M:%S} UTC ({breaker.reason}: "
                       f"{breaker.last_error}); the workers hold registrations until then.")
    return Finding("core", True, message)


def check_worker(timeout: float) -> Finding:
    marker = f"doctor-{uuid.uuid4().hex[:12]}"
    try:
        current_app.send_task("portal.ping", args=(marker,))
    except Exception as exc:  # noqa: BLE001 - reported in words
        return Finding("worker", False, f"could not send a ping to the workers: {exc}")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if WorkerHeartbeat.objects.filter(marker=marker).exists():
                return Finding("worker", True, f"a worker answered a ping on queue "
                               f"{settings.CELERY_TASK_DEFAULT_QUEUE}")
            time.sleep(0.2)
    finally:
        WorkerHeartbeat.objects.filter(marker=marker).delete()
    return Finding("worker", False, f"no worker answered a ping within {timeout:g} s on queue "
                   f"{settings.CELERY_TASK_DEFAULT_QUEUE}: start one (celery -A portal worker), "
                   "or it is busy with a long queue (see portal_queue_depth at /metrics).")


def beat_stale_after() -> float:
    return max(3 * settings.SWEEPER_INTERVAL_SECONDS, 60.0)


def check_beat() -> Finding:
    tick = WorkerHeartbeat.objects.filter(marker=BEAT_MARKER).values_list("at", flat=True).first()
    if tick is None:
        return Finding("beat", False, "beat has never ticked: start it (celery -A portal beat); "
                       "its tick also needs a worker.")
    age = (timezone.now() - tick).total_seconds()
    if age > beat_stale_after():
        return Finding("beat", False, f"beat's last tick ran {age:.0f} s ago (expected every "
                       f"{settings.SWEEPER_INTERVAL_SECONDS:g} s): beat or the workers stopped, "
                       "so the sweeper is not running.")
    return Finding("beat", True, f"last tick {age:.0f} s ago")


def run_checks(*, worker_timeout: float) -> list[Finding]:
    """Every check, in order; what needs the database is skipped when it does not answer."""
    database = check_database()
    findings = [database]
    broker = check_broker()
    if database.ok:
        findings.append(_safely("migrations", check_migrations))
    findings.append(broker)
    findings.append(_safely("core", check_core))
    if database.ok and broker.ok:
        findings.append(_safely("worker", lambda: check_worker(worker_timeout)))
        findings.append(_safely("beat", check_beat))
    else:
        missing = "the database" if not database.ok else "the broker"
        findings += [Finding(name, False, f"not checked: {missing} does not answer")
                     for name in ("worker", "beat")]
    return findings


def _safely(name: str, check: Callable[[], Finding]) -> Finding:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - a check that breaks is a finding, not a traceback
        return Finding(name, False, f"the check failed: {exc.__class__.__name__}: {exc}")
