"""The job engine: how the workers claim, fence, retry and sweep leased jobs.

Submissions and service operations are both `LeasedJob`s (integrations/models.py) and go through
these functions, so a fix to one is a fix to both. What differs between them is a `JobKind`: the
model, its statuses, the Celery task that runs it and how to reach its contract for the timeline.

- **Send.** `job_enqueue` sends the job's task by name after the transaction commits (no module
  here imports the tasks, so the tasks may import the services). A broker that is down loses
  nothing: the row stays waiting and the sweeper sends it again.
- **Claim.** `job_claim` is one conditional UPDATE: waiting and due -> running, attempts + 1, a
  lease. A duplicate or stale message claims nothing. The new attempt number fences every later
  update (`job_update_if_ours`), so a worker that lost its lease can never overwrite a newer one.
- **Renew.** The lease is short; the process holding the claim renews it while it works
  (`job_renew_leases`, called by the heartbeat in integrations/pipeline/leases.py).
- **Retry.** `job_retry_later` waits with exponential backoff and jitter, with the same
  idempotency key, up to PIPELINE_MAX_ATTEMPTS. Short delays ride on a countdown; long ones wait
  in `next_attempt_at` for the sweeper.
- **Hold.** While the core cannot take calls (its circuit breaker is open, or it refuses the
  portal's credentials: integrations/pipeline/breaker.py), `job_hold` moves a waiting job's
  `next_attempt_at` without claiming it, and `job_refund` gives a claimed job back with its
  attempt not spent. Neither spends an attempt.
- **Sweep.** `jobs_sweep` re-sends waiting jobs overdue by SWEEPER_GRACE_SECONDS (a lost message)
  and takes back running jobs whose lease passed (a lost worker: nobody renews it). Each step is
  a conditional UPDATE, so two sweepers at once never send a job twice. `jobs_resend_waiting`
  re-sends every waiting job at once, without the grace, when the broker lost its messages
  (integrations/pipeline/broker.py).
"""

from __future__ import annotations

import functools
import logging
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import LeasedJob
from integrations.pipeline import hotpath
from integrations.pipeline.events import event_record

logger = logging.getLogger(__name__)

# A countdown may fire a little before next_attempt_at; a claim accepts that much.
CLAIM_TOLERANCE = timedelta(seconds=1)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class JobKind:
    """What the engine needs to know about one model of jobs."""

    model: type[LeasedJob]
    task: str  # the Celery task's name; it takes the job's primary key
    waiting: str  # the status of a job waiting for a worker
    running: str  # the status of a claimed job
    event_field: str  # the Event foreign key that points at this kind of job
    contract_of: Callable[[LeasedJob], object]  # the contract whose timeline the job writes on
    related: tuple[str, ...]  # select_related paths that reach the contract
    overdue: tuple[str, ...]  # statuses the sweeper sends again when overdue
    ready: str | None = None  # a status moved to `waiting` when the job is sent (approved)

    def event(self, job: LeasedJob, **kwargs) -> None:
        event_record(contract=self.contract_of(job), **{self.event_field: job}, **kwargs)


