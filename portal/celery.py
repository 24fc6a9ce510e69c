"""The Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):  # pragma: no cover - trivial
    from django.conf import settings

    if not settings.REDIS_URL:
        for key in settings.FILESYSTEM_BROKER_FOLDERS:
            os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)


# The request id into the tasks a request sends, the task's ids into its log lines, and one
# logging configuration (settings.LOGGING) in the worker and beat.
import portal.observability.tasks_context  # noqa: E402,F401
