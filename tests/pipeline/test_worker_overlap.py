"""The worker process's pipeline (integrations/pipeline/worker.py): the core call of one registration
overlaps the record of the one before, one core call at a time per process, and nothing handed
over is lost on a warm shutdown."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.core import mail
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from integrations.models import RegisteredService, Submission
from integrations.pipeline.dbconn import close_stale_connections, retry_if_disconnected
from integrations.pipeline.leases import lease_keeper
from integrations.pipeline.submissions import (
    submission_approve,
    submission_claim,
    submission_create,
)
from integrations.pipeline.worker import RegistrationPipeline, register_in_turn
from tests.factories import make_revision
from tests.pipeline.conftest import kinds, wait_status, worker_env
from tests.support.processes import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def admin_url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"


def queued(owner, count: int) -> list[Submission]:
    """Submissions as the enqueue step leaves them (queued and due), with no message sent."""
    now = timezone.now()
    return [Submission.objects.create(contract=r.contract, revision=r, submitter=owner,
                                      status="queued", next_attempt_at=now, decided_at=now)
            for r in (make_revision(owner) for _ in range(count))]


@pytest.fixture
def pipeline():
    started = RegistrationPipeline()
    yield started
    started.drain(timeout=30)


def test_the_pipeline_records_every_claim_it_was_given_before_drain_returns(core, owner,
                                                                           pipeline):
    submissions = queued(owner, 5)
    for submission in submissions:
        pipeline.submit(submission_claim(submission_id=submission.pk))

    assert pipeline.drain(timeout=30)

    rows = Submission.objects.filter(pk__in=[s.pk for s in submissions])
    assert {s.status for s in rows} == {"registered"}
    assert lease_keeper().held() == []  # every claim's lease renewal ended with its record
    assert RegisteredService.objects.count() == 5
    assert len(core.applied("register")) == 5
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"[CAIO] {s.contract.service_id} 1.0.0 is registered" for s in submissions)


def test_a_process_pipeline_makes_one_core_call_at_a_time(core, owner, pipeline):
    core.set_latency(30)
    for submission in queued(owner, 6):
        pipeline.submit(submission_claim(submission_id=submission.pk))
    assert pipeline.drain(timeout=30)

    assert len(core.applied("register")) == 6
    assert core.peak_in_flight == 1


def test_the_next_core_call_does_not_wait_for_the_record_before_it(core, owner, pipeline):
    if connection.vendor != "postgresql":
        pytest.skip("holds a row lock, which SQLite does not have")
    first, *rest = queued(owner, 3)
    claims = [submission_claim(submission_id=s.pk) for s in (first, *rest)]
    with transaction.atomic():
        Submission.objects.select_for_update().get(pk=first.pk)  # the first record must wait
        for claim in claims:
            pipeline.submit(claim)
        wait_until(lambda: len(core.applied("register")) == 3,
                   message="the core calls after the blocked record")
        assert Submission.objects.get(pk=first.pk).status == "registering"
    assert pipeline.drain(timeout=30)
    assert set(Submission.objects.values_list("status", flat=True)) == {"registered"}


def test_a_late_record_of_a_claim_taken_back_changes_nothing(core, owner, pipeline):
    (submission,) = queued(owner, 1)
    stale = submission_claim(submission_id=submission.pk)
    # The lease passed and the sweeper queued it again; a new attempt claims it.
    Submission.objects.filter(pk=submission.pk).update(status="queued")
    current = submission_claim(submission_id=submission.pk)
    assert (stale.attempt, current.attempt) == (1, 2)

    pipeline.submit(stale)
    assert pipeline.drain(timeout=30)

    submission.refresh_from_db()
    assert (submission.status, submission.attempts) == ("registering", 2)
    assert "registered" not in kinds(submission)


def test_a_warm_shutdown_records_the_registration_whose_call_is_in_flight(start_worker, core,
                                                                          owner, reviewer):
    core.script("register", {"delay": 1.5})
    worker = start_worker(concurrency=1, extra_env=worker_env(core.url, PIPELINE_OVERLAP="1"))
    revision = make_revision(owner)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    submission_approve(submission=submission, reviewer=reviewer)
    wait_until(lambda: core.requests("register"), message="the worker's call to reach the core")

    worker.stop(timeout=30)  # SIGTERM: a warm shutdown

    assert worker.proc.returncode == 0
    submission.refresh_from_db()
    assert submission.status == "registered"
    assert kinds(submission).count("registered") == 1


def test_a_worker_without_overlap_runs_the_steps_in_turn(start_worker, core, owner, reviewer):
    start_worker(concurrency=1, extra_env=worker_env(core.url, PIPELINE_OVERLAP="0"))
    revision = make_revision(owner)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    submission_approve(submission=submission, reviewer=reviewer)

    submission = wait_status(submission, "registered", "failed")

    assert submission.status == "registered"
    assert len(core.applied("register")) == 1


def test_without_the_overlap_a_task_holds_its_claim_until_the_outcome_is_recorded(core, owner):
    (submission,) = queued(owner, 1)

    register_in_turn(submission_id=submission.pk)

    assert Submission.objects.get(pk=submission.pk).status == "registered"
    assert lease_keeper().held() == []


def test_a_step_whose_connection_was_dropped_runs_once_more_on_a_new_one(core, owner):
    if connection.vendor != "postgresql":
        pytest.skip("drops a PostgreSQL backend")
    (submission,) = queued(owner, 1)
    with connection.cursor() as cursor:  # as after a database restart
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with psycopg.connect(admin_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    claim = retry_if_disconnected(submission_claim, submission_id=submission.pk)

    assert claim.attempt == 1
    assert Submission.objects.get(pk=submission.pk).status == "registering"


def test_a_step_that_fails_twice_raises_the_second_error():
    calls = []

    def step():
        calls.append(1)
        raise OperationalError(f"failure {len(calls)}")

    with pytest.raises(OperationalError, match="failure 2"):
        retry_if_disconnected(step)
    assert len(calls) == 2


def test_a_connection_past_its_max_age_is_closed_after_a_task():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are closed after each task (CONN_MAX_AGE is 0 there)")
    Submission.objects.exists()
    assert connection.connection is not None
    connection.close_at = time.monotonic() - 1
    close_stale_connections()
    assert connection.connection is None


def test_a_healthy_connection_is_kept_after_a_task():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are closed after each task (CONN_MAX_AGE is 0 there)")
    Submission.objects.exists()
    kept = connection.connection
    close_stale_connections()
    assert connection.connection is kept
