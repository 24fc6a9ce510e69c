"""Issue 15, pipeline cases 1, 2 and 5 with real processes: worker processes of their own (prefork,
-c 2), the real broker, the fake core over HTTP. States and counts, never timings.

1. A retry after an ambiguous failure (the core applied it, the answer came too late) reuses the
   idempotency key: any number of staff retries leaves one registration at the core.
2. A core that refuses the portal's credentials holds the submissions (queued, no attempt spent)
   and the admin says so; they go on by themselves once the core accepts the portal.
5. A core that hangs opens the circuit breaker: the rows wait without spending attempts, one probe
   call at a time decides, and they all register once the core answers.
"""

from __future__ import annotations

import pytest
from django.db.models import Max, Q, Sum

from integrations.models import CoreBreaker, Event, RegisteredService, Submission
from integrations.pipeline.submissions import submission_retry
from tests.pipeline.conftest import approve, kinds, wait_status, worker_env
from tests.support.core_server import duplicates
from tests.support.processes import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def breaker() -> CoreBreaker | None:
    return CoreBreaker.objects.filter(pk=1).first()


def banner(client) -> str:
    page = client.get("/admin/").content.decode()
    return page if 'id="core-banner"' in page else ""


def spent_attempts() -> int:
    return Submission.objects.aggregate(total=Sum("attempts"))["total"] or 0


def test_case1_any_number_of_retries_after_a_timeout_the_core_applied_registers_once(
        start_worker, core, owner, reviewer):
    core.down("register", {"hang": 30})  # applies every request; the answer comes too late
    start_worker(concurrency=2, extra_env=worker_env(
        core.url, PIPELINE_MAX_ATTEMPTS="1", CORE_BREAKER_THRESHOLD="100"))
    submission = wait_status(approve(owner, reviewer), "failed")
    assert not submission.key_refused and "did not answer in time" in submission.last_error
    key = str(submission.idempotency_key)
    assert len(core.applied("register")) == 1  # the core has it; the portal cannot know

    for retry in range(1, 4):  # staff retry while the core still answers too late
        submission_retry(submission=submission, user=reviewer)
        wait_until(lambda n=retry: kinds(submission).count("failed") == n + 1, timeout=60,
                   message=f"retry {retry} to fail again")
    core.down("register", None)
    submission = submission_retry(submission=submission, user=reviewer)
    submission = wait_status(submission, "registered", "failed", timeout=60)

    assert submission.status == "registered"
    assert [r["key"] for r in core.requests("register")] == [key] * 5
    assert len(core.applied("register")) == 1  # one registration at the core, after 4 retries
    assert RegisteredService.objects.filter(contract=submission.contract).count() == 1
    assert (kinds(submission).count("retried"), kinds(submission).count("registered")) == (4, 1)


def test_case2_a_core_that_refuses_the_portals_token_holds_submissions_until_it_accepts_it(
        start_worker, core, owner, reviewer, reviewer_client):
    core.set_token("the-cores-token")
    start_worker(concurrency=2, extra_env=worker_env(
        core.url, CAIO_CORE_AUTH="bearer", CAIO_CORE_TOKEN="the-portals-token",
        CORE_BREAKER_COOLDOWN="3"))
    submissions = [approve(owner, reviewer) for _ in range(4)]

    def all_held():
        rows = list(Submission.objects.filter(pk__in=[s.pk for s in submissions]))
        return all(r.status == "queued" and r.events.filter(kind="held").exists() for r in rows)

    wait_until(all_held, timeout=60, message="every submission to wait for the core")
    for submission in Submission.objects.all():
        assert (submission.status, submission.attempts) == ("queued", 0)
        assert "refuses the portal's credentials" in submission.last_error
        assert "failed" not in kinds(submission)
    assert breaker().reason == "credentials"
    assert "The CAIO core refuses the portal" in banner(reviewer_client)
    assert core.applied() == []
    assert {r["auth"] for r in core.requests("register")} == {"Bearer the-portals-token"}

    core.set_token("the-portals-token")  # the configuration is fixed; nobody touches the rows
    for submission in submissions:
        assert wait_status(submission, "registered", "failed", timeout=60).status == "registered"
    assert len(core.applied("register")) == 4 and duplicates(core.applied()) == []
    assert spent_attempts() == 4  # one each: the one that registered it
    assert breaker().open_until is None and banner(reviewer_client) == ""


def test_case5_a_hanging_core_opens_the_breaker_and_one_probe_at_a_time_decides(
        start_worker, core, owner, reviewer, reviewer_client, anonymous):
    threshold = 3
    core.down("register", {"stall": 60})  # holds every request without applying it
    start_worker(concurrency=2, extra_env=worker_env(
        core.url, CORE_BREAKER_THRESHOLD=str(threshold), CORE_BREAKER_COOLDOWN="3"))
    submissions = [approve(owner, reviewer) for _ in range(6)]
    registering = Submission.objects.filter(status="registering")

    def quiet_and_open(failures=0):
        """(the breaker, the last event before now) once it is open with at least `failures`
        counted and no call is in flight (nothing registering)."""
        last_event = Event.objects.aggregate(last=Max("pk"))["last"]
        state = breaker()
        return ((state, last_event) if state is not None and state.open_until is not None
                and state.failures >= failures and not registering.exists() else None)

    # The breaker opened, and every call that was in flight then has been recorded.
    opened, last_event = wait_until(quiet_and_open, timeout=60, message="the breaker to open")
    assert opened.reason == "failing" and "did not answer in time" in opened.last_error
    assert len(core.requests("register")) == opened.failures  # each call was counted
    assert Submission.objects.filter(status="failed").count() == 0
    # Only failures while it was still closed spent an attempt; the rest were given back.
    assert spent_attempts() <= threshold - 1
    assert "The CAIO core is failing" in banner(reviewer_client)
    assert anonymous.get("/readyz").status_code == 200  # a core outage is not the web's

    # Two cool-downs end while the core still hangs. Six rows come due each time across two
    # processes, but only the worker holding the probe lease calls: the calls never overlap.
    wait_until(lambda: quiet_and_open(opened.failures + 2), timeout=60,
               message="two probes to fail")
    calls = Event.objects.filter(pk__gt=last_event).filter(
        Q(kind="claimed") | Q(kind="held", message__startswith="Attempt")).order_by("pk")
    starts_and_ends = "".join("C" if e.kind == "claimed" else "R" for e in calls)
    assert starts_and_ends.startswith("CRCR") and "CC" not in starts_and_ends, starts_and_ends
    assert Submission.objects.filter(status="failed").count() == 0
    assert spent_attempts() <= threshold - 1

    core.down("register", None)  # the core answers again; the next probe closes the breaker
    for submission in submissions:
        assert wait_status(submission, "registered", "failed", timeout=90).status == "registered"
    assert len(core.applied("register")) == 6 and duplicates(core.applied()) == []
    assert spent_attempts() <= 6 + threshold - 1
    assert breaker().open_until is None and banner(reviewer_client) == ""