def backoff_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with jitter (50-100%)."""
    ceiling = min(settings.PIPELINE_BACKOFF_MAX,
                  settings.PIPELINE_BACKOFF_BASE * 2 ** min(max(attempt, 1) - 1, 32))
    return random.uniform(ceiling / 2, ceiling)


# --- sending ----------------------------------------------------------------------------------

def job_enqueue(kind: JobKind, pk: int, *, countdown: float | None = None) -> None:
    """After the current transaction commits, send the job's task (at once outside a
    transaction). Nothing is sent when the transaction rolls back."""
    transaction.on_commit(lambda: job_send(kind, pk, countdown=countdown), robust=True)


def job_send(kind: JobKind, pk: int, *, countdown: float | None = None) -> bool:
    """Move a `ready` job to waiting (with its timeline line), then send its task by name.

    False when the broker refused it: the row stays waiting and the sweeper sends it again.
    """
    if kind.ready is not None:
        with transaction.atomic():
            moved = kind.model.objects.filter(pk=pk, status=kind.ready).update(
                status=kind.waiting, updated_at=timezone.now())
            if moved:
                job = kind.model.objects.select_related(*kind.related).get(pk=pk)
                kind.event(job, actor="system", kind="queued", message="Queued for a worker.")
    try:
        current_app.send_task(kind.task, args=(pk,), countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker is down: the row stays waiting for the sweeper
        logger.warning("could not send %s %s to the broker; the sweeper will send it again",
                       kind.model.__name__, pk, exc_info=True)
        return False
    return True


# --- the worker's side ------------------------------------------------------------------------

def job_claim(kind: JobKind, pk: int) -> bool:
    """Claim job `pk` for one attempt if it is waiting and due (see the module docstring)."""
    now = timezone.now()
    return hotpath.claim_job(
        kind.model, pk=pk, waiting=kind.waiting, running=kind.running, now=now,
        lease_until=now + timedelta(seconds=settings.PIPELINE_LEASE_SECONDS),
        due_by=now + CLAIM_TOLERANCE) == 1


def job_update_if_ours(kind: JobKind, job: LeasedJob, attempt: int, fields: dict) -> bool:
    """Update the job only if it is still ours: running, and claimed by this very attempt."""
    return hotpath.fenced_update(kind.model, pk=job.pk, running=kind.running, attempt=attempt,
                                 values=fields)


def job_renew_leases(kind: JobKind, claims: list[tuple[int, int]], *, until: datetime) -> int:
    """Extend to `until` the leases of `claims` [(pk, attempt), ...] in ONE UPDATE; each row only
    while it is still running under that attempt. Returns the rows renewed."""
    if not claims:
        return 0
    ours = functools.reduce(operator.or_, (Q(pk=pk, attempts=attempt) for pk, attempt in claims))
    return kind.model.objects.filter(ours, status=kind.running).update(lease_until=until)


def job_retry_later(kind: JobKind, *, job: LeasedJob, attempt: int, message: str,
                    fail: Callable[[LeasedJob, int, str], None]) -> None:
    """Attempt `attempt` failed with a transient error: try again after a backoff, or `fail`
    the job when that was the last attempt."""
    if attempt >= settings.PIPELINE_MAX_ATTEMPTS:
        fail(job, attempt, f"Gave up after {attempt} attempts. Last error: {message}")
        return
    delay = backoff_delay(attempt)
    now = timezone.now()
    with transaction.atomic():
        if not job_update_if_ours(kind, job, attempt, dict(
                status=kind.waiting, last_error=message, lease_until=None,
                next_attempt_at=now + timedelta(seconds=delay), updated_at=now)):
            return
        kind.event(job, actor="worker", kind="retry_scheduled",
                   message=f"Attempt {attempt} failed: {message} Next attempt in {delay:.1f}s, "
                   "with the same idempotency key.")
        if delay <= settings.PIPELINE_COUNTDOWN_MAX:
            job_enqueue(kind, job.pk, countdown=delay)
        # Longer delays wait in next_attempt_at for the sweeper.


def attempts_exhausted(job: LeasedJob, attempt: int) -> str | None:
    """Why a claimed attempt must not run, when it is over the limit; else None.

    Attempts over the limit are claimed only when the earlier ones never finished (their worker
    died or hung past its lease), so the job fails without another call.
    """
    limit = settings.PIPELINE_MAX_ATTEMPTS
    if attempt <= limit:
        return None
    last = job.last_error or "the worker was lost during the attempt"
    return f"Gave up after {limit} attempts ({last})."


# --- holding jobs while the core cannot take them (integrations/pipeline/breaker.py) ----------

def job_hold(kind: JobKind, pk: int, *, until: datetime, message: str) -> bool:
    """Job `pk` is waiting and due, but the core must not be called before `until`: it waits
    until then without being claimed, so no attempt is spent. Its timeline says why once per
    reason (not on every hold). A conditional UPDATE on `updated_at`, as the sweeper's: a job
    claimed, cancelled or moved meanwhile is left alone. True when it was held."""
    now = timezone.now()
    job = (kind.model.objects.filter(pk=pk, status=kind.waiting)
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLAIM_TOLERANCE))
           .select_related(*kind.related).first())
    if job is None:
        return False
    with transaction.atomic():
        if not kind.model.objects.filter(pk=pk, status=kind.waiting,
                                         updated_at=job.updated_at).update(
                next_attempt_at=until, last_error=message, updated_at=now):
            return False
        if job.last_error != message:
            kind.event(job, actor="worker", kind="held", message=message)
        _enqueue_at(kind, pk, until, now)
    return True


def job_refund(kind: JobKind, *, job: LeasedJob, attempt: int, until: datetime,
               message: str) -> bool:
    """Claimed attempt `attempt` met a core that cannot take calls (it refused the portal's
    credentials, or its breaker opened): the job waits until `until` and the attempt is given
    back (`attempts` = attempt - 1). Fenced like every update of a claim; the refunded number is
    claimed again by the next worker only after this one's last write, this one. True when it
    was given back."""
    now = timezone.now()
    with transaction.atomic():
        if not job_update_if_ours(kind, job, attempt, dict(
                status=kind.waiting, attempts=attempt - 1, last_error=message, lease_until=None,
                next_attempt_at=until, updated_at=now)):
            return False
        kind.event(job, actor="worker", kind="held",
                   message=f"Attempt {attempt} was not spent: {message}")
        _enqueue_at(kind, job.pk, until, now)
    return True


def _enqueue_at(kind: JobKind, pk: int, until: datetime, now: datetime) -> None:
    """Send the job for `until`: on a countdown when that is soon enough, else the sweeper."""
    delay = max(0.0, (until - now).total_seconds())
    if delay <= settings.PIPELINE_COUNTDOWN_MAX:
        job_enqueue(kind, pk, countdown=delay)


# --- the sweeper ------------------------------------------------------------------------------

def jobs_sweep(kind: JobKind, *, now: datetime | None = None) -> dict[str, list[int]]:
    """Send again what was lost: overdue waiting jobs, and running jobs past their lease.

    Waiting jobs only when overdue by SWEEPER_GRACE_SECONDS; running jobs as soon as their lease
    passed (a live worker renews it). Returns the ids it sent again, as
    {"enqueued": [...], "requeued": [...]}.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
    model = kind.model
    enqueued: list[int] = []
    requeued: list[int] = []
    overdue = (model.objects.filter(status__in=kind.overdue, next_attempt_at__lte=cutoff,
                                    updated_at__lte=cutoff)
               .select_related(*kind.related).order_by("next_attempt_at")[:SWEEP_BATCH])
    for job in overdue:
        with transaction.atomic():
            moved = model.objects.filter(
                pk=job.pk, status=job.status, updated_at=job.updated_at,
            ).update(status=kind.waiting, updated_at=max(now, timezone.now()))
            if moved:
                kind.event(job, actor="sweeper", kind="re_enqueued", message="Overdue and not "
                           "picked up (a lost message?); sent to the workers again.")
                job_enqueue(kind, job.pk)
                enqueued.append(job.pk)
    expired = (model.objects.filter(status=kind.running, lease_until__lte=now)
               .select_related(*kind.related).order_by("lease_until")[:SWEEP_BATCH])
    for job in expired:
        with transaction.atomic():
            stamp = timezone.now()
            moved = model.objects.filter(
                pk=job.pk, status=kind.running, lease_until=job.lease_until,
            ).update(status=kind.waiting, lease_until=None, next_attempt_at=stamp,
                     updated_at=stamp)
            if moved:
                kind.event(job, actor="sweeper", kind="lease_expired", message=f"Attempt "
                           f"{job.attempts} outlived its lease (worker lost or stuck); queued "
                           "again.")
                job_enqueue(kind, job.pk)
                requeued.append(job.pk)
    if enqueued or requeued:
        logger.info("sweeper: %s: %d sent again, %d leases expired", model.__name__,
                    len(enqueued), len(requeued))
    return {"enqueued": enqueued, "requeued": requeued}


