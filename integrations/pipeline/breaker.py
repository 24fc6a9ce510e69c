"""The circuit breaker on the CAIO core, shared by every worker process through one database row.

A core that hangs makes every call wait out CAIO_CORE_TIMEOUT, and each of those calls spends one
of the job's attempts on a core that is down. A core that refuses the portal's credentials (401
or 403) refuses every call, and that is the portal's configuration, not the developer's contract.
In both cases the workers stop calling it, and the jobs wait without spending attempts:

    closed --CORE_BREAKER_THRESHOLD timeouts or 5xx in a row--> open ("failing")
    closed or failing --a 401 or 403--> open ("credentials")
    open --CORE_BREAKER_COOLDOWN passed, one worker takes the probe lease--> the probe call:
        an answer (a success, a 4xx, a 429...)  --> closed
        a timeout, a 5xx, a 401 or 403          --> open for another cool-down
    any call answered, probe or not --> closed, failures = 0

The state is the row `CoreBreaker` (pk 1): the database is the truth, and every change is a
conditional UPDATE, so two workers that fail at once open it once, and exactly one worker takes
the probe lease (`probe_until`, CAIO_CORE_TIMEOUT + 1 s; a probe that outlives it lets the next
worker probe). The admin reads the same row for its banner.

What the jobs do (both submissions and withdrawals, through the job engine in jobs.py):
- Before a claim, `breaker_admit`: while the breaker is open the job is held (`job_hold`): it
  stays waiting, unclaimed, with `next_attempt_at` = the end of the cool-down (or of the probe in
  flight), and is sent again then. Once the cool-down is over, the first job takes the probe.
- Around the call, `breaker_call`: a 401 or 403, or a timeout or 5xx while the breaker is open
  (the probe's, the one that opened it, or a call that began before it opened), comes back as a
  `CoreHeld`, and the claimed attempt is given back (`job_refund`). Other failures are retried
  with a backoff and spend their attempt, as before.

The hot path: while the breaker is closed and calls succeed, it costs no query per call. Each
process keeps the row in memory and reads it again at most once a second (`REFRESH_SECONDS`), or
at once after it wrote it; a success writes only when the process knows of failures to reset.
When the copy says open, the row is read again before a job is held (holding costs queries
anyway), so a breaker another worker just closed holds nothing.
So "in a row" is counted across the workers, and a success in one process resets the count
within a second of another's failure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.models import CoreBreaker
from integrations.models import CoreBreakerReason as R
from integrations.pipeline.core import (
    CoreError,
    CorePermanentError,
    CoreRefusedCredentials,
    CoreResult,
    CoreTransientError,
)
from integrations.pipeline.jobs import JobKind, job_hold
from integrations.pipeline.metrics import core_call_observe

logger = logging.getLogger(__name__)

ROW = 1  # the breaker's one row
REFRESH_SECONDS = 1.0  # how stale a process's copy of the row may be
PROBE_MARGIN = 1.0  # seconds a probe's lease adds to CAIO_CORE_TIMEOUT
HOLD_AT_LEAST = timedelta(seconds=1)

WAITING = {
    R.FAILING: "Waiting for the CAIO core: it is failing (timeouts or server errors), so the "
               "workers hold their calls until a probe call gets an answer. It goes on by "
               "itself; no attempt is spent while it waits.",
    R.CREDENTIALS: "Waiting for the CAIO core: it refuses the portal's credentials (a "
                   "configuration error, not the contract's). It goes on by itself once the "
                   "core accepts them; no attempt is spent while it waits.",
}


@dataclass(frozen=True)
class BreakerView:
    """The breaker's row as one process last read it."""

    failures: int = 0
    reason: str = R.NONE
    opened_at: datetime | None = None
    open_until: datetime | None = None
    probe_until: datetime | None = None
    last_error: str = ""

    @property
    def is_open(self) -> bool:
        return self.open_until is not None

    @property
    def quiet(self) -> bool:
        """Closed and no failure counted: a success has nothing to reset."""
        return self.failures == 0 and self.open_until is None and self.probe_until is None

    @property
    def waiting_message(self) -> str:
        return WAITING.get(self.reason, WAITING[R.FAILING])

    def wait_until(self, now: datetime) -> datetime:
        """When a job held now should come back: after the cool-down and the probe in flight."""
        return max(d for d in (self.open_until, self.probe_until, now + HOLD_AT_LEAST) if d)


