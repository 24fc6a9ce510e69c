"""Pipeline fixtures: the fake CAIO core (a real HTTP server), a shared real worker, helpers.

The shared worker (`pipeline_worker`, -c 2) lives for one test module; tests that kill or
restart things start their own workers in another module.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest
from django.utils import timezone

from integrations.models import Submission
from integrations.pipeline.submissions import submission_approve, submission_create
from tests.factories import make_revision
from tests.support.core_server import CoreServer
from tests.support.processes import Beat, RedisServer, Worker, wait_until
from tests.support.services import need, need_broker, redis_url

# What the workers and this process use for the pipeline: short backoffs and leases so faults
# resolve in seconds (the settings' validation keeps the lease at least 3 heartbeats long).
PIPELINE_SETTINGS = {
    "CAIO_CORE_TIMEOUT": 2.0,
    "CELERY_TASK_SOFT_TIME_LIMIT": 4,
    "CELERY_TASK_TIME_LIMIT": 5,
    "PIPELINE_LEASE_SECONDS": 6.0,
    "PIPELINE_HEARTBEAT_SECONDS": 1.0,
    "PIPELINE_MAX_ATTEMPTS": 3,
    "PIPELINE_BACKOFF_BASE": 0.05,
    "PIPELINE_BACKOFF_MAX": 0.2,
    "SWEEPER_GRACE_SECONDS": 0.0,
}


def worker_env(core_url: str, **extra: str) -> dict[str, str]:
    env = {name: str(value) for name, value in PIPELINE_SETTINGS.items()}
    env["CAIO_CORE_URL"] = core_url
    env["CAIO_CORE_AUTH"] = "none"  # the fake core runs without a token unless a test gives one
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The people fixtures hash a password each; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def core_server():
    server = CoreServer(latency_ms=0).start()
    yield server
    server.stop()


@pytest.fixture
def core(core_server, settings):
    """The fake core, reset, and this process's settings pointed at it."""
    core_server.reset()
    core_server.set_latency(0)
    core_server.set_token(None)
    settings.CAIO_CORE_URL = core_server.url
    settings.CAIO_CORE_TOKEN = ""
    settings.CAIO_CORE_AUTH = "none"
    for name, value in PIPELINE_SETTINGS.items():
        setattr(settings, name, value)
    yield core_server
    core_server.release()


@pytest.fixture(scope="module")
def pipeline_worker(django_db_setup, core_server, tmp_path_factory):
    """One real worker (prefork, -c 2) for a whole module, pointed at the fake core."""
    need_broker()
    log = tmp_path_factory.mktemp("pipeline-worker") / "worker.log"
    worker = Worker(log, concurrency=2, extra_env=worker_env(core_server.url))
    try:
        worker.wait_ready()
    except Exception:
        worker.stop()
        raise
    yield worker
    worker.stop()


def approve(owner, reviewer, **kwargs) -> Submission:
    """A new valid revision of `owner`'s, submitted and approved by `reviewer` (sent on commit)."""
    revision = make_revision(owner, **kwargs)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    return submission_approve(submission=submission, reviewer=reviewer)


@pytest.fixture
def start_beat(transactional_db, broker_available, tmp_path):
    """Start real `celery beat` subprocesses: start_beat(extra_env={...}). All are stopped
    afterwards."""
    beats: list[Beat] = []

    def start(**kwargs) -> Beat:
        beat = Beat(tmp_path / f"beat-{len(beats)}.log", **kwargs)
        beats.append(beat)
        return beat

    yield start
    for beat in beats:
        beat.stop()


@pytest.fixture
def throwaway_redis(tmp_path):
    """A redis-server of our own on a free port, without persistence; restart() keeps the port
    and comes back empty."""
    need(redis_url() is not None, "the Redis restart tests need REDIS_URL (Redis is the broker)")
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not installed")
    server = RedisServer(tmp_path, binary=binary).start()
    yield server
    server.stop()


@pytest.fixture
def broker_at(settings):
    """Point this process's Celery app (and CELERY_BROKER_URL) at another broker for one test,
    then back."""
    from portal.celery import app

    original = app.conf.broker_url

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    def switch(url: str):
        app.conf.broker_url = url
        settings.CELERY_BROKER_URL = url
        reset_pools()

    yield switch
    app.conf.broker_url = original
    reset_pools()


def wait_status(submission_or_id, *statuses: str, timeout: float = 30.0) -> Submission:
    pk = getattr(submission_or_id, "pk", submission_or_id)

    def done():
        row = Submission.objects.filter(pk=pk).first()
        return row if row is not None and row.status in statuses else None

    return wait_until(done, timeout=timeout, message=f"submission {pk} to be {'/'.join(statuses)}")


def wait_task_done(worker: Worker, task_id: str, timeout: float = 30.0) -> None:
    """Until the worker's log says the task finished (succeeded or raised)."""
    pattern = re.compile(rf"\[{re.escape(task_id)}\] (succeeded|raised)")
    wait_until(lambda: pattern.search(worker.log_path.read_bytes().decode(errors="replace")),
               timeout=timeout, message=f"task {task_id} to finish")


def kinds(submission) -> list[str]:
    return list(submission.events.order_by("at", "id").values_list("kind", flat=True))


def overdue(seconds: float = 5.0):
    return timezone.now() - timezone.timedelta(seconds=seconds)


def settle(seconds: float = 0.3) -> None:
    """A short pause where a test checks that nothing more happens (not a timing assertion)."""
    time.sleep(seconds)
