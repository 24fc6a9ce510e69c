"""What the developer's submission panel shows: the state in plain words, the timeline, the
actions that are possible now. Read-only; the views call the pipeline's services to act.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caio_integration.contracts import version_refusal
from django.utils import timezone

from integrations.models import (
    Event,
    OperationStatus,
    RegisteredService,
    ServiceOperation,
    ServiceStatus,
    Submission,
    SubmissionStatus,
)
from integrations.pipeline.breaker import core_breaker_state
from integrations.pipeline.submissions import CANCELLABLE
from integrations.review.services import revision_diff
from integrations.review.states import NOT_SUBMITTED, SUBMISSION_STATES

TIMELINE_LENGTH = 20

ACTOR_NAMES = {"worker": "CAIO worker", "sweeper": "CAIO sweeper", "system": "CAIO"}


@dataclass
class Panel:
    contract: object
    latest: object | None
    submission: Submission | None
    service: RegisteredService | None
    operation: ServiceOperation | None
    events: list[Event] = field(default_factory=list)
    badge: str = "muted"
    headline: str = ""
    explanation: str = ""
    detail: str = ""
    can_submit: bool = False
    submit_blocked: str = ""
    changes: list = field(default_factory=list)
    can_cancel: bool = False
    can_deprecate: bool = False
    can_withdraw: bool = False
    polling: bool = False
    reviewing: bool = False  # a reviewer looks at another owner's contract: no owner's actions

    @property
    def breaking_changes(self) -> list:
        return [change for change in self.changes if change.breaking]

    @property
    def registered_version(self) -> str | None:
        if self.service and self.service.current_version:
            return self.service.current_version.version
        return None


def actor_name(event: Event) -> str:
    if event.actor_user is not None:
        return event.actor_user.display_name
    return ACTOR_NAMES.get(event.actor, event.actor)


def _explain_queued(submission: Submission) -> str:
    breaker = core_breaker_state()
    if breaker is not None:  # the workers hold every call to the core for now
        return breaker.waiting_message
    if submission.attempts and submission.next_attempt_at:
        when = submission.next_attempt_at
        wait = max(0, int((when - timezone.now()).total_seconds()))
        return (f"The CAIO core did not answer on attempt {submission.attempts}"
                f"{': ' + submission.last_error if submission.last_error else ''}. "
                f"The worker tries again in about {wait} s, with the same key, so it is never "
                "registered twice.")
    return ""


def _version_hint(service: RegisteredService | None, version: str | None) -> str:
    """Why the pipeline would refuse this version: the same rule (caio_integration's
    `version_refusal`), asked before submitting."""
    current = service.current_version if service else None
    return version_refusal(version, current=current.version if current else None) or ""


def latest_submission(*, contract) -> Submission | None:
    """The contract's most recent submission (open or settled), or None."""
    return (Submission.objects.filter(contract=contract)
            .select_related("revision", "reviewed_by").order_by("-created_at", "-id").first())


def contract_service(*, contract) -> RegisteredService | None:
    """The service registered from `contract` (any status), or None before a registration."""
    return (RegisteredService.objects.select_related("contract", "current_version__revision")
            .filter(contract=contract).first())


def successor_for(*, service: RegisteredService, service_id: str) -> RegisteredService | None:
    """The service a deprecation of `service` may name as successor: registered under
    `service_id`, not withdrawn, not `service` itself. None when there is no such service."""
    return (RegisteredService.objects.exclude(status=ServiceStatus.WITHDRAWN)
            .exclude(pk=service.pk).filter(service_id=service_id).first())


