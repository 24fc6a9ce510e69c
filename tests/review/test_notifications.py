"""Emails, read from the outbox: to reviewers when a submission waits, to the developer when it is
registered, failed or rejected. They are sent after the step commits, never for a rollback."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from integrations.models import Submission, SubmissionStatus
from integrations.pipeline.submissions import (
    submission_approve,
    submission_create,
    submission_register,
    submission_reject,
)
from tests.factories import StaffFactory
from tests.support.core_server import CoreServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portal.example.org"


def submit(contract):
    return submission_create(contract=contract, revision=contract.latest_revision,
                             user=contract.owner)


def to_worker(submission, reviewer):
    """Approve, then stand where the worker starts: queued (the broker is not part of this test)."""
    submission_approve(submission=submission, reviewer=reviewer)
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.QUEUED)


def html_of(message) -> str:
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.smoke
def test_reviewers_are_told_when_a_submission_waits_for_review(
        make_contract, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    second = StaffFactory(email="second@example.com")
    StaffFactory(email="gone@example.com", is_active=False)
    contract = make_contract()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(contract)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([reviewer.email, second.email])
    message = mailoutbox[0]
    assert len(message.to) == 1  # one message each: no reviewer sees the others' addresses
    assert message.subject == "[CAIO] review-demo 1.0.0 waits for review"
    link = "https://portal.example.org" + reverse("admin:integrations_submission_change",
                                                  args=[submission.pk])
    assert link in message.body and f'href="{link}"' in html_of(message)
    assert "Olivia Owner submitted review-demo 1.0.0" in message.body


def test_a_reviewer_who_submits_is_not_asked_to_review_their_own_work(
        make_contract, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    other = StaffFactory(email="colleague@example.com")
    contract = make_contract(user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        submit(contract)
    assert [m.to for m in mailoutbox] == [[other.email]]


def test_the_developer_gets_the_reason_when_rejected(make_contract, owner, reviewer, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    submission = submit(make_contract())
    with django_capture_on_commit_callbacks(execute=True):
        submission_reject(submission=submission, reviewer=reviewer,
                          reason="Latency <p99> below p95 is not credible.")
    message, = mailoutbox
    assert message.to == [owner.email]
    assert message.subject == "[CAIO] review-demo 1.0.0 was not approved"
    assert "Reason: Latency <p99> below p95 is not credible." in message.body
    assert "https://portal.example.org/contracts/review-demo/" in message.body
    html = html_of(message)
    assert "Latency &lt;p99&gt; below p95 is not credible." in html
    assert 'href="https://portal.example.org/contracts/review-demo/"' in html


def test_the_developer_is_told_when_the_worker_registers_it(
        make_contract, owner, reviewer, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.CAIO_CORE_URL = ""  # the embedded local core, for real
    submission = submit(make_contract())
    to_worker(submission, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        submission_register(submission_id=submission.pk)
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.REGISTERED
    message, = mailoutbox
    assert message.to == [owner.email]
    assert message.subject == "[CAIO] review-demo 1.0.0 is registered"
    assert "https://portal.example.org/services/review-demo/" in message.body


def test_the_developer_gets_the_cores_error_when_registration_fails(
        make_contract, owner, reviewer, mailoutbox, settings, django_capture_on_commit_callbacks):
    core = CoreServer().start()
    try:
        settings.CAIO_CORE_URL = core.url
        core.script("register", {"status": 422, "message": "endpoint is not reachable"})
        submission = submit(make_contract())
        to_worker(submission, reviewer)
        with django_capture_on_commit_callbacks(execute=True):
            submission_register(submission_id=submission.pk)
    finally:
        core.stop()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED
    message, = mailoutbox
    assert message.to == [owner.email]
    assert message.subject == "[CAIO] Registration of review-demo 1.0.0 failed"
    assert "endpoint is not reachable" in message.body
    assert "https://portal.example.org/contracts/review-demo/" in message.body


def test_steps_that_announce_nothing_send_nothing(make_contract, reviewer, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    submission = submit(make_contract())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_approve(submission=submission, reviewer=reviewer)
    # The approval schedules the broker message only; no email for an approval.
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_nothing_is_sent_for_a_step_that_rolled_back(make_contract, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    contract = make_contract()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            submit(contract)
            raise RuntimeError("something later in the same transaction failed")
    assert mailoutbox == []
    assert not Submission.objects.exists()


def test_under_auto_review_nobody_is_asked_to_review(make_contract, reviewer, mailoutbox, settings):
    from integrations.models import Event
    from integrations.pipeline.notifications import notify_event

    settings.PORTAL_REVIEW = "auto"
    submission = submit(make_contract())
    assert submission.status == SubmissionStatus.APPROVED
    submitted = Event.objects.get(submission=submission, kind="submitted")
    assert notify_event(submitted.pk) == 0
    assert mailoutbox == []
