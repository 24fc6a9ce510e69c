"""A real Celery worker process runs a task, through the configured broker, into the database."""

import uuid

import pytest
from django.db import transaction

from portal.models import WorkerHeartbeat
from portal.tasks import ping
from tests.support.processes import wait_until

pytestmark = [pytest.mark.services, pytest.mark.smoke]


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_and_writes_to_the_database(celery_worker):
    marker = uuid.uuid4().hex
    transaction.on_commit(lambda: ping.delay(marker))  # no-op wrapper outside atomic: runs now
    wait_until(lambda: WorkerHeartbeat.objects.filter(marker=marker).exists(),
               timeout=30, message=f"the worker to run ping({marker})")
    assert WorkerHeartbeat.objects.filter(marker=marker).count() == 1


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_in_a_rolled_back_transaction_is_never_sent(celery_worker):
    lost, kept = uuid.uuid4().hex, uuid.uuid4().hex
    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(lambda: ping.delay(lost))
        raise RuntimeError("roll back")
    with transaction.atomic():
        transaction.on_commit(lambda: ping.delay(kept))
    wait_until(lambda: WorkerHeartbeat.objects.filter(marker=kept).exists(), timeout=30,
               message="the committed task")
    assert not WorkerHeartbeat.objects.filter(marker=lost).exists()


def test_worker_settings_are_safe_for_at_least_once_delivery(settings):
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    if settings.REDIS_URL:
        visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        assert settings.CELERY_TASK_TIME_LIMIT < visibility
