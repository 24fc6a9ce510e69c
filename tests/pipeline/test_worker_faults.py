"""Faults that need a worker or a broker of their own: a worker child killed with SIGKILL mid-call,
and a Redis restarted without persistence. Processes are killed by their own pid only."""

from __future__ import annotations

import os
import signal

import pytest
from django.utils import timezone

from integrations.models import Submission
from integrations.pipeline.submissions import (
    submission_approve,
    submission_create,
    submissions_sweep,
)
from tests.factories import make_revision
from tests.pipeline.conftest import kinds, wait_status, worker_env
from tests.support.core_server import duplicates
from tests.support.processes import children_of, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def approve(owner, reviewer) -> Submission:
    revision = make_revision(owner)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    return submission_approve(submission=submission, reviewer=reviewer)


def test_a_worker_child_killed_mid_call_is_taken_up_again_and_registered_once(
        start_worker, core, owner, reviewer):
    core.script("register", {"hang": 30})  # the core applies it, then the answer never comes
    worker = start_worker(concurrency=1, extra_env=worker_env(core.url))
    submission = approve(owner, reviewer)
    wait_until(lambda: core.requests("register"), message="the worker's call to reach the core")
    children = children_of(worker.proc.pid)
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)
    core.release()
    assert Submission.objects.get(pk=submission.pk).status == "registering"
    # The redelivered message finds the row leased and does nothing; after the lease the sweeper
    # queues it again and a fresh child registers it, with the same key.
    wait_until(lambda: submissions_sweep()["requeued"], timeout=30, interval=0.5,
               message="the sweeper to take back the expired lease")
    submission = wait_status(submission, "registered", "failed")
    assert (submission.status, submission.attempts) == ("registered", 2)
    assert [r["key"] for r in core.requests("register")] == [str(submission.idempotency_key)] * 2
    assert len(core.applied("register")) == 1
    assert kinds(submission).count("registered") == 1
    assert "lease_expired" in kinds(submission)
    assert worker.proc.poll() is None  # the parent lived on and replaced its child


def test_a_redis_restart_loses_the_queued_messages_and_the_sweeper_completes_every_one(
        throwaway_redis, broker_at, start_worker, core, owner, reviewer, settings):
    import redis

    broker_at(throwaway_redis.url)
    submissions = [approve(owner, reviewer) for _ in range(5)]
    client = redis.Redis.from_url(throwaway_redis.url)
    assert client.llen(settings.CELERY_TASK_DEFAULT_QUEUE) == 5
    throwaway_redis.restart()  # no persistence: the five messages are gone
    broker_at(throwaway_redis.url)
    assert redis.Redis.from_url(throwaway_redis.url).llen(settings.CELERY_TASK_DEFAULT_QUEUE) == 0
    assert {s.status for s in Submission.objects.all()} == {"queued"}
    start_worker(concurrency=2, extra_env=worker_env(core.url, REDIS_URL=throwaway_redis.url))
    swept = submissions_sweep()
    assert sorted(swept["enqueued"]) == sorted(s.pk for s in submissions)
    for submission in submissions:
        assert wait_status(submission, "registered", "failed").status == "registered"
    assert len(core.applied("register")) == 5 and duplicates(core.applied()) == []


# --- issue 15, case 3: a killed worker's claims come back after one short lease ----------------

def kill_whole_worker(worker) -> None:
    """SIGKILL the pool's children, then the worker's parent, each by its own pid."""
    for pid in children_of(worker.proc.pid):
        os.kill(pid, signal.SIGKILL)
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait(10)


