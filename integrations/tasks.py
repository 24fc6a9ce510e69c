"""Celery tasks: thin. Each takes an id, calls a service; the service does the claiming.

acks_late + reject_on_worker_lost: a message is acknowledged only after the task ran, and a
worker killed mid-task gives it back. Duplicates are harmless: the claim is a conditional UPDATE.
A row a dead worker had claimed comes back by its lease, which only a live worker renews
(integrations/pipeline/leases.py); with the overlap the message was acknowledged at hand-over.

The services send these tasks by name (integrations/pipeline/jobs.py), so the import runs one
way: tasks -> services, never back.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_postrun
from django.conf import settings

from integrations.pipeline.broker import pipeline_resend_if_broker_lost_messages
from integrations.pipeline.dbconn import close_stale_connections, retry_if_disconnected
from integrations.pipeline.operations import operation_run, operations_sweep
from integrations.pipeline.submissions import submissions_sweep
from integrations.pipeline.worker import register_in_pipeline, register_in_turn


@task_postrun.connect(dispatch_uid="integrations.close_stale_connections")
def _close_stale_connections(task=None, **_kwargs) -> None:
    """After each task, drop a database connection that broke or outlived CONN_MAX_AGE, as
    Django does after each request, but without forcing a health check on the next task (see
    integrations.pipeline.dbconn; the tasks reconnect when the server went away).

    Celery's own fixup would close it after every task (a new PostgreSQL session each time); with
    settings.CELERY_DB_REUSE_MAX it only does so every N tasks, and this keeps reuse safe.
    """
    if task is not None and task.request.is_eager:
        return  # it ran in its caller's process and transaction (tests): not ours to close
    close_stale_connections()


@shared_task(name="integrations.register_submission", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def register_submission(submission_id: int) -> None:
    if settings.PIPELINE_OVERLAP:  # claim here; call and record in this process's pipeline
        register_in_pipeline(submission_id=submission_id)
    else:
        register_in_turn(submission_id=submission_id)


@shared_task(name="integrations.run_operation", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def run_operation(operation_id: int) -> None:
    retry_if_disconnected(operation_run, operation_id=operation_id)


@shared_task(name="integrations.sweep", acks_late=True, ignore_result=True)
def sweep() -> dict:
    """What beat runs every SWEEPER_INTERVAL_SECONDS: first, if the broker lost its messages (it
    restarted empty), send every waiting job again at once; then the regular sweep."""
    resent = pipeline_resend_if_broker_lost_messages() or {}
    submissions = submissions_sweep()
    operations = operations_sweep()
    return {"submissions": {k: len(v) for k, v in submissions.items()},
            "operations": {k: len(v) for k, v in operations.items()},
            "broker_lost_messages": {k: len(v) for k, v in resent.items()}}