def jobs_resend_waiting(kind: JobKind, *, touched_before: datetime) -> list[int]:
    """Send again, without the grace, every waiting job last touched before `touched_before`:
    the broker lost its messages (integrations/pipeline/broker.py). A job due later gets the
    rest of its countdown; one due later than PIPELINE_COUNTDOWN_MAX never had a message and
    waits for the sweeper as before. Each send is a conditional UPDATE on `updated_at`, so a
    second sweeper sends nothing twice. Returns the ids sent."""
    model = kind.model
    sent: list[int] = []
    horizon = touched_before + timedelta(seconds=settings.PIPELINE_COUNTDOWN_MAX)
    waiting = (model.objects.filter(status__in=kind.overdue, updated_at__lte=touched_before)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=horizon))
               .select_related(*kind.related).order_by("pk"))
    last = 0
    while batch := list(waiting.filter(pk__gt=last)[:SWEEP_BATCH]):
        last = batch[-1].pk
        for job in batch:
            with transaction.atomic():
                now = timezone.now()
                moved = model.objects.filter(
                    pk=job.pk, status=job.status, updated_at=job.updated_at,
                ).update(status=kind.waiting, updated_at=now)
                if moved:
                    due = job.next_attempt_at
                    countdown = (due - now).total_seconds() if due and due > now else None
                    kind.event(job, actor="sweeper", kind="re_enqueued", message="The broker "
                               "lost its messages (restarted empty?); sent to the workers again.")
                    job_enqueue(kind, job.pk, countdown=countdown)
                    sent.append(job.pk)
    if sent:
        logger.info("the broker lost its messages: %s: %d waiting sent again", model.__name__,
                    len(sent))
    return sent
