"""The circuit breaker on the CAIO core, and a core that refuses the portal's credentials, in this
process against the real fake-core HTTP server (the worker processes' side is in
test_worker_breaker.py). Tasks are captured here, never sent."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import CoreBreaker, ServiceOperation, Submission
from integrations.pipeline import breaker as breaker_module
from integrations.pipeline.breaker import breaker_admit, breaker_forget
from integrations.pipeline.operations import operation_request, operation_run
from integrations.pipeline.submissions import (
    SUBMISSIONS,
    submission_approve,
    submission_claim,
    submission_create,
    submission_register,
)
from tests.factories import make_revision
from tests.pipeline.conftest import kinds

pytestmark = pytest.mark.django_db


def queued(owner, reviewer) -> Submission:
    revision = make_revision(owner)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    submission_approve(submission=submission, reviewer=reviewer)
    Submission.objects.filter(pk=submission.pk, status="approved").update(status="queued")
    return Submission.objects.get(pk=submission.pk)


def breaker() -> CoreBreaker | None:
    return CoreBreaker.objects.filter(pk=1).first()


def open_breaker(*, reason="failing", until=None, last_error="The CAIO core answered 503"):
    """The row as the workers leave it when the breaker opened (`until` in the past: the
    cool-down is over)."""
    now = timezone.now()
    CoreBreaker.objects.update_or_create(pk=1, defaults=dict(
        reason=reason, failures=5, opened_at=now - timedelta(minutes=1),
        open_until=until or now - timedelta(seconds=1), probe_until=None,
        last_error=last_error))
    breaker_forget()


def due_now(*submissions) -> None:
    """Let held rows come due (what their countdown does when the cool-down ends)."""
    Submission.objects.filter(pk__in=[s.pk for s in submissions]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1))


def row(submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


@pytest.fixture
def threshold(settings):
    settings.CORE_BREAKER_THRESHOLD = 2
    settings.CORE_BREAKER_COOLDOWN = 30
    return 2


# --- opening ---------------------------------------------------------------------------------

def test_failures_in_a_row_open_the_breaker_and_later_rows_wait_unclaimed(owner, reviewer, core,
                                                                          threshold):
    core.down("register", {"status": 503, "message": "core unavailable"})
    first, second, third = (queued(owner, reviewer) for _ in range(3))
    submission_register(submission_id=first.pk)
    assert (row(first).status, row(first).attempts) == ("queued", 1)  # spent: a normal retry
    assert breaker().failures == 1 and breaker().open_until is None

    submission_register(submission_id=second.pk)  # the second in a row opens it
    state = breaker()
    assert (state.reason, state.failures) == ("failing", 2)
    assert state.open_until > timezone.now()
    second = row(second)
    assert (second.status, second.attempts) == ("queued", 0)  # its attempt was given back
    assert second.next_attempt_at == state.open_until
    assert "Attempt 1 was not spent" in second.events.get(kind="held").message

    submission_register(submission_id=third.pk)
    third = row(third)
    assert (third.status, third.attempts) == ("queued", 0)  # never claimed
    assert third.next_attempt_at == state.open_until
    assert "the workers hold their calls" in third.last_error
    assert kinds(third)[-1] == "held" and "claimed" not in kinds(third)
    assert len(core.requests("register")) == 2  # the third never reached the core
    submission_register(submission_id=third.pk)  # its message again, before the cool-down ends
    assert kinds(row(third)).count("held") == 1 and len(core.requests()) == 2


def test_an_answer_between_failures_resets_the_count(owner, reviewer, core, threshold):
    core.script("register", {"status": 503})
    for _ in range(2):
        submission_register(submission_id=queued(owner, reviewer).pk)
    assert breaker().failures == 0 and breaker().open_until is None
    core.script("register", {"status": 500})
    submission_register(submission_id=queued(owner, reviewer).pk)
    assert breaker().failures == 1 and breaker().open_until is None


def test_a_429_or_a_422_is_an_answer_not_an_outage(owner, reviewer, core, threshold):
    core.script("register", {"status": 429}, {"status": 422}, {"status": 429})
    for _ in range(3):
        submission_register(submission_id=queued(owner, reviewer).pk)
    assert breaker() is None or (breaker().failures, breaker().open_until) == (0, None)


# --- the probe --------------------------------------------------------------------------------

def test_after_the_cool_down_one_job_takes_the_probe_and_the_others_wait_for_it(owner, reviewer,
                                                                               core):
    first, second = queued(owner, reviewer), queued(owner, reviewer)
    open_breaker()
    claim = submission_claim(submission_id=first.pk)
    assert claim is not None and claim.gate.probe is not None
    assert submission_claim(submission_id=second.pk) is None
    state = breaker()
    assert state.probe_until == claim.gate.probe
    assert (row(second).status, row(second).attempts) == ("queued", 0)
    assert row(second).next_attempt_at == state.probe_until  # back when the probe is over


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_end_of_the_cool_down_take_one_probe_lease(owner, reviewer, core):
    jobs = [queued(owner, reviewer) for _ in range(2)]
    open_breaker()
    barrier = threading.Barrier(2)
    gates: list = [None, None]

    def admit(index):
        try:
            barrier.wait()
            gates[index] = breaker_admit(SUBMISSIONS, jobs[index].pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    probes = [g for g in gates if g is not None and g.probe is not None]
    assert len(probes) == 1 and gates.count(None) == 1
    assert breaker().probe_until == probes[0].probe


def test_a_probe_that_gets_an_answer_closes_the_breaker_and_the_rows_go_on(owner, reviewer, core):
    first, second = queued(owner, reviewer), queued(owner, reviewer)
    open_breaker()
    submission_register(submission_id=first.pk)  # the probe
    submission_register(submission_id=second.pk)  # held until the probe's lease ends
    assert (row(first).status, row(first).attempts) == ("registered", 1)
    state = breaker()
    assert (state.failures, state.reason, state.open_until, state.probe_until) == (0, "", None,
                                                                                   None)
    due_now(second)
    submission_register(submission_id=second.pk)
    assert row(second).status == "registered"
    assert len(core.applied("register")) == 2


def test_a_probe_that_fails_opens_the_breaker_again_and_its_attempt_is_not_spent(owner, reviewer,
                                                                                 core):
    core.script("register", {"status": 503})
    submission = queued(owner, reviewer)
    open_breaker()
    submission_register(submission_id=submission.pk)
    state = breaker()
    assert state.failures == 6 and state.open_until > timezone.now()
    assert state.probe_until is None
    submission = row(submission)
    assert (submission.status, submission.attempts) == ("queued", 0)
    assert submission.next_attempt_at == state.open_until


def test_a_probe_lease_is_given_back_when_the_job_was_not_claimed(owner, reviewer, core):
    submission = queued(owner, reviewer)
    Submission.objects.filter(pk=submission.pk).update(status="cancelled")
    open_breaker()
    assert submission_claim(submission_id=submission.pk) is None
    assert breaker().probe_until is None  # the next job may probe at once


# --- credentials ------------------------------------------------------------------------------

def test_a_401_holds_submissions_instead_of_failing_them_until_the_core_accepts_the_portal(
        owner, reviewer, core, settings):
    core.set_token("the-right-token")
    settings.CAIO_CORE_AUTH, settings.CAIO_CORE_TOKEN = "bearer", "a-wrong-token"
    first, second = queued(owner, reviewer), queued(owner, reviewer)
    submission_register(submission_id=first.pk)
    submission_register(submission_id=second.pk)
    for submission in (first, second):
        submission = row(submission)
        assert (submission.status, submission.attempts) == ("queued", 0)
        assert "refuses the portal's credentials" in submission.last_error
        assert not submission.key_refused
    assert "(401)" in row(first).last_error
    assert "claimed" not in kinds(row(second))
    assert len(core.requests("register")) == 1
    state = breaker()
    assert state.reason == "credentials" and "wrong bearer token" in state.last_error

    core.set_token("a-wrong-token")  # the configuration is fixed (here: on the core's side)
    open_breaker(reason="credentials")  # ... and the cool-down is over
    due_now(first, second)
    submission_register(submission_id=first.pk)  # the probe
    submission_register(submission_id=second.pk)
    assert {row(s).status for s in (first, second)} == {"registered"}
    assert breaker().open_until is None
    assert len(core.applied("register")) == 2


def test_a_403_on_a_withdraw_gives_its_attempt_back(owner, core):
    core.script("deregister", {"status": 403, "message": "token lacks the integration scope"})
    revision = make_revision(owner)
    service, _ = catalogue_publish_revision(contract=revision.contract, revision=revision)
    operation = operation_request(service=service, kind="withdraw", user=owner)
    operation_run(operation_id=operation.pk)
    operation.refresh_from_db()
    assert (operation.status, operation.attempts) == ("queued", 0)
    assert "token lacks the integration scope" in operation.last_error
    assert breaker().reason == "credentials"


def test_a_withdraw_waits_while_the_breaker_is_open_and_a_deprecate_does_not(owner, core):
    services = []
    for _ in range(2):
        revision = make_revision(owner)
        services.append(catalogue_publish_revision(contract=revision.contract,
                                                   revision=revision)[0])
    open_breaker(until=timezone.now() + timedelta(minutes=1))
    withdraw = operation_request(service=services[0], kind="withdraw", user=owner)
    deprecate = operation_request(service=services[1], kind="deprecate", user=owner)
    operation_run(operation_id=withdraw.pk)
    operation_run(operation_id=deprecate.pk)
    withdraw, deprecate = (ServiceOperation.objects.get(pk=o.pk) for o in (withdraw, deprecate))
    assert (withdraw.status, withdraw.attempts) == ("queued", 0)
    assert withdraw.next_attempt_at == breaker().open_until
    assert withdraw.events.filter(kind="held").count() == 1
    assert deprecate.status == "done"
    assert core.requests() == []


# --- what people see --------------------------------------------------------------------------

def test_the_admin_shows_a_banner_while_the_breaker_is_open(reviewer_client):
    assert 'id="core-banner"' not in reviewer_client.get("/admin/").content.decode()
    open_breaker(last_error="The CAIO core did not answer in time")
    page = reviewer_client.get("/admin/").content.decode()
    assert "The CAIO core is failing" in page and "did not answer in time" in page
    open_breaker(reason="credentials", last_error="The CAIO core refuses the portal's "
                 "credentials (401): missing or wrong bearer token")
    page = reviewer_client.get(reverse("admin:integrations_submission_changelist")).content
    assert b"refuses the portal&#x27;s credentials" in page and b"CAIO_CORE_TOKEN" in page


def test_the_banner_is_for_staff_only(client):
    open_breaker()
    assert b"core-banner" not in client.get("/admin/login/").content


def test_the_developer_panel_says_why_a_queued_submission_waits(owner, reviewer, owner_client):
    submission = queued(owner, reviewer)
    open_breaker(reason="credentials")
    url = reverse("integrations:panel", kwargs={"service_id": submission.contract.service_id})
    page = owner_client.get(url).content.decode()
    assert "configuration error, not the contract" in page


def test_readyz_stays_about_the_database_and_the_broker_while_the_breaker_is_open(
        reviewer_client):
    open_breaker(until=timezone.now() + timedelta(minutes=5))
    response = reviewer_client.get("/readyz")
    assert response.status_code == 200 and set(response.json()["checks"]) == {"database",
                                                                              "broker"}


# --- the hot path -----------------------------------------------------------------------------

def test_a_closed_breaker_adds_no_query_to_a_registration(owner, reviewer, core, monkeypatch):
    monkeypatch.setattr(breaker_module, "REFRESH_SECONDS", 3600)  # a slow host: no refresh here
    submission_register(submission_id=queued(owner, reviewer).pk)  # reads the row once
    submission = queued(owner, reviewer)
    with CaptureQueriesContext(connection) as queries:
        submission_register(submission_id=submission.pk)
    assert row(submission).status == "registered"
    assert not [q["sql"] for q in queries if "corebreaker" in q["sql"].lower()]
