"""A status in words and as a badge: the one map the submission panel, the dashboard's summary,
the review admin and the templates (`submission_badge` / `service_badge` filters in
integrations/templatetags/review_tags.py) read.

A badge is one of the classes in static/css/badges.css: `badge badge-<ok|warn|error|info|muted>`.
"""

from __future__ import annotations

from typing import NamedTuple

from integrations.models import ServiceStatus, SubmissionStatus


class State(NamedTuple):
    badge: str
    headline: str
    explanation: str  # what happens next, for the developer


SUBMISSION_STATES: dict[str, State] = {
    SubmissionStatus.PENDING_REVIEW: State(
        "warn", "Waiting for review",
        "A reviewer will read your contract and compare it with the registered version. You "
        "will get an email when they decide. You can cancel until a worker starts registering."),
    SubmissionStatus.APPROVED: State(
        "info", "Approved",
        "A reviewer approved it. A worker will send it to the CAIO core in a moment."),
    SubmissionStatus.QUEUED: State(
        "info", "Queued for registration",
        "It is in line for a worker, which will send it to the CAIO core."),
    SubmissionStatus.REGISTERING: State(
        "info", "Registering",
        "A worker is registering it with the CAIO core now. This usually takes seconds."),
    SubmissionStatus.REGISTERED: State(
        "ok", "Registered",
        "It is live in the public catalogue. To change it, save a new revision with a higher "
        "version and submit it."),
    SubmissionStatus.REJECTED: State(
        "error", "Rejected",
        "A reviewer did not approve it; their reason is below. Edit the contract, save a new "
        "revision and submit it again."),
    SubmissionStatus.CANCELLED: State(
        "muted", "Cancelled",
        "You cancelled this submission. Nothing was registered. You can submit again at any time."),
    SubmissionStatus.FAILED: State(
        "error", "Registration failed",
        "The CAIO core did not register it; the error is below. A reviewer can retry it, or you "
        "can fix the contract and submit a new revision."),
}

NOT_SUBMITTED = State(
    "muted", "Not submitted",
    "This contract has not been submitted for registration yet. When you submit, a reviewer "
    "checks it and a worker registers it with the CAIO core.")

SERVICE_BADGES: dict[str, str] = {
    ServiceStatus.ACTIVE: "ok",
    ServiceStatus.DEPRECATED: "warn",
    ServiceStatus.WITHDRAWN: "muted",
}


def submission_state(status: str | None) -> State:
    """The words and badge of a submission status (NOT_SUBMITTED for none or an unknown one)."""
    return SUBMISSION_STATES.get(status, NOT_SUBMITTED) if status else NOT_SUBMITTED


def submission_badge(status: str | None) -> str:
    """The badge of a submission status ("muted" for none or an unknown one)."""
    return submission_state(status).badge


def service_badge(status: str | None) -> str:
    """The badge of a registered service's status."""
    return SERVICE_BADGES.get(status, "muted")
