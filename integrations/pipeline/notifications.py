"""Emails about submissions: to the developer when theirs is registered, failed or rejected, and
to reviewers (staff) when one waits for review. And to a service's owner when a reviewer
deprecates or withdraws it (`notify_staff_operation`, with the reviewer's reason).

Triggered from the timeline: `event_record` schedules `notify_event(event_id)` with
`transaction.on_commit`, so nothing is sent for a step that rolled back, and the email reads the
committed state. Plain text plus a simple HTML alternative, rendered from
templates/integrations/email/. Links are absolute, built on settings.SITE_URL.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from integrations.models import Event, ServiceOperation, Submission, SubmissionStatus

log = logging.getLogger(__name__)

# Which submission status an event announces, and the email it sends then.
DEVELOPER_EMAILS = {
    SubmissionStatus.REGISTERED: ("registered", "{service_id} {version} is registered"),
    SubmissionStatus.FAILED: ("failed", "Registration of {service_id} {version} failed"),
    SubmissionStatus.REJECTED: ("rejected", "{service_id} {version} was not approved"),
}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(*, to: list[str], subject: str, template: str, context: dict) -> int:
    if not to:
        return 0
    context = {**context, "site_url": settings.SITE_URL}
    text = render_to_string(f"integrations/email/{template}.txt", context)
    html = render_to_string(f"integrations/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=f"[CAIO] {subject}", body=text, to=to)
    message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except Exception:  # noqa: BLE001 - a mail outage must not undo or break a registration step
        log.exception("could not send %r to %s", subject, ", ".join(to))
        return 0


def _submission_context(submission: Submission) -> dict:
    contract = submission.contract
    return {
        "submission": submission,
        "service_id": contract.service_id,
        "version": submission.revision.version or f"r{submission.revision.number}",
        "contract_url": absolute_url(contract.get_absolute_url()),
        "panel_url": absolute_url(reverse("integrations:panel",
                                          kwargs={"service_id": contract.service_id})),
    }


def notify_developer(*, submission: Submission) -> int:
    """Tell the contract's owner that their submission was registered, failed or was rejected."""
    email = DEVELOPER_EMAILS.get(submission.status)
    if email is None:
        return 0
    template, subject = email
    context = _submission_context(submission)
    if submission.status == SubmissionStatus.REGISTERED:
        context["catalogue_url"] = absolute_url(
            reverse("catalogue:detail", kwargs={"service_id": submission.contract.service_id}))
    context["reason"] = (submission.reason or submission.last_error
                         if submission.status != SubmissionStatus.REGISTERED else "")
    owner = submission.contract.owner
    context["recipient"] = owner
    return _send(to=[owner.email], subject=subject.format(**context), template=template,
                 context=context)


def reviewer_addresses(*, exclude=None) -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return sorted(users.values_list("email", flat=True))


def notify_reviewers(*, submission: Submission) -> int:
    """Tell every reviewer (staff, except the submitter) that a submission waits for review."""
    if submission.status != SubmissionStatus.PENDING_REVIEW:
        return 0
    context = _submission_context(submission)
    context["review_url"] = absolute_url(
        reverse("admin:integrations_submission_change", args=[submission.pk]))
    context["submitter"] = submission.submitter
    to = reviewer_addresses(exclude=submission.submitter)
    subject = "{service_id} {version} waits for review".format(**context)
    # One message per reviewer, so no reviewer sees the others' addresses.
    return sum(_send(to=[address], subject=subject, template="review_needed", context=context)
               for address in to)


def notify_event(event_id: int) -> int:
    """Send whatever email a timeline event calls for (none for most). Returns the count sent.

    Reads the submission's committed status, so an event written by any step (reviewer, worker,
    sweeper) sends the right email, and only the step that reached the status sends it.
    """
    try:  # get(), not first(): no ORDER BY to build for a primary-key look-up
        event = (Event.objects.select_related("submission__contract__owner",
                                              "submission__revision", "submission__submitter")
                 .defer("submission__revision__text", "submission__revision__diagnostics")
                 .get(pk=event_id))
    except Event.DoesNotExist:
        return 0
    if event.submission is None:
        return 0
    return notify_submission(submission=event.submission, kind=event.kind)


def notify_submission(*, submission: Submission, kind: str) -> int:
    """The email (if any) that an event of `kind` calls for, given the submission as committed."""
    if kind not in NOTIFYING_KINDS.get(submission.status, ()):
        return 0
    if submission.status == SubmissionStatus.PENDING_REVIEW:
        return notify_reviewers(submission=submission)
    return notify_developer(submission=submission)


# The event kinds (written by the pipeline services) after which a status is announced.
NOTIFYING_KINDS: dict[str, tuple[str, ...]] = {
    SubmissionStatus.PENDING_REVIEW: ("submitted",),
    SubmissionStatus.REGISTERED: ("registered",),
    SubmissionStatus.FAILED: ("failed",),
    SubmissionStatus.REJECTED: ("rejected",),
}

_ANY_NOTIFYING_KIND = frozenset(k for kinds in NOTIFYING_KINDS.values() for k in kinds)


def notify_on_commit(event: Event, *, committed: Submission | None = None) -> None:
    """Called by event_record: after the step commits, send the email it calls for (if any).

    `committed`: the event's submission as this step leaves it (its status set, its contract,
    owner and revision loaded), so the email needs no second read. Without it, the email reads
    the committed row. `robust=True`: a failing email is logged, never raised into the step that
    already committed.
    """
    if event.submission_id is None or event.kind not in _ANY_NOTIFYING_KIND:
        return
    kind = event.kind
    if committed is not None:
        transaction.on_commit(lambda: notify_submission(submission=committed, kind=kind),
                              robust=True)
        return
    event_id = event.pk
    transaction.on_commit(lambda: notify_event(event_id), robust=True)


# --- a reviewer's deprecate or withdraw --------------------------------------------------------

STAFF_OPERATION_SUBJECTS = {
    "deprecate": "A reviewer is deprecating {service_id}",
    "withdraw": "A reviewer is withdrawing {service_id}",
}


def notify_staff_operation(*, operation: ServiceOperation, reason: str) -> None:
    """After the request commits: tell the service's owner what a reviewer asked for, and why."""
    operation_id = operation.pk
    transaction.on_commit(lambda: send_staff_operation(operation_id=operation_id, reason=reason),
                          robust=True)


def send_staff_operation(*, operation_id: int, reason: str) -> int:
    operation = (ServiceOperation.objects
                 .select_related("service__contract__owner", "requested_by").get(pk=operation_id))
    contract = operation.service.contract
    context = {
        "operation": operation, "service_id": contract.service_id, "reason": reason,
        "recipient": contract.owner, "reviewer": operation.requested_by,
        "panel_url": absolute_url(reverse("integrations:panel",
                                          kwargs={"service_id": contract.service_id})),
    }
    subject = STAFF_OPERATION_SUBJECTS[operation.kind].format(**context)
    return _send(to=[contract.owner.email], subject=subject, template="staff_operation",
                 context=context)