CLOSED = BreakerView()
FIELDS = [f.name for f in fields(BreakerView)]


@dataclass(frozen=True)
class Gate:
    """`breaker_admit`'s answer for a job that may call the core: `probe` is the end of the probe
    lease when this call is the probe, else None."""

    probe: datetime | None = None


CALL = Gate()


class CoreHeld(CoreError):
    """The core cannot take calls now (the breaker is open, or it refused the portal's
    credentials): the job waits until `until` and its attempt is not spent."""

    def __init__(self, message: str, *, until: datetime, status_code: int | None = None):
        super().__init__(message, status_code=status_code)
        self.until = until


# --- this process's copy of the row -----------------------------------------------------------

_lock = threading.Lock()
_copy: dict = {"view": CLOSED, "read_at": float("-inf")}


def _view(*, fresh: bool = False) -> BreakerView:
    """The row, from memory when read less than REFRESH_SECONDS ago (no query), else read now."""
    if not fresh:
        with _lock:
            if time.monotonic() - _copy["read_at"] < REFRESH_SECONDS:
                return _copy["view"]
    view = _read()
    _remember(view)
    return view


def _read() -> BreakerView:
    row = CoreBreaker.objects.filter(pk=ROW).values(*FIELDS).first()
    return BreakerView(**row) if row else CLOSED


def _remember(view: BreakerView) -> None:
    with _lock:
        _copy["view"], _copy["read_at"] = view, time.monotonic()


def breaker_forget() -> None:
    """Drop this process's copy, so the next look reads the row (tests; nothing else needs it)."""
    with _lock:
        _copy["view"], _copy["read_at"] = CLOSED, float("-inf")


# --- before the claim -------------------------------------------------------------------------

def breaker_admit(kind: JobKind, pk: int) -> Gate | None:
    """May job `pk` be claimed for a core call now? A Gate: claim it and call through
    `breaker_call` (or `breaker_release` the gate when nothing is claimed). None: the breaker is
    open, and the job was held (`job_hold`) without being claimed."""
    view = _view()
    if not view.is_open:
        return CALL
    view = _view(fresh=True)  # holding costs queries anyway: decide on the row, not a copy
    if not view.is_open:
        return CALL
    now = timezone.now()
    if now >= view.open_until:
        stamp = now + timedelta(seconds=float(settings.CAIO_CORE_TIMEOUT) + PROBE_MARGIN)
        if CoreBreaker.objects.filter(pk=ROW, open_until__lte=now).filter(
                Q(probe_until__isnull=True) | Q(probe_until__lte=now)).update(probe_until=stamp):
            logger.info("core breaker: the cool-down is over; this worker probes the core")
            return Gate(probe=stamp)
        view = _view(fresh=True)
        if not view.is_open:
            return CALL
    job_hold(kind, pk, until=view.wait_until(now), message=view.waiting_message)
    return None


def breaker_release(gate: Gate) -> None:
    """A probe lease taken for a job that was not claimed after all: let the next job probe."""
    if gate.probe is not None:
        CoreBreaker.objects.filter(pk=ROW, probe_until=gate.probe).update(probe_until=None)


# --- around the call --------------------------------------------------------------------------

def breaker_call(call: Callable[[], CoreResult], *, gate: Gate,
                 operation: str = "register") -> CoreResult | CoreError:
    """Make the core call and record its outcome on the breaker (and in the core-call metrics,
    under `operation`). Returns the result, the CoreError the call raised, or a CoreHeld when
    the job must wait without spending its attempt (see the module docstring)."""
    started = time.perf_counter()
    try:
        outcome: CoreResult | CoreError = call()
    except CoreError as exc:
        outcome = exc
    core_call_observe(operation=operation, outcome=_outcome_label(outcome),
                      seconds=time.perf_counter() - started)
    try:
        return _record(outcome, gate)
    except DatabaseError:  # the bookkeeping must never lose a call's outcome
        logger.exception("core breaker: could not record the outcome of a core call")
        if isinstance(outcome, CoreRefusedCredentials):
            return _held(outcome, BreakerView(reason=R.CREDENTIALS, open_until=_cooldown_end()))
        return outcome


