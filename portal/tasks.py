"""Portal-wide tasks. `ping` proves that a worker is alive and reaches the database; `beat_tick`,
sent by beat on the sweeper's schedule, records when beat last sent something
(`manage.py portal_doctor` reads both)."""

import smtplib

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


@shared_task(name="portal.account_email", acks_late=True, ignore_result=True,
             autoretry_for=(smtplib.SMTPException, OSError), max_retries=6, retry_backoff=10,
             retry_backoff_max=900, retry_jitter=True)
def account_email(kind: str, **data) -> int:
    """An account email a request asked for (portal/accounts/mail.py). A mail server that
    fails or cannot be reached is tried again with backoff: about 10 s, 20 s, ... up to 15 min."""
    from portal.accounts.mail import account_email_deliver

    return account_email_deliver(kind=kind, **data)
