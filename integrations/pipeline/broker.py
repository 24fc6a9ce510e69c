"""Notice that the broker lost its messages, and send every waiting job again at once.

Redis restarted without persistence (or flushed, or failed over to an empty replica) holds none
of the messages the portal sent: the queued tasks, the countdown retries a worker had taken and
was holding, the unacknowledged ones. Celery's worker log then says the tasks it could not
acknowledge "are automatically redelivered"; with an empty Redis nothing is. The rows are still
in the database, waiting, and the sweeper would send them again only once they are overdue by
SWEEPER_GRACE_SECONDS; a shorter grace would also re-send rows that only wait in a backlog.

So the sweep task acts on the event itself. The portal keeps one key in the broker's own Redis
database, `MARKER`, holding the server's `run_id` (from INFO; a new one each time redis-server
starts). Each sweep compares it (`broker_lost_messages`):
- the key is there and names the running server: nothing was lost;
- the key is missing (an empty or flushed Redis, or the very first sweep) or names another run
  (a restart, even one with persistence, may have lost what came after the last snapshot): every
  waiting job last touched before this check is sent again (`jobs_resend_waiting`), due ones at
  once and countdown retries with the rest of their delay, and then the key is written.

A job that had a message in the new broker gets a spare one, which its claim ignores. With the
filesystem broker (development) messages are files and survive a restart: nothing to do.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from integrations.pipeline.jobs import jobs_resend_waiting
from integrations.pipeline.operations import OPERATIONS
from integrations.pipeline.submissions import SUBMISSIONS

logger = logging.getLogger(__name__)

MARKER = "caio:pipeline:broker-run-id"


def _redis():
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=5,
                                socket_connect_timeout=5)


def broker_run_id() -> str:
    """The running Redis server's run_id ('' when INFO is not allowed)."""
    try:
        return str(_redis().info("server").get("run_id", ""))
    except Exception:  # noqa: BLE001 - INFO may be disabled on a managed Redis; the key is enough
        logger.debug("INFO server is not available on the broker", exc_info=True)
        return ""


def broker_lost_messages() -> tuple[bool, str]:
    """(whether the broker may have lost the portal's messages since the last check, the run_id
    to remember once they are sent again). Always (False, '') without Redis."""
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
        return False, ""
    run_id = broker_run_id()
    seen = _redis().get(MARKER)
    return seen is None or seen.decode() != run_id, run_id


def broker_remember(run_id: str) -> None:
    """Mark this broker as caught up: its messages are the ones the portal sent since."""
    _redis().set(MARKER, run_id)


def pipeline_resend_if_broker_lost_messages() -> dict[str, list[int]] | None:
    """What the sweep task does first: if the broker lost its messages, send every waiting
    submission and operation again (see the module docstring). Returns the ids sent per kind,
    or None when nothing was lost."""
    import redis

    try:
        lost, run_id = broker_lost_messages()
    except redis.RedisError:  # the regular sweep still runs; the next sweep checks again
        logger.warning("could not check the broker's identity", exc_info=True)
        return None
    if not lost:
        return None
    checked = timezone.now()
    logger.warning("the broker (run_id %s) does not hold the portal's marker: it restarted empty "
                   "or was flushed, so its messages are gone; sending every waiting job again",
                   run_id or "unknown")
    sent = {"submissions": jobs_resend_waiting(SUBMISSIONS, touched_before=checked),
            "operations": jobs_resend_waiting(OPERATIONS, touched_before=checked)}
    broker_remember(run_id)
    return sent
