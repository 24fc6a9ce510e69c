"""Leases that last as long as their worker: each worker process renews the claims it holds.

A claim (`jobs.job_claim`) leases its row for PIPELINE_LEASE_SECONDS, a short time (20 s by
default). While the process that claimed it is alive and the work goes on, a heartbeat thread
in that process renews the lease every PIPELINE_HEARTBEAT_SECONDS, with ONE fenced UPDATE per
kind of job for every claim the process holds (`jobs.job_renew_leases`: only rows still running
under the attempt that claimed them). When the process dies (kill -9, the OOM killer, a hard
time limit) the renewals stop, the lease passes within PIPELINE_LEASE_SECONDS, and the sweeper
takes the row back; the next attempt calls the core with the same idempotency key, so a
registration the core already applied comes back as registered.

A claim stops being renewed, although its process lives, when
- its core call has run past CAIO_CORE_TIMEOUT: the gateway should have given up by then, so the
  call is stuck; the sweeper takes the row back and a later answer is fenced out; or
- it has been held longer than CELERY_TASK_TIME_LIMIT, what no task may take: a stuck thread
  cannot hold a row for ever.

Use: `hold = lease_keeper().hold(KIND, pk, attempt)` right after the claim commits, `with
hold.calling():` around the core call, `hold.release()` once the outcome is recorded (or
nothing will be). A hold may move between threads (the claim/call/record overlap hands it on).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from integrations.pipeline.dbconn import close_stale_connections
from integrations.pipeline.jobs import JobKind, job_renew_leases

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Hold:
    """One claim this process holds: renewed by the heartbeat until released."""

    keeper: LeaseKeeper
    kind: JobKind
    pk: int
    attempt: int
    since: float = field(default_factory=time.monotonic)
    call_started: float | None = None

    @contextlib.contextmanager
    def calling(self) -> Iterator[None]:
        """Around the core call: renewal stops if the call runs past CAIO_CORE_TIMEOUT."""
        self.call_started = time.monotonic()
        try:
            yield
        finally:
            self.call_started = None

    def renewable(self, now: float) -> bool:
        if now - self.since > settings.CELERY_TASK_TIME_LIMIT:
            return False
        return self.call_started is None or now - self.call_started <= settings.CAIO_CORE_TIMEOUT

    def release(self) -> None:
        self.keeper.release(self)


class LeaseKeeper:
    """The claims one process holds, and the heartbeat thread that renews their leases."""

    def __init__(self, *, heartbeat: bool = True) -> None:
        """`heartbeat=False`: no thread; call `renew()` yourself (tests)."""
        self.pid = os.getpid()
        self._holds: set[Hold] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._heartbeat = heartbeat

    def hold(self, kind: JobKind, pk: int, attempt: int) -> Hold:
        """Start renewing the lease of `pk`'s claim by `attempt` (the heartbeat starts on first use)."""
        held = Hold(keeper=self, kind=kind, pk=pk, attempt=attempt)
        with self._lock:
            self._holds.add(held)
            if self._heartbeat and self._thread is None:
                self._thread = threading.Thread(target=self._beat, name="lease-heartbeat",
                                                daemon=True)
                self._thread.start()
        return held

    def release(self, held: Hold) -> None:
        with self._lock:
            self._holds.discard(held)

    def held(self) -> list[Hold]:
        with self._lock:
            return list(self._holds)

    def renew(self) -> int:
        """One heartbeat: extend the lease of every renewable claim; returns the rows renewed.

        A row that is no longer running under its attempt (finished, or taken back) is not
        touched: the UPDATE is fenced by the attempt number."""
        now = time.monotonic()
        by_kind: dict[type, tuple[JobKind, list[tuple[int, int]]]] = {}
        for held in self.held():
            if held.renewable(now):
                by_kind.setdefault(held.kind.model, (held.kind, []))[1].append(
                    (held.pk, held.attempt))
        if not by_kind:
            return 0
        until = timezone.now() + timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)
        return sum(job_renew_leases(kind, claims, until=until) for kind, claims in by_kind.values())

    def _beat(self) -> None:
        while True:
            time.sleep(settings.PIPELINE_HEARTBEAT_SECONDS)
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
                logger.warning("could not renew the leases of this process's claims; trying "
                               "again in %gs", settings.PIPELINE_HEARTBEAT_SECONDS, exc_info=True)
            finally:
                if self.held():
                    close_stale_connections()  # this thread's connection, if it broke
                else:
                    connections.close_all()  # idle: give this thread's connection back


_keeper: LeaseKeeper | None = None
_keeper_lock = threading.Lock()


def lease_keeper() -> LeaseKeeper:
    """This process's keeper (a new one after a fork: a child holds none of its parent's claims)."""
    global _keeper
    with _keeper_lock:
        if _keeper is None or _keeper.pid != os.getpid():
            _keeper = LeaseKeeper()
        return _keeper
