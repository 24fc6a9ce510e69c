"""Celery signals: a task sent during a request carries its request id, and a task's log lines
name the task, its id and its submission or operation. Connected by portal/celery.py.

The worker keeps the one logging configuration of settings.LOGGING (text or JSON): a receiver
of `setup_logging` tells Celery not to replace the root logger's handlers with its own.
"""

from __future__ import annotations

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from portal.observability.context import request_id_var, task_fields_var

HEADER = "request_id"
# The tasks whose first argument is a job's primary key, and the log field that names it.
JOB_ARGUMENT = {
    "integrations.register_submission": "submission_id",
    "integrations.run_operation": "operation_id",
}
_tokens: dict[str, tuple] = {}


@setup_logging.connect(dispatch_uid="portal.observability.keep_django_logging")
def _keep_django_logging(**_kwargs) -> None:
    """Apply settings.LOGGING (django.setup() in the worker applies it again: harmless)."""
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@before_task_publish.connect(dispatch_uid="portal.observability.send_request_id")
def _send_request_id(headers: dict | None = None, **_kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect(dispatch_uid="portal.observability.task_context")
def _task_context(task_id: str | None = None, task=None, args=None, kwargs=None, **_kw) -> None:
    name = getattr(task, "name", None) or "?"
    fields: dict = {"task": name, "task_id": task_id}
    job_field = JOB_ARGUMENT.get(name)
    if job_field:
        job_id = (args[0] if args else None) or (kwargs or {}).get(job_field)
        if job_id is not None:
            fields[job_field] = job_id
    # The sender's request id (a task run eagerly inside the request keeps the request's).
    request_id = getattr(getattr(task, "request", None), HEADER, None) or request_id_var.get()
    _tokens[task_id or ""] = (task_fields_var.set(fields), request_id_var.set(request_id))


@task_postrun.connect(dispatch_uid="portal.observability.task_context_end")
def _task_context_end(task_id: str | None = None, **_kwargs) -> None:
    tokens = _tokens.pop(task_id or "", None)
    if tokens is not None:
        task_fields, request_id = tokens
        task_fields_var.reset(task_fields)
        request_id_var.reset(request_id)
