"""Portal-wide tasks. `ping` proves that a worker is alive and reaches the database."""

from celery import shared_task


@shared_task(name="portal.ping")
def ping(marker: str) -> str:
    from portal.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(marker=marker)
    return marker
