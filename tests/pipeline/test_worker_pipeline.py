"""The pipeline end to end: a real worker process (prefork, -c 2), the real broker, the fake core
over HTTP. Each fault test asserts that nothing is lost and nothing is done twice."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from integrations.models import RegisteredService, ServiceOperation, Submission
from integrations.pipeline.operations import operation_request
from integrations.pipeline.submissions import (
    submission_approve,
    submission_cancel,
    submission_create,
    submission_register,
    submission_retry,
    submissions_sweep,
)
from integrations.tasks import register_submission
from tests.factories import make_revision
from tests.pipeline.conftest import approve, kinds, settle, wait_status, wait_task_done
from tests.support.core_server import duplicates
from tests.support.processes import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(pipeline_worker, core):
    return pipeline_worker


def in_threads(*calls):
    """Run the calls at the same moment, each in its own thread with its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.smoke
def test_the_core_fails_twice_then_succeeds_and_it_is_registered_once(worker, core, owner,
                                                                       reviewer):
    core.script("register", {"status": 500}, {"status": 503})
    submission = wait_status(approve(owner, reviewer), "registered", "failed")
    assert (submission.status, submission.attempts) == ("registered", 3)
    assert [r["key"] for r in core.requests("register")] == [str(submission.idempotency_key)] * 3
    assert len(core.applied("register")) == 1
    assert kinds(submission).count("retry_scheduled") == 2
    assert kinds(submission).count("registered") == 1
    assert RegisteredService.objects.get(contract=submission.contract).current_version.version == (
        "1.0.0")


def test_a_core_down_past_the_budget_fails_then_an_admin_retry_registers_once_with_the_same_key(
        worker, core, owner, reviewer, settings):
    core.down("register", {"status": 503, "message": "core is down for maintenance"})
    submission = wait_status(approve(owner, reviewer), "failed")
    old_key = str(submission.idempotency_key)
    assert f"Gave up after {settings.PIPELINE_MAX_ATTEMPTS} attempts" in submission.last_error
    assert "core is down for maintenance" in submission.last_error
    assert {r["key"] for r in core.requests("register")} == {old_key}
    assert core.applied() == []
    core.down("register", None)
    submission_retry(submission=submission, user=reviewer)
    submission = wait_status(submission, "registered", "failed")
    assert submission.status == "registered"
    # A 503 is ambiguous (the core may have applied it), so the retry sends the same key.
    assert str(submission.idempotency_key) == old_key
    assert [a["key"] for a in core.applied("register")] == [old_key]


def test_a_422_from_the_core_fails_at_once_with_its_message(worker, core, owner, reviewer):
    core.script("register", {"status": 422, "message": "cost.currency XYZ is not supported"})
    submission = wait_status(approve(owner, reviewer), "failed", "registered")
    assert (submission.status, submission.attempts) == ("failed", 1)
    assert "cost.currency XYZ is not supported" in submission.last_error
    assert len(core.requests("register")) == 1
    assert not RegisteredService.objects.exists()


@pytest.mark.smoke
def test_the_same_task_delivered_twice_makes_one_transition(worker, core, owner, reviewer):
    submission = approve(owner, reviewer)
    extra = [str(uuid.uuid4()) for _ in range(2)]
    for task_id in extra:
        # By name, as the services send it: tests run apply_async eagerly (tests/conftest.py).
        register_submission.app.send_task(register_submission.name, (submission.pk,),
                                          task_id=task_id)
    submission = wait_status(submission, "registered", "failed")
    for task_id in extra:
        wait_task_done(worker, task_id)
    assert submission.status == "registered" and submission.attempts == 1
    assert kinds(submission).count("claimed") == 1
    assert len(core.requests("register")) == 1


