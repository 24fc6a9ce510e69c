"""Faults that need a worker or a broker of their own: a worker child killed with SIGKILL mid-call,
and a Redis restarted without persistence. Processes are killed by their own pid only."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from integrations.models import Submission
from integrations.pipeline.submissions import (
    submission_approve,
    submission_create,
    submissions_sweep,
)
from tests.factories import make_revision
from tests.pipeline.conftest import kinds, wait_status, worker_env
from tests.support.core_server import duplicates
from tests.support.processes import wait_until
from tests.support.services import free_port, need, port_open, redis_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def approve(owner, reviewer) -> Submission:
    revision = make_revision(owner)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    return submission_approve(submission=submission, reviewer=reviewer)


def children_of(pid: int) -> list[int]:
    """The pids whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


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


@pytest.fixture
def throwaway_redis(tmp_path):
    """A redis-server of our own on a free port, without persistence; restart() keeps the port."""
    need(redis_url() is not None, "the Redis restart test needs REDIS_URL (Redis is the broker)")
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed")
    port = free_port()

    class Redis:
        url = f"redis://127.0.0.1:{port}/0"
        proc: subprocess.Popen

        def start(self):
            self.proc = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(tmp_path)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_until(lambda: port_open("127.0.0.1", port), timeout=10, message="redis-server")

        def stop(self):
            if self.proc.poll() is None:
                self.proc.kill()  # by its own pid
                self.proc.wait(10)

        def restart(self):
            self.stop()
            self.start()

    server = Redis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_at(settings):
    """Point this process's Celery app at another broker for one test, then back."""
    from portal.celery import app

    original = app.conf.broker_url

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    def switch(url: str):
        app.conf.broker_url = url
        reset_pools()

    yield switch
    app.conf.broker_url = original
    reset_pools()


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
