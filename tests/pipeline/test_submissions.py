"""Submission services in this process (no worker): refusals, transitions, events, the worker's
steps against the real fake-core HTTP server. Tasks are only captured here, never sent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import RegisteredService, Submission
from integrations.pipeline.errors import PipelineError, SubmissionError
from integrations.pipeline.jobs import backoff_delay
from integrations.pipeline.submissions import (
    submission_approve,
    submission_cancel,
    submission_create,
    submission_register,
    submission_reject,
    submission_retry,
    submissions_sweep,
)
from tests.factories import ContractFactory, StaffFactory, UserFactory, make_revision
from tests.pipeline.conftest import kinds

pytestmark = pytest.mark.django_db


def submit(owner, **kwargs) -> Submission:
    revision = make_revision(owner, **kwargs)
    return submission_create(contract=revision.contract, revision=revision, user=owner)


def approved(owner, reviewer, **kwargs) -> Submission:
    return submission_approve(submission=submit(owner, **kwargs), reviewer=reviewer)


def sends(callbacks) -> int:
    """How many of the captured on-commit callbacks send a pipeline task."""
    return sum("_enqueue" in c.__qualname__ for c in callbacks)


def queued(submission: Submission) -> Submission:
    """What the on-commit enqueue does first (the message itself is not sent in these tests)."""
    Submission.objects.filter(pk=submission.pk, status="approved").update(status="queued")
    submission.refresh_from_db()
    return submission


@pytest.mark.smoke
def test_a_valid_revision_is_submitted_for_review_with_an_event(owner, settings):
    settings.PORTAL_REVIEW = "manual"
    submission = submit(owner)
    assert submission.status == "pending_review"
    event = submission.events.get()
    assert (event.kind, event.actor, event.actor_user) == ("submitted", "user", owner)


def test_an_unverified_email_cannot_submit():
    user = UserFactory(email_verified=False)
    with pytest.raises(SubmissionError, match="Verify your email"):
        submit(user)


def test_an_invalid_revision_cannot_be_submitted(owner):
    revision = make_revision(owner)
    revision.is_valid = False
    revision.save()
    with pytest.raises(SubmissionError, match="has errors"):
        submission_create(contract=revision.contract, revision=revision, user=owner)


def test_a_revision_of_another_contract_is_refused(owner):
    revision = make_revision(owner)
    other = ContractFactory(owner=owner)
    with pytest.raises(SubmissionError, match="is not a revision of"):
        submission_create(contract=other, revision=revision, user=owner)


def test_someone_elses_contract_cannot_be_submitted(owner, other_developer):
    revision = make_revision(owner)
    with pytest.raises(SubmissionError, match="Only the contract's owner"):
        submission_create(contract=revision.contract, revision=revision, user=other_developer)


def test_a_second_open_submission_is_refused(owner):
    first = submit(owner)
    revision = make_revision(owner, contract=first.contract, version="1.1.0")
    with pytest.raises(SubmissionError, match="already has an open submission"):
        submission_create(contract=first.contract, revision=revision, user=owner)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_contract_leave_exactly_one_open(owner, settings):
    import threading

    from django.db import connection

    settings.PORTAL_REVIEW = "manual"
    first = make_revision(owner)
    revisions = [first] + [make_revision(owner, contract=first.contract, version=f"1.{i}.0")
                           for i in range(1, 6)]
    barrier = threading.Barrier(len(revisions))
    outcomes: list[str] = []

    def submit_one(revision):
        try:
            barrier.wait()
            submission_create(contract=revision.contract, revision=revision, user=owner)
            outcomes.append("ok")
        except SubmissionError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_one, args=(r,)) for r in revisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("ok") == 1, outcomes
    assert all("already has an open submission" in o for o in outcomes if o != "ok")
    assert Submission.objects.filter(contract=first.contract).count() == 1


@pytest.mark.parametrize("version", ["1.0.0", "0.9.9", "1.0.0+build.7", "1.0.0-rc.1", "one"])
def test_the_version_must_be_strictly_higher_semver(owner, version):
    revision = make_revision(owner)
    catalogue_publish_revision(contract=revision.contract, revision=revision)
    newer = make_revision(owner, contract=revision.contract, version=version)
    with pytest.raises(SubmissionError, match="not higher|not a SemVer"):
        submission_create(contract=revision.contract, revision=newer, user=owner)


@pytest.mark.smoke
def test_auto_review_approves_at_once_and_enqueues_on_commit(owner, settings,
                                                             django_capture_on_commit_callbacks):
    settings.PORTAL_REVIEW = "auto"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submit(owner)
    assert submission.status == "approved" and submission.next_attempt_at is not None
    assert sends(callbacks) == 1
    assert kinds(submission) == ["submitted", "approved"]
    assert submission.events.get(kind="approved").actor == "system"


def test_a_reviewer_approves_and_the_task_waits_for_the_commit(
        owner, reviewer, django_capture_on_commit_callbacks):
    submission = submit(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submission_approve(submission=submission, reviewer=reviewer)
    assert (submission.status, submission.reviewed_by) == ("approved", reviewer)
    assert submission.next_attempt_at is not None and sends(callbacks) == 1
    assert submission.events.get(kind="approved").actor_user == reviewer


def test_self_approval_and_non_staff_approval_are_refused(owner, other_developer):
    staff_owner = StaffFactory()
    revision = make_revision(staff_owner)
    mine = submission_create(contract=revision.contract, revision=revision, user=staff_owner)
    with pytest.raises(SubmissionError, match="your own submission"):
        submission_approve(submission=mine, reviewer=staff_owner)
    with pytest.raises(SubmissionError, match="Only staff"):
        submission_approve(submission=submit(owner), reviewer=other_developer)


def test_reject_needs_a_reason_and_records_it(owner, reviewer):
    submission = submit(owner)
    with pytest.raises(SubmissionError, match="Give a reason"):
        submission_reject(submission=submission, reviewer=reviewer, reason="   ")
    submission = submission_reject(submission=submission, reviewer=reviewer, reason="No docs URL")
    assert (submission.status, submission.reason) == ("rejected", "No docs URL")
    assert submission.events.get(kind="rejected").message == "No docs URL"
    with pytest.raises(SubmissionError, match="pending review"):
        submission_approve(submission=submission, reviewer=reviewer)


def test_the_owner_cancels_before_a_worker_claims_it(owner, other_developer):
    submission = submit(owner)
    with pytest.raises(SubmissionError, match="Only the contract's owner"):
        submission_cancel(submission=submission, user=other_developer)
    submission = submission_cancel(submission=submission, user=owner)
    assert submission.status == "cancelled"
    assert kinds(submission)[-1] == "cancelled"


def test_cancel_is_refused_once_a_worker_registers_it_and_the_timeline_says_so(owner, core,
                                                                               reviewer):
    submission = queued(approved(owner, reviewer))
    Submission.objects.filter(pk=submission.pk).update(status="registering")
    with pytest.raises(SubmissionError, match="Too late to cancel"):
        submission_cancel(submission=submission, user=owner)
    assert Submission.objects.get(pk=submission.pk).status == "registering"
    assert kinds(submission)[-1] == "cancel_refused"


@pytest.mark.smoke
def test_the_worker_step_registers_publishes_and_a_second_delivery_does_nothing(owner, reviewer,
                                                                                core):
    submission = queued(approved(owner, reviewer, version="1.2.0"))
    submission_register(submission_id=submission.pk)
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.attempts) == ("registered", 1)
    service = RegisteredService.objects.get(contract=submission.contract)
    assert service.current_version.version == "1.2.0"
    assert [r["key"] for r in core.requests("register")] == [str(submission.idempotency_key)]
    assert kinds(submission)[-2:] == ["claimed", "registered"]
    assert {e.actor for e in submission.events.filter(kind__in=["claimed", "registered"])} == {
        "worker"}


def test_a_transient_failure_keeps_the_key_and_backs_off(owner, reviewer, core,
                                                         django_capture_on_commit_callbacks):
    core.script("register", {"status": 503, "message": "core warming up"})
    submission = queued(approved(owner, reviewer))
    key = submission.idempotency_key
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == "queued" and submission.idempotency_key == key
    assert "core warming up" in submission.last_error
    assert submission.next_attempt_at > timezone.now() - timezone.timedelta(seconds=1)
    assert sends(callbacks) == 1  # a short backoff rides on a countdown
    assert submission.events.get(kind="retry_scheduled").actor == "worker"
    # A message that arrives before the backoff ends claims nothing.
    Submission.objects.filter(pk=submission.pk).update(
        next_attempt_at=timezone.now() + timezone.timedelta(minutes=5))
    submission_register(submission_id=submission.pk)
    assert Submission.objects.get(pk=submission.pk).attempts == 1


def test_a_422_fails_at_once_with_the_cores_message(owner, reviewer, core):
    core.script("register", {"status": 422, "message": "endpoint is not reachable from the core"})
    submission = queued(approved(owner, reviewer))
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.attempts) == ("failed", 1)
    assert "endpoint is not reachable from the core" in submission.last_error
    assert kinds(submission)[-1] == "failed"


def test_the_worker_refuses_a_service_id_of_another_owners_service(owner, other_developer,
                                                                   reviewer, core):
    theirs = make_revision(other_developer)
    catalogue_publish_revision(contract=theirs.contract, revision=theirs)
    submission = queued(approved(owner, reviewer))
    RegisteredService.objects.filter(contract=theirs.contract).update(
        service_id=submission.contract.service_id)
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == "failed"
    assert "belongs to another owner's registered service" in submission.last_error
    assert core.requests() == []


def test_an_attempt_counter_ends_a_task_that_keeps_killing_its_worker(owner, reviewer, core,
                                                                      settings):
    submission = queued(approved(owner, reviewer))
    past = timezone.now() - timezone.timedelta(minutes=5)
    Submission.objects.filter(pk=submission.pk).update(
        status="registering", attempts=settings.PIPELINE_MAX_ATTEMPTS, lease_until=past)
    result = submissions_sweep()
    assert result["requeued"] == [submission.pk]
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == "failed"
    assert f"Gave up after {settings.PIPELINE_MAX_ATTEMPTS} attempts" in submission.last_error
    assert core.requests() == []
    assert kinds(submission)[-2:] == ["lease_expired", "failed"]
    assert submission.events.get(kind="lease_expired").actor == "sweeper"


def test_retry_is_staff_only_gets_a_new_key_and_resets_the_attempts(owner, reviewer, core):
    core.script("register", {"status": 422, "message": "nope"})
    submission = queued(approved(owner, reviewer))
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    old_key = submission.idempotency_key
    with pytest.raises(SubmissionError, match="Only staff"):
        submission_retry(submission=submission, user=owner)
    submission = submission_retry(submission=submission, user=reviewer)
    assert (submission.status, submission.attempts, submission.last_error) == ("approved", 0, "")
    assert submission.idempotency_key != old_key
    assert kinds(submission)[-1] == "retried"


def test_a_retry_after_a_timeout_sends_the_same_key_and_the_core_registers_it_once(
        owner, reviewer, core, settings):
    settings.PIPELINE_MAX_ATTEMPTS = 1
    core.script("register", {"hang": 30})  # the core applies it, the answer comes too late
    submission = queued(approved(owner, reviewer))
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.key_refused) == ("failed", False)
    key = submission.idempotency_key
    submission = submission_retry(submission=submission, user=reviewer)
    assert submission.idempotency_key == key
    assert "the same idempotency key" in submission.events.filter(kind="retried").get().message
    submission_register(submission_id=queued(submission).pk)
    assert Submission.objects.get(pk=submission.pk).status == "registered"
    assert [r["key"] for r in core.requests("register")] == [str(key)] * 2
    assert len(core.applied("register")) == 1


def test_a_refusal_marks_the_key_refused_so_a_retry_takes_a_new_one(owner, reviewer, core):
    core.script("register", {"status": 422, "message": "nope"})
    submission = queued(approved(owner, reviewer))
    submission_register(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.key_refused) == ("failed", True)
    refused_key = submission.idempotency_key
    retried = submission_retry(submission=submission, user=reviewer)
    assert retried.idempotency_key != refused_key and not retried.key_refused
    assert "a new idempotency key" in retried.events.filter(kind="retried").get().message


def test_retry_is_refused_while_another_submission_of_the_contract_is_open(owner, reviewer, core):
    core.script("register", {"status": 422, "message": "nope"})
    failed = queued(approved(owner, reviewer))
    submission_register(submission_id=failed.pk)
    newer = make_revision(owner, contract=failed.contract, version="2.0.0")
    submission_create(contract=failed.contract, revision=newer, user=owner)
    with pytest.raises(SubmissionError, match="already has an open submission"):
        submission_retry(submission=Submission.objects.get(pk=failed.pk), user=reviewer)


def test_the_sweeper_leaves_rows_inside_the_grace_period_alone(owner, reviewer, settings):
    settings.SWEEPER_GRACE_SECONDS = 60
    submission = queued(approved(owner, reviewer))
    assert submissions_sweep() == {"enqueued": [], "requeued": []}
    later = timezone.now() + timezone.timedelta(seconds=61)
    assert submissions_sweep(now=later)["enqueued"] == [submission.pk]
    assert submissions_sweep(now=later)["enqueued"] == []  # claimed: not sent twice


def test_backoff_grows_with_jitter_and_never_exceeds_its_cap(settings):
    settings.PIPELINE_BACKOFF_BASE, settings.PIPELINE_BACKOFF_MAX = 5.0, 60.0
    for attempt in range(1, 40):
        delay = backoff_delay(attempt)
        ceiling = min(60.0, 5.0 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling <= settings.PIPELINE_BACKOFF_MAX


def test_refusals_carry_a_user_facing_message():
    assert issubclass(SubmissionError, PipelineError)
    assert SubmissionError("Explain it").message == "Explain it"
