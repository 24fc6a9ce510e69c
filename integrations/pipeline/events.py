"""The timeline: one `Event` per step of a contract's life (who, when, what, why)."""

from __future__ import annotations

from integrations.models import Event
from integrations.pipeline.notifications import notify_on_commit

ACTORS = ("user", "worker", "sweeper", "system")


def event_record(*, contract, kind: str, message: str = "", actor: str = "user",
                 actor_user=None, submission=None, operation=None,
                 submission_committed: bool = False) -> Event:
    """Write one timeline line. `actor` is "user" (with actor_user), "worker", "sweeper" or "system".

    `submission_committed=True` says the `submission` object holds what this step commits (its
    status set in memory), so its email is sent from it without reading the row again.
    """
    if actor not in ACTORS:
        raise ValueError(f"unknown actor {actor!r}")
    event = Event.objects.create(
        contract=contract, kind=kind, message=message, actor=actor, actor_user=actor_user,
        submission=submission, operation=operation,
    )
    # The email goes after the step commits, so nothing is sent for a step that rolled back.
    notify_on_commit(event, committed=submission if submission_committed else None)
    return event
