"""Gauges read from the database (and the broker) when /metrics is scraped.

They need nothing from the Celery workers: the rows are the truth, whichever worker wrote them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from integrations.models import OperationStatus, ServiceOperation, Submission, SubmissionStatus
from integrations.pipeline.breaker import core_breaker_state
from portal.observability.probes import probe_all, redis_client

logger = logging.getLogger(__name__)

WAITING_SUBMISSIONS = (SubmissionStatus.APPROVED, SubmissionStatus.QUEUED)


def _by_state(model, choices) -> dict[str, int]:
    counts = dict.fromkeys(choices.values, 0)
    for row in model.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def oldest_queued_submission_seconds() -> float:
    """Seconds since the longest-waiting submission became due for a worker (0 when none):
    approved or queued, due at `next_attempt_at` (or its last change when it has none)."""
    now = timezone.now()
    oldest = (Submission.objects.filter(status__in=WAITING_SUBMISSIONS)
              .aggregate(due=Min(Coalesce("next_attempt_at", "updated_at")))["due"])
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def broker_queue_length() -> int:
    """Messages waiting in the Celery queue: the Redis list, or the filesystem broker's files."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    if not settings.REDIS_URL:
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return sum(1 for _ in folder.glob(f"*.{queue}.msg"))
    client = redis_client()
    try:
        return int(client.llen(queue))
    finally:
        client.close()


class DatabaseCollector(Collector):
    def collect(self):
        probes = probe_all()
        up = GaugeMetricFamily("portal_dependency_up", "1 when the dependency answers.",
                               labels=["dependency"])
        latency = GaugeMetricFamily("portal_dependency_check_seconds",
                                    "Time the readiness check of the dependency took.",
                                    labels=["dependency"])
        for probe in probes:
            up.add_metric([probe.name], 1.0 if probe.ok else 0.0)
            latency.add_metric([probe.name], probe.seconds)
        yield up
        yield latency
        if not probes[0].ok:
            return  # no database: the gauges below cannot be read
        submissions = GaugeMetricFamily("portal_submissions", "Submissions by state.",
                                        labels=["state"])
        for state, n in _by_state(Submission, SubmissionStatus).items():
            submissions.add_metric([state], n)
        yield submissions
        operations = GaugeMetricFamily("portal_service_operations",
                                       "Deprecate and withdraw operations by state.",
                                       labels=["state"])
        for state, n in _by_state(ServiceOperation, OperationStatus).items():
            operations.add_metric([state], n)
        yield operations
        yield GaugeMetricFamily(
            "portal_oldest_queued_submission_seconds",
            "Seconds since the longest-waiting approved or queued submission became due.",
            value=oldest_queued_submission_seconds())
        yield GaugeMetricFamily("portal_core_breaker_open",
                                "1 while the core's circuit breaker is open.",
                                value=0.0 if core_breaker_state() is None else 1.0)
        if probes[1].ok:
            try:
                length = broker_queue_length()
            except Exception:  # noqa: BLE001 - a broker gone since the probe: no gauge this time
                logger.warning("could not read the broker's queue length", exc_info=True)
                length = None
            if length is not None:
                yield GaugeMetricFamily("portal_queue_depth",
                                        "Messages waiting in the Celery queue.", value=length)
