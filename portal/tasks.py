"""Portal-wide tasks. `ping` proves that a worker is alive and reaches the database; `beat_tick`,
sent by beat on the sweeper's schedule, records when beat last sent something
(`manage.py portal_doctor` reads both)."""

from celery import shared_task


@shared_task(name="portal.ping")
def ping(marker: str) -> str:
    from portal.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(marker=marker)
    return marker


@shared_task(name="portal.beat_tick", ignore_result=True)
def beat_tick() -> None:
    from portal.observability.doctor import beat_tick_record

    beat_tick_record()
