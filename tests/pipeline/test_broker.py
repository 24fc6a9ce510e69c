"""Noticing that the broker lost its messages (integrations/pipeline/broker.py), in this process
against a redis-server of its own. The whole path (a Redis restarted empty under a live worker
and beat) is in test_worker_faults.py."""

from __future__ import annotations

import ast
import json

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import ServiceOperation, Submission
from integrations.pipeline.broker import (
    MARKER,
    broker_lost_messages,
    pipeline_resend_if_broker_lost_messages,
)
from integrations.pipeline.jobs import jobs_resend_waiting
from integrations.pipeline.submissions import SUBMISSIONS
from tests.factories import make_revision

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(throwaway_redis, broker_at, settings):
    broker_at(throwaway_redis.url)
    return redis.Redis.from_url(throwaway_redis.url)


def waiting(owner, status: str = "queued", due_in: float | None = 0.0, **fields) -> Submission:
    revision = make_revision(owner)
    due = None if due_in is None else timezone.now() + timezone.timedelta(seconds=due_in)
    return Submission.objects.create(contract=revision.contract, revision=revision,
                                     submitter=owner, status=status, next_attempt_at=due,
                                     **fields)


def messages(client, queue: str) -> list[dict]:
    """(task args, eta) of each message in the Redis queue."""
    found = []
    for raw in client.lrange(queue, 0, -1):
        headers = json.loads(raw)["headers"]
        found.append({"id": ast.literal_eval(headers["argsrepr"])[0], "eta": headers.get("eta")})
    return found


def test_a_broker_without_the_marker_has_every_waiting_job_sent_again_once(
        broker, owner, settings):
    settings.PIPELINE_COUNTDOWN_MAX = 60
    due, approved, unscheduled = (waiting(owner), waiting(owner, status="approved"),
                                  waiting(owner, due_in=None))
    countdown = waiting(owner, due_in=30)  # a retry the worker held on a countdown
    later = waiting(owner, due_in=7200)  # a long backoff: never had a message; the sweeper's
    running = waiting(owner, status="registering", lease_until=timezone.now())
    with transaction.atomic():
        service, _ = catalogue_publish_revision(contract=running.contract,
                                                revision=running.revision)
    operation = ServiceOperation.objects.create(service=service, kind="deprecate",
                                                requested_by=owner, status="queued",
                                                next_attempt_at=timezone.now())

    sent = pipeline_resend_if_broker_lost_messages()

    assert sorted(sent["submissions"]) == sorted(
        s.pk for s in (due, approved, unscheduled, countdown))
    assert sent["operations"] == [operation.pk]
    assert {s.status for s in Submission.objects.filter(pk__in=sent["submissions"])} == {"queued"}
    assert Submission.objects.get(pk=later.pk).events.count() == 0
    queued = messages(broker, settings.CELERY_TASK_DEFAULT_QUEUE)
    assert sorted(m["id"] for m in queued) == sorted([*sent["submissions"], operation.pk])
    assert [m["id"] for m in queued if m["eta"]] == [countdown.pk]
    # The broker is marked: the next sweep finds nothing lost.
    assert broker.get(MARKER) is not None
    assert pipeline_resend_if_broker_lost_messages() is None


def test_a_marker_of_another_run_counts_as_lost_messages(broker, owner):
    assert pipeline_resend_if_broker_lost_messages() == {"submissions": [], "operations": []}
    assert broker_lost_messages()[0] is False
    # A restart with persistence brings the marker back, but the run_id is new.
    broker.set(MARKER, "the-run-before-the-restart")

    lost, run_id = broker_lost_messages()

    assert lost is True and run_id and run_id != "the-run-before-the-restart"


def test_two_sweepers_that_notice_the_same_loss_send_each_job_once(broker, owner):
    rows = [waiting(owner) for _ in range(3)]
    checked = timezone.now()

    first = jobs_resend_waiting(SUBMISSIONS, touched_before=checked)
    second = jobs_resend_waiting(SUBMISSIONS, touched_before=checked)

    assert sorted(first) == sorted(r.pk for r in rows) and second == []
    for row in rows:
        assert row.events.filter(kind="re_enqueued").count() == 1


def test_the_filesystem_broker_keeps_its_messages_across_a_restart(settings):
    settings.CELERY_BROKER_URL = "filesystem://"

    assert broker_lost_messages() == (False, "")
    assert pipeline_resend_if_broker_lost_messages() is None
