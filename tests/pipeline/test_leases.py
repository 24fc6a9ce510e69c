"""Short leases renewed while their worker lives (integrations/pipeline/leases.py), and the sweeper
that takes back a lease nobody renewed. In this process, on the real database; the worker-level
faults (a worker killed mid-call) are in test_worker_faults.py."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import ServiceOperation, Submission
from integrations.pipeline.leases import LeaseKeeper
from integrations.pipeline.operations import OPERATIONS
from integrations.pipeline.submissions import SUBMISSIONS, submission_claim, submissions_sweep
from tests.factories import make_revision
from tests.support.processes import wait_until

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _long_lease(settings):
    settings.PIPELINE_LEASE_SECONDS = 600  # so a renewal shows as a lease that moved forward


def claimed(owner, count: int = 1) -> list[Submission]:
    """Submissions claimed for their first attempt (registering, leased)."""
    now = timezone.now()
    rows = [Submission.objects.create(contract=r.contract, revision=r, submitter=owner,
                                      status="queued", next_attempt_at=now, decided_at=now)
            for r in (make_revision(owner) for _ in range(count))]
    for row in rows:
        assert submission_claim(submission_id=row.pk).attempt == 1
        row.refresh_from_db()
    return rows


def leases(*rows) -> list:
    return [type(row).objects.get(pk=row.pk).lease_until for row in rows]


def test_held_claims_are_renewed_in_one_update_and_a_released_one_is_not(
        owner, django_assert_num_queries):
    a, b, c = claimed(owner, 3)
    before = leases(a, b, c)
    keeper = LeaseKeeper(heartbeat=False)
    keeper.hold(SUBMISSIONS, a.pk, 1)
    keeper.hold(SUBMISSIONS, b.pk, 1)
    keeper.hold(SUBMISSIONS, c.pk, 1).release()

    with django_assert_num_queries(1):
        assert keeper.renew() == 2

    after = leases(a, b, c)
    assert after[0] > before[0] and after[1] > before[1]
    assert after[2] == before[2]


def test_a_renewal_is_fenced_by_the_attempt_that_claimed(owner):
    (row,) = claimed(owner)
    # The lease passed, the sweeper queued it again and another worker claimed attempt 2.
    Submission.objects.filter(pk=row.pk).update(status="queued")
    assert submission_claim(submission_id=row.pk).attempt == 2
    before = leases(row)
    stale = LeaseKeeper(heartbeat=False)
    stale.hold(SUBMISSIONS, row.pk, 1)

    assert stale.renew() == 0
    assert leases(row) == before


def test_a_finished_claim_is_not_renewed(owner):
    (row,) = claimed(owner)
    Submission.objects.filter(pk=row.pk).update(status="registered", lease_until=None)
    keeper = LeaseKeeper(heartbeat=False)
    keeper.hold(SUBMISSIONS, row.pk, 1)

    assert keeper.renew() == 0
    assert leases(row) == [None]


def test_submissions_and_operations_held_together_take_one_update_each(
        owner, django_assert_num_queries):
    (row,) = claimed(owner)
    service, _ = catalogue_publish_revision(contract=row.contract, revision=row.revision)
    operation = ServiceOperation.objects.create(
        service=service, kind="deprecate", requested_by=owner, status="running", attempts=1,
        lease_until=timezone.now())
    keeper = LeaseKeeper(heartbeat=False)
    keeper.hold(SUBMISSIONS, row.pk, 1)
    keeper.hold(OPERATIONS, operation.pk, 1)

    with django_assert_num_queries(2):
        assert keeper.renew() == 2


def test_a_core_call_past_the_core_timeout_is_no_longer_renewed(owner, settings):
    settings.CAIO_CORE_TIMEOUT = 0.05
    (row,) = claimed(owner)
    keeper = LeaseKeeper(heartbeat=False)
    held = keeper.hold(SUBMISSIONS, row.pk, 1)

    with held.calling():
        assert keeper.renew() == 1  # a call within the timeout
        time.sleep(0.1)
        assert keeper.renew() == 0  # stuck past it: the lease runs out, the sweeper takes it
    assert keeper.renew() == 1  # the call ended; the claim waits for its record


def test_a_claim_held_longer_than_a_task_may_run_is_no_longer_renewed(owner, settings):
    settings.CELERY_TASK_TIME_LIMIT = 0
    (row,) = claimed(owner)
    keeper = LeaseKeeper(heartbeat=False)
    keeper.hold(SUBMISSIONS, row.pk, 1)
    time.sleep(0.01)

    assert keeper.renew() == 0


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_renews_the_leases_by_itself(owner, settings):
    settings.PIPELINE_HEARTBEAT_SECONDS = 0.1
    (row,) = claimed(owner)
    (before,) = leases(row)
    held = LeaseKeeper().hold(SUBMISSIONS, row.pk, 1)
    try:
        wait_until(lambda: leases(row)[0] > before, message="the heartbeat to renew the lease")
    finally:
        held.release()


def test_a_lease_that_passed_is_taken_back_without_waiting_the_grace(owner, settings):
    settings.SWEEPER_GRACE_SECONDS = 3600
    passed, renewed = claimed(owner, 2)
    Submission.objects.filter(pk=passed.pk).update(
        lease_until=timezone.now() - timezone.timedelta(seconds=1))
    revision = make_revision(owner)
    late = Submission.objects.create(  # overdue, but within the grace: maybe only in a backlog
        contract=revision.contract, revision=revision, submitter=owner, status="queued",
        next_attempt_at=timezone.now() - timezone.timedelta(seconds=60))

    swept = submissions_sweep()

    assert swept == {"enqueued": [], "requeued": [passed.pk]}
    assert Submission.objects.get(pk=passed.pk).status == "queued"
    assert {Submission.objects.get(pk=pk).status for pk in (renewed.pk, late.pk)} == {
        "registering", "queued"}