def _record(outcome: CoreResult | CoreError, gate: Gate) -> CoreResult | CoreError:
    if isinstance(outcome, CoreRefusedCredentials):
        return _held(outcome, _refused(outcome.message, gate))
    if core_is_down(outcome):
        view = _failed(outcome.message, gate)
        return _held(outcome, view) if view.is_open else outcome
    # An answer: the core is up and takes the portal's credentials.
    if gate.probe is not None or not _view().quiet:
        _close()
    return outcome


def _outcome_label(outcome: CoreResult | CoreError) -> str:
    if isinstance(outcome, CoreRefusedCredentials):
        return "refused_credentials"
    if isinstance(outcome, CoreTransientError):
        return "transient"
    if isinstance(outcome, CorePermanentError):
        return "permanent"
    return "error" if isinstance(outcome, CoreError) else "ok"


def core_is_down(outcome: object) -> bool:
    """A timeout, a connection error or a 5xx: what the breaker counts."""
    return isinstance(outcome, CoreTransientError) and (
        outcome.status_code is None or outcome.status_code >= 500)


def _held(error: CoreError, view: BreakerView) -> CoreHeld:
    return CoreHeld(f"{error.message} {view.waiting_message}",
                    until=view.wait_until(timezone.now()), status_code=error.status_code)


def _cooldown_end() -> datetime:
    return timezone.now() + timedelta(seconds=settings.CORE_BREAKER_COOLDOWN)


def _ensure_row() -> None:
    CoreBreaker.objects.get_or_create(pk=ROW)


def _failed(message: str, gate: Gate) -> BreakerView:
    """Count a timeout or 5xx; open the breaker at the threshold, or again after a failed probe."""
    _ensure_row()
    now = timezone.now()
    counted = dict(failures=F("failures") + 1, last_error=message, updated_at=now)
    if gate.probe is not None and CoreBreaker.objects.filter(
            pk=ROW, probe_until=gate.probe).update(
            reason=R.FAILING, open_until=_cooldown_end(), probe_until=None, **counted):
        logger.warning("core breaker: the probe failed (%s); open for another %gs", message,
                       settings.CORE_BREAKER_COOLDOWN)
        return _view(fresh=True)
    CoreBreaker.objects.filter(pk=ROW).update(**counted)
    if CoreBreaker.objects.filter(
            pk=ROW, open_until__isnull=True,
            failures__gte=settings.CORE_BREAKER_THRESHOLD).update(
            reason=R.FAILING, opened_at=now, open_until=_cooldown_end(), probe_until=None,
            updated_at=now):
        logger.warning("core breaker: open after %d timeouts or 5xx in a row (last: %s); no "
                       "calls for %gs", settings.CORE_BREAKER_THRESHOLD, message,
                       settings.CORE_BREAKER_COOLDOWN)
    return _view(fresh=True)


def _refused(message: str, gate: Gate) -> BreakerView:
    """The core refused the portal's credentials: open ("credentials") for a cool-down, unless it
    is open for that already and this was not the probe."""
    _ensure_row()
    now = timezone.now()
    mine = Q(probe_until=gate.probe) if gate.probe is not None else Q(pk__in=[])
    if CoreBreaker.objects.filter(pk=ROW).filter(
            Q(open_until__isnull=True) | ~Q(reason=R.CREDENTIALS) | mine).update(
            reason=R.CREDENTIALS, opened_at=Coalesce(F("opened_at"),
                                                     Value(now, output_field=DateTimeField())),
            open_until=_cooldown_end(), probe_until=None, last_error=message, updated_at=now):
        logger.error("core breaker: %s; no calls for %gs", message, settings.CORE_BREAKER_COOLDOWN)
    return _view(fresh=True)


def _close() -> None:
    if CoreBreaker.objects.filter(pk=ROW).filter(
            Q(failures__gt=0) | Q(open_until__isnull=False) | Q(probe_until__isnull=False)).update(
            failures=0, reason=R.NONE, opened_at=None, open_until=None, probe_until=None,
            last_error="", updated_at=timezone.now()):
        logger.info("core breaker: closed; the core answers")
    _remember(CLOSED)


# --- for the admin's banner (and any process that must agree) ---------------------------------

def core_breaker_state() -> BreakerView | None:
    """The breaker as the database has it now (never a process's copy), or None while closed."""
    view = _read()
    return view if view.is_open else None