def build_panel(*, contract, user=None) -> Panel:
    """Everything the panel shows for `contract` (the caller has checked who may see it). The
    owner's actions (submit, deprecate, withdraw) are offered to its owner only: a reviewer
    (`user`, staff) sees the panel read-only, with cancel, as the admin allows."""
    latest = contract.latest_revision
    submission = latest_submission(contract=contract)
    service = contract_service(contract=contract)
    operation = (service.operations.order_by("-created_at", "-id").first() if service else None)
    events = list(Event.objects.filter(contract=contract).select_related("actor_user")
                  .order_by("-at", "-id")[:TIMELINE_LENGTH])
    events.reverse()
    panel = Panel(contract=contract, latest=latest, submission=submission, service=service,
                  operation=operation, events=events)

    open_submission = submission is not None and submission.is_open
    operation_running = operation is not None and operation.status in (
        OperationStatus.QUEUED, OperationStatus.RUNNING)

    state = SUBMISSION_STATES[submission.status] if submission else NOT_SUBMITTED
    panel.badge, panel.headline, panel.explanation = state
    if submission is not None:
        if submission.status == SubmissionStatus.QUEUED:
            panel.detail = _explain_queued(submission)
        elif submission.status in (SubmissionStatus.REJECTED, SubmissionStatus.FAILED,
                                   SubmissionStatus.CANCELLED):
            panel.detail = submission.reason or submission.last_error

    registered_revision_id = (service.current_version.revision_id
                              if service and service.current_version else None)
    panel.can_submit = bool(
        latest is not None and latest.is_valid and not open_submission
        and latest.pk != registered_revision_id
        and not (submission and submission.revision_id == latest.pk
                 and submission.status == SubmissionStatus.REGISTERED)
    )
    if panel.can_submit:
        panel.submit_blocked = _version_hint(service, latest.version)
        panel.can_submit = not panel.submit_blocked
    if (latest is not None and latest.is_valid and registered_revision_id is not None
            and latest.pk != registered_revision_id):
        # What the next submission would change for consumers, breaking changes first: the
        # reviewer's own diff (review/services.revision_diff).
        panel.changes = revision_diff(revision=latest, registered=service.current_version,
                                      text=False).changes
    panel.can_cancel = bool(submission and submission.status in CANCELLABLE)
    if service is not None and not operation_running:
        panel.can_deprecate = service.status == ServiceStatus.ACTIVE
        panel.can_withdraw = service.status in (ServiceStatus.ACTIVE, ServiceStatus.DEPRECATED)
    panel.polling = open_submission or operation_running
    if user is not None and not contract.is_editable_by(user):
        panel.reviewing = True
        panel.can_submit = panel.can_deprecate = panel.can_withdraw = False
        panel.submit_blocked = ""
    return panel


@dataclass
class SummaryRow:
    contract: object
    submission: Submission | None
    service: RegisteredService | None
    badge: str
    headline: str
    polling: bool


def submissions_summary(*, user, limit: int = 100) -> list[SummaryRow]:
    """Each of `user`'s own contracts with its latest submission's state (for the dashboard)."""
    from contracts_app.models import Contract

    contracts = list(Contract.objects.filter(owner=user).order_by("-updated_at")[:limit])
    latest: dict[int, Submission] = {}
    for submission in (Submission.objects.filter(contract__in=contracts)
                       .select_related("revision").order_by("contract_id", "-created_at", "-id")):
        latest.setdefault(submission.contract_id, submission)
    services = {s.contract_id: s for s in RegisteredService.objects.filter(contract__in=contracts)
                .select_related("current_version")}
    running = set(ServiceOperation.objects.filter(
        service__contract__in=contracts, status__in=[OperationStatus.QUEUED, OperationStatus.RUNNING],
    ).values_list("service__contract_id", flat=True))
    rows = []
    for contract in contracts:
        submission = latest.get(contract.pk)
        badge, headline, _next = (SUBMISSION_STATES[submission.status] if submission
                                  else NOT_SUBMITTED)
        rows.append(SummaryRow(
            contract=contract, submission=submission, service=services.get(contract.pk),
            badge=badge, headline=headline,
            polling=bool(submission and submission.is_open) or contract.pk in running,
        ))
    return rows
