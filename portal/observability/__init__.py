"""Logs, metrics and checks an operator can use (docs/operations.md, "Metrics and logs").

- `context`: the request id and the running task's ids, carried in context variables.
- `logs`: the one logging configuration (text or JSON), used by Django, Celery and gunicorn.
- `middleware`: the request id and the client's address behind trusted proxies.
- `metrics` and `collector`: Prometheus counters in-process, gauges read from the database.
- `probes`: the database and broker checks shared by /readyz, /metrics and `portal_doctor`.
- `celery`: Celery signals that carry the request id into tasks and keep one log format.
- `gunicorn`: gunicorn's `logconfig_dict` and `child_exit` hook.
"""