def test_a_killed_workers_claims_are_taken_back_after_one_short_lease_and_registered_once(
        start_worker, core, owner, reviewer, settings):
    # The core applies the first registration and holds its answer; calls may take 30 s.
    core.script("register", {"hang": 60})
    lease = dict(PIPELINE_LEASE_SECONDS="4", PIPELINE_HEARTBEAT_SECONDS="0.5",
                 CAIO_CORE_TIMEOUT="30", CELERY_TASK_SOFT_TIME_LIMIT="50",
                 CELERY_TASK_TIME_LIMIT="60")
    worker = start_worker(concurrency=1, extra_env=worker_env(core.url, **lease))
    submissions = [approve(owner, reviewer) for _ in range(2)]
    wait_until(lambda: core.applied("register"), message="the first call to be applied")
    # One row is in the call; with the overlap the next one is claimed too, waiting for it.
    registering = Submission.objects.filter(status="registering")
    wait_until(lambda: registering.count() == (2 if settings.PIPELINE_OVERLAP else 1),
               message="the worker's claims")
    claimed = {s.pk: s.lease_until for s in registering}

    # While the worker lives, its heartbeat renews the leases: the call outlasts the 4 s lease
    # it was claimed with, and the sweeper leaves the rows alone.
    wait_until(lambda: all(s.lease_until > claimed[s.pk] + timezone.timedelta(seconds=1)
                           for s in Submission.objects.filter(pk__in=claimed)),
               message="the heartbeat to renew the leases")
    assert submissions_sweep()["requeued"] == []

    kill_whole_worker(worker)
    core.release()
    assert Submission.objects.filter(pk__in=claimed, status="registering").count() == len(claimed)
    # Nobody renews them now: the first sweep after the lease passed takes them back (and sends
    # the unclaimed row again if the dead worker had taken its message).
    requeued: set[int] = set()
    wait_until(lambda: requeued.update(submissions_sweep()["requeued"]) or requeued == set(claimed),
               timeout=60, interval=0.5, message="the sweeper to take back the leases")

    # A new worker calls again with the same key; the core answers what it stored.
    start_worker(concurrency=1, extra_env=worker_env(core.url))
    called = core.applied("register")[0]["service_id"]
    for submission in submissions:
        submission = wait_status(submission, "registered", "failed", timeout=60)
        assert submission.status == "registered"
        assert kinds(submission).count("registered") == 1
        assert kinds(submission).count("lease_expired") == (submission.pk in claimed)
        keys = [r["key"] for r in core.requests("register")
                if r["service_id"] == submission.contract.service_id]
        if submission.contract.service_id == called:  # killed mid-call, then asked again
            assert keys == [str(submission.idempotency_key)] * 2 and submission.attempts == 2
    assert len(core.applied("register")) == 2 and duplicates(core.applied()) == []


# --- issue 15, case 4: a broker restarted empty is noticed by the next sweep ---------------------

def test_a_broker_restarted_empty_has_its_waiting_rows_sent_again_at_the_next_sweep_not_after_the_grace(
        throwaway_redis, broker_at, start_worker, start_beat, core, owner, reviewer, settings):
    import redis

    from integrations.pipeline.broker import MARKER

    broker_at(throwaway_redis.url)
    client = redis.Redis.from_url(throwaway_redis.url)
    # A grace of an hour: the regular sweep sends nothing again during this test. Backoffs of
    # 10-20 s ride on countdowns that the worker holds; core calls may take 30 s.
    env = worker_env(core.url, REDIS_URL=throwaway_redis.url, SWEEPER_GRACE_SECONDS="3600",
                     SWEEPER_INTERVAL_SECONDS="1", PIPELINE_BACKOFF_BASE="20",
                     PIPELINE_BACKOFF_MAX="20", CAIO_CORE_TIMEOUT="30",
                     CELERY_TASK_SOFT_TIME_LIMIT="50", CELERY_TASK_TIME_LIMIT="60")
    start_worker(concurrency=1, extra_env=env)
    start_beat(extra_env=env)
    wait_until(lambda: client.get(MARKER), message="the first sweep to mark the broker")

    core.script("register", {"status": 503})
    retrying = approve(owner, reviewer)
    wait_until(lambda: "retry_scheduled" in kinds(retrying), message="the first attempt's 503")
    core.down("register", {"delay": 3})  # slow answers: the queue backs up behind one worker
    rows = [retrying, *(approve(owner, reviewer) for _ in range(6))]
    wait_until(lambda: len(core.requests("register")) >= 2, message="the first slow call")

    throwaway_redis.restart()  # no persistence: every message is gone, and so is the marker
    broker_at(throwaway_redis.url)
    lost = set(Submission.objects.filter(status="queued").values_list("pk", flat=True))
    core.down("register", None)
    # The worker's countdown retry and at least three queued rows had no message any more.
    assert retrying.pk in lost and len(lost) >= 4

    for row in rows:
        row = wait_status(row, "registered", "failed", timeout=90)
        assert row.status == "registered"
        resent = [e.message for e in row.events.filter(kind="re_enqueued", actor="sweeper")]
        assert resent == ([
            "The broker lost its messages (restarted empty?); sent to the workers again."]
            if row.pk in lost else [])
    assert Submission.objects.get(pk=retrying.pk).attempts == 2
    assert len(core.applied("register")) == 7 and duplicates(core.applied()) == []
    assert client.get(MARKER) is not None