def test_a_transaction_that_rolls_back_after_enqueueing_sends_nothing(worker, core, owner,
                                                                      reviewer):
    revision = make_revision(owner)
    lost = submission_create(contract=revision.contract, revision=revision, user=owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        submission_approve(submission=lost, reviewer=reviewer)
        raise RuntimeError("roll back")
    kept = wait_status(approve(owner, reviewer), "registered")
    settle()
    assert Submission.objects.get(pk=lost.pk).status == "pending_review"
    assert {r["service_id"] for r in core.requests()} == {kept.contract.service_id}


def test_two_hundred_concurrent_submissions_register_once_each(worker, core, owner, settings):
    settings.PORTAL_REVIEW = "auto"
    revisions = [make_revision(owner) for _ in range(200)]
    chunks = [revisions[i::8] for i in range(8)]

    def submit_all(chunk):
        return [submission_create(contract=r.contract, revision=r, user=owner).pk for r in chunk]

    results = in_threads(*[lambda c=c: submit_all(c) for c in chunks])
    assert all(status == "ok" for status, _ in results), results
    wait_until(lambda: Submission.objects.filter(status="registered").count() == 200,
               timeout=180, interval=0.5, message="200 registrations")
    applied = core.applied("register")
    keys = {str(k) for k in Submission.objects.values_list("idempotency_key", flat=True)}
    assert len(applied) == 200 and {a["key"] for a in applied} == keys
    assert duplicates(applied) == []
    assert len(core.requests("register")) == 200
    assert RegisteredService.objects.count() == 200


def test_a_retried_v1_after_v2_registered_is_refused_and_v2_stays_current(worker, core, owner,
                                                                         reviewer):
    core.script("register", {"status": 422, "message": "try again later, maybe"})
    v1 = wait_status(approve(owner, reviewer, version="1.0.0"), "failed")
    newer = make_revision(owner, contract=v1.contract, version="2.0.0")
    v2 = submission_approve(
        submission=submission_create(contract=v1.contract, revision=newer, user=owner),
        reviewer=reviewer)
    wait_status(v2, "registered")
    submission_retry(submission=v1, user=reviewer)
    v1 = wait_status(v1, "failed")
    assert "not higher than the current version 2.0.0" in v1.last_error
    service = RegisteredService.objects.get(contract=v1.contract)
    assert service.current_version.version == "2.0.0"
    assert [a["version"] for a in core.applied("register")] == ["2.0.0"]


def test_a_withdraw_survives_a_core_outage_and_completes_once(worker, core, owner, reviewer):
    registered = wait_status(approve(owner, reviewer), "registered")
    service = RegisteredService.objects.get(contract=registered.contract)
    core.script("deregister", {"status": 503}, {"hang": 10})  # an outage, then a lost answer
    operation = operation_request(service=service, kind="withdraw", user=owner)
    wait_until(lambda: ServiceOperation.objects.get(pk=operation.pk).status in ("done", "failed"),
               timeout=60, message="the withdraw to finish")
    operation.refresh_from_db()
    service.refresh_from_db()
    assert (operation.status, service.status) == ("done", "withdrawn")
    assert len(core.applied("deregister")) == 1
    assert {r["key"] for r in core.requests("deregister")} == {str(operation.idempotency_key)}
    assert list(operation.events.values_list("kind", flat=True)).count("withdrawn") == 1


def test_two_sweepers_at_once_never_enqueue_a_row_twice(worker, core, owner, reviewer):
    past = timezone.now() - timezone.timedelta(minutes=5)
    lost = []
    for _ in range(20):  # approved or queued, but their messages were lost
        revision = make_revision(owner)
        lost.append(Submission.objects.create(
            contract=revision.contract, revision=revision, submitter=owner, status="queued",
            next_attempt_at=past, reviewed_by=reviewer))
    now = timezone.now()  # one moment for both, as two sweeps started together see it
    results = in_threads(lambda: submissions_sweep(now=now), lambda: submissions_sweep(now=now))
    assert [status for status, _ in results] == ["ok", "ok"], results
    first, second = (set(value["enqueued"]) for _, value in results)
    assert not first & second
    assert first | second == {s.pk for s in lost}
    for submission in lost:
        assert kinds(submission).count("re_enqueued") == 1
    wait_until(lambda: Submission.objects.filter(status="registered").count() == 20, timeout=60,
               message="every swept submission to register")
    assert len(core.applied("register")) == 20 and duplicates(core.applied()) == []


def test_a_cancel_racing_the_claim_has_exactly_one_winner_and_the_timeline_says_which(
        core, owner, reviewer, settings):
    outcomes = set()
    for _ in range(12):
        revision = make_revision(owner)
        submission = Submission.objects.create(  # queued, as if the message were on its way
            contract=revision.contract, revision=revision, submitter=owner, status="queued",
            next_attempt_at=timezone.now(), reviewed_by=reviewer)
        results = in_threads(lambda s=submission: submission_cancel(submission=s, user=owner),
                             lambda s=submission: submission_register(submission_id=s.pk))
        submission.refresh_from_db()
        events = kinds(submission)
        if submission.status == "cancelled":
            outcomes.add("cancel")
            assert results[0][0] == "ok" and "claimed" not in events
            assert str(submission.idempotency_key) not in {r["key"] for r in core.requests()}
        else:
            outcomes.add("claim")
            assert submission.status == "registered"
            assert results[0][0] == "error" and "Too late to cancel" in results[0][1].message
            assert events.count("claimed") == 1 and "cancel_refused" in events
            assert "cancelled" not in events
    assert duplicates(core.applied()) == []
    assert outcomes  # which side wins varies; each round has exactly one winner
