"""What a log line says about where it comes from: the request id, or the task and its job.

Context variables, so each request (thread) and each task sees its own values.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is short and plain; anything else is replaced by a new one.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_fields_var: ContextVar[dict | None] = ContextVar("task_fields", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(value: str | None) -> str:
    """The caller's id when it is 1-64 letters, digits or `._:-`; else a new one."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str | None:
    return request_id_var.get()
