"""The registration pipeline inside each worker process: claim, call, record, in three stages.

A registration is mostly waiting: the CAIO core takes tens of milliseconds to answer, and the
portal's own work around the call (the claim before it; the catalogue, the timeline and the email
after it) is about as long again. Done one after the other, a worker process spends half its time
idle. So each process runs the three steps of `integrations.pipeline.submissions` as a pipeline:

    task (main thread)   submission_claim     -> hands the claim to the caller, returns
    caller thread        submission_call_core -> ONE core call at a time per process
    recorder thread      submission_record    -> the fenced UPDATE, catalogue, event, email

While the core works on registration N, the recorder records N-1 and the main thread claims N+1.
A process still makes at most one core call at a time, so `-c 2` means two calls in flight.

Nothing here changes what is correct, only when it happens:
- The Celery message is acknowledged once the claim is committed and handed over. From the claim
  until the record, the process holds the claim (integrations/pipeline/leases.py) and its
  heartbeat renews the short lease. If the process dies, the renewals stop, the lease passes
  within PIPELINE_LEASE_SECONDS and the sweeper queues the row again; the next attempt calls the
  core with the same idempotency key and the core answers the stored result, so it is registered
  once. (A redelivered message would find the row leased and do nothing, so acks_late does not
  help here.)
- The record is fenced by the claim's attempt number, so a late recorder can never overwrite a
  newer attempt.
- The hand-overs are bounded queues: at most one claim waits for the caller and a few results for
  the recorder, so a slow core slows the claiming down instead of piling up leases.
- A warm shutdown drains both queues before the process exits (`worker_process_shutdown`).

With `PIPELINE_OVERLAP=0` each task runs the three steps itself, one after the other.
"""

from __future__ import annotations

import contextvars
import logging
import os
import queue
import threading

from celery.signals import worker_process_shutdown
from django.db import connections

from integrations.pipeline.dbconn import close_stale_connections, retry_if_disconnected
from integrations.pipeline.leases import Hold, lease_keeper
from integrations.pipeline.submissions import (
    SUBMISSIONS,
    Claim,
    submission_call_core,
    submission_claim,
    submission_record,
)

logger = logging.getLogger(__name__)

_STOP = object()
RECORD_BACKLOG = 4  # results waiting for the recorder before the caller waits too


class RegistrationPipeline:
    """The caller and recorder threads of one worker process (see the module docstring)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.calls: queue.Queue = queue.Queue(maxsize=1)
        self.records: queue.Queue = queue.Queue(maxsize=RECORD_BACKLOG)
        self.caller = threading.Thread(target=self._call_loop, name="pipeline-caller", daemon=True)
        self.recorder = threading.Thread(target=self._record_loop, name="pipeline-recorder",
                                         daemon=True)
        self.caller.start()
        self.recorder.start()

    def submit(self, claim: Claim) -> None:
        """Queue a claimed submission for its core call; waits while another claim is waiting.
        Its lease is renewed from now until its outcome is recorded. The task's context (its log
        fields: task id, submission id, request id) goes with it to both threads."""
        self.calls.put((claim, hold_claim(claim), contextvars.copy_context()))

    def drain(self, timeout: float | None = None) -> bool:
        """Finish everything handed over so far, then stop both threads. True when they stopped."""
        self.calls.put(_STOP, timeout=timeout)
        self.caller.join(timeout)
        self.recorder.join(timeout)
        return not (self.caller.is_alive() or self.recorder.is_alive())

    def _call_loop(self) -> None:
        while True:
            item = self.calls.get()
            if item is _STOP:
                self.records.put(_STOP)
                connections.close_all()  # this thread's connections
                return
            claim, hold, context = item
            try:
                with hold.calling():
                    outcome = context.copy().run(submission_call_core, claim=claim)
            except Exception:  # noqa: BLE001 - a bug must not stop the pipeline; the lease recovers
                logger.exception("submission %s: the core call failed unexpectedly",
                                 claim.submission.pk)
                hold.release()
                continue
            finally:
                close_stale_connections()  # the embedded core uses this thread's connection
            self.records.put((claim, hold, outcome, context))

    def _record_loop(self) -> None:
        while True:
            item = self.records.get()
            if item is _STOP:
                connections.close_all()
                return
            claim, hold, outcome, context = item
            try:
                context.copy().run(retry_if_disconnected, submission_record, claim=claim,
                                   outcome=outcome)
            except Exception:  # noqa: BLE001 - the row stays registering; the sweeper takes it back
                logger.exception("submission %s: recording the core's answer failed; the sweeper "
                                 "will queue it again when its lease passes", claim.submission.pk)
            finally:
                hold.release()
                close_stale_connections()


_pipeline: RegistrationPipeline | None = None
_lock = threading.Lock()


def registration_pipeline() -> RegistrationPipeline:
    """This process's pipeline, started on first use (after the pool forked this process)."""
    global _pipeline
    with _lock:
        if _pipeline is None or _pipeline.pid != os.getpid():
            _pipeline = RegistrationPipeline()
        return _pipeline


def register_in_pipeline(*, submission_id: int) -> None:
    """Claim now; the core call and the record follow in this process's pipeline threads."""
    claim = retry_if_disconnected(submission_claim, submission_id=submission_id)
    if claim is not None:
        registration_pipeline().submit(claim)


def hold_claim(claim: Claim) -> Hold:
    """Renew the claim's lease in this process until the hold is released."""
    return lease_keeper().hold(SUBMISSIONS, claim.submission.pk, claim.attempt)


def register_in_turn(*, submission_id: int) -> None:
    """Without the overlap (PIPELINE_OVERLAP=0): claim, call and record in this thread, the lease
    renewed meanwhile."""
    claim = retry_if_disconnected(submission_claim, submission_id=submission_id)
    if claim is None:
        return
    hold = hold_claim(claim)
    try:
        with hold.calling():
            outcome = submission_call_core(claim=claim)
        retry_if_disconnected(submission_record, claim=claim, outcome=outcome)
    finally:
        hold.release()


@worker_process_shutdown.connect(dispatch_uid="integrations.drain_registration_pipeline")
def drain_registration_pipeline(**_kwargs) -> None:
    """Warm shutdown of a pool process: record what was claimed before the process exits."""
    global _pipeline
    with _lock:
        pipeline, _pipeline = _pipeline, None
    if pipeline is not None and pipeline.pid == os.getpid() and not pipeline.drain(timeout=60):
        logger.warning("the registration pipeline did not drain in 60 s; the sweeper will take "
                       "back what is left when its leases pass")
