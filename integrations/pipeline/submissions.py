"""Submissions: from a valid revision to a registered service, at least once and never twice.

States and transitions are in docs/pipeline.md. Every transition is a conditional UPDATE that acts
only when it changed one row, and writes an Event. The database is the source of truth; a Celery
message is only a trigger (sent after commit), and the sweeper re-sends what a lost message or a
lost worker left behind.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from caio_integration.contracts import version_refusal
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import OPEN_SUBMISSION_STATUSES, Submission
from integrations.models import SubmissionStatus as S
from integrations.pipeline import hotpath
from integrations.pipeline.breaker import (
    CALL,
    CoreHeld,
    Gate,
    breaker_admit,
    breaker_call,
    breaker_release,
)
from integrations.pipeline.core import CoreError, CorePermanentError, CoreResult, get_gateway
from integrations.pipeline.errors import SubmissionError
from integrations.pipeline.events import event_record
from integrations.pipeline.jobs import (
    JobKind,
    attempts_exhausted,
    job_claim,
    job_enqueue,
    job_refund,
    job_retry_later,
    job_update_if_ours,
    jobs_sweep,
)

logger = logging.getLogger(__name__)

# Submission states in which a developer may still cancel (before a worker claims it).
CANCELLABLE = (S.PENDING_REVIEW, S.APPROVED, S.QUEUED)

SUBMISSIONS = JobKind(
    model=Submission, task="integrations.register_submission", waiting=S.QUEUED,
    running=S.REGISTERING, ready=S.APPROVED, overdue=(S.APPROVED, S.QUEUED),
    event_field="submission", contract_of=lambda submission: submission.contract,
    related=("contract",),
)


# --- checks shared by the web side and the worker ------------------------------------------

def _is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)


def registration_problem(*, contract, version: str | None) -> str | None:
    """Why `version` of `contract` cannot be registered now, or None. One query for both rules:
    the version must be SemVer and strictly higher than the service's current one, and the
    service id must not belong to another contract's (another owner's) registered service."""
    return registration_check(contract=contract, version=version)[0]


def registration_check(*, contract, version: str | None) -> tuple[str | None, bool]:
    """`registration_problem`'s answer, and whether the contract has a registered service yet."""
    refusal = version_refusal(version, current=None)  # is it SemVer at all?
    if refusal:
        return refusal, False
    rows = hotpath.registration_rows(contract.pk, contract.service_id)
    has_service = False
    for contract_id, owner_id, current in rows:
        if contract_id != contract.pk:
            if owner_id != contract.owner_id:
                return (f"The service id {contract.service_id} belongs to another owner's "
                        "registered service."), has_service
            return (f"The service id {contract.service_id} belongs to another registered "
                    "contract."), has_service
        has_service = True
        refusal = version_refusal(version, current=current)
        if refusal:
            return refusal, has_service
    return None, has_service


# --- enqueueing -------------------------------------------------------------------------------

def submission_enqueue(submission_id: int, *, countdown: float | None = None) -> None:
    """After the current transaction commits: move approved -> queued and send the task.

    Outside a transaction this happens at once. Nothing is sent when the transaction rolls back.
    """
    job_enqueue(SUBMISSIONS, submission_id, countdown=countdown)


# --- the people's side -------------------------------------------------------------------------

def submission_create(*, contract, revision, user) -> Submission:
    """Submit `revision` of `contract` for registration (approved at once under review=auto).
    Only the contract's owner may: staff review submissions, they do not make them."""
    if user is None or not user.is_authenticated:
        raise SubmissionError("Sign in to submit a contract.")
    if not contract.is_editable_by(user):
        raise SubmissionError("Only the contract's owner can submit it; staff review "
                              "contracts without submitting them.")
    if not user.email_verified:
        raise SubmissionError("Verify your email address before you submit a contract.")
    if revision.contract_id != contract.pk:
        raise SubmissionError(f"Revision {revision.number} is not a revision of {contract.service_id}.")
    if not revision.is_valid or not isinstance(revision.data, dict):
        raise SubmissionError(f"Revision {revision.number} has errors; fix them and save a new "
                              "revision before submitting.")
    if revision.data.get("service_id") not in (None, contract.service_id):
        raise SubmissionError(f"The revision's service_id {revision.data.get('service_id')!r} "
                              f"does not match the contract's {contract.service_id!r}.")
    problem = registration_problem(contract=contract, version=revision.version)
    if problem:
        raise SubmissionError(problem)
    open_one = Submission.objects.filter(contract=contract, status__in=OPEN_SUBMISSION_STATUSES)
    if open_one.exists():
        raise SubmissionError(_already_open(contract))
    auto = settings.PORTAL_REVIEW == "auto"
    now = timezone.now()
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                contract=contract, revision=revision, submitter=user,
                status=S.APPROVED if auto else S.PENDING_REVIEW,
                next_attempt_at=now if auto else None, decided_at=now if auto else None,
            )
            event_record(contract=contract, submission=submission, actor_user=user,
                         kind="submitted", message=f"Revision {revision.number} (version "
                         f"{revision.version}) submitted for registration.")
            if auto:
                event_record(contract=contract, submission=submission, actor="system",
                             kind="approved", message="Approved automatically (review policy: auto).")
                submission_enqueue(submission.pk)
    except IntegrityError:
        raise SubmissionError(_already_open(contract)) from None
    return submission


def _already_open(contract) -> str:
    return (f"{contract.service_id} already has an open submission; wait for it to finish "
            "or cancel it first.")


@dataclass(frozen=True)
class ReviewVerdict:
    """What the reviewer decided on: whether the submission breaks the version registered then
    (integrations.review.services computes it). Stored with the decision, in the same UPDATE."""

    breaking: bool
    compared_version: str = ""  # "" for a first registration

    def fields(self) -> dict:
        return {"breaking_at_review": self.breaking, "compared_version": self.compared_version}


def submission_approve(*, submission: Submission, reviewer,
                       verdict: ReviewVerdict | None = None) -> Submission:
    """pending_review -> approved (due now), with the review's verdict; the task is sent after
    commit."""
    if not _is_staff(reviewer):
        raise SubmissionError("Only staff reviewers can approve submissions.")
    if reviewer.pk in (submission.submitter_id, submission.contract.owner_id):
        raise SubmissionError("You cannot approve your own submission; another reviewer must.")
    now = timezone.now()
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=S.PENDING_REVIEW).update(
            status=S.APPROVED, reviewed_by=reviewer, decided_at=now, next_attempt_at=now,
            updated_at=now, **(verdict.fields() if verdict else {}))
        if not moved:
            raise SubmissionError(_not_in(submission, "approved", "pending review"))
        event_record(contract=submission.contract, submission=submission, actor_user=reviewer,
                     kind="approved", message=f"Approved by {reviewer.display_name}.")
        submission_enqueue(submission.pk)
    submission.refresh_from_db()
    return submission


def submission_reject(*, submission: Submission, reviewer, reason: str,
                      verdict: ReviewVerdict | None = None) -> Submission:
    """pending_review -> rejected, with the reviewer's reason (required) and verdict."""
    if not _is_staff(reviewer):
        raise SubmissionError("Only staff reviewers can reject submissions.")
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError("Give a reason for the rejection; the developer will read it.")
    now = timezone.now()
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=S.PENDING_REVIEW).update(
            status=S.REJECTED, reviewed_by=reviewer, reason=reason, decided_at=now,
            finished_at=now, updated_at=now, **(verdict.fields() if verdict else {}))
        if not moved:
            raise SubmissionError(_not_in(submission, "rejected", "pending review"))
        event_record(contract=submission.contract, submission=submission, actor_user=reviewer,
                     kind="rejected", message=reason)
    submission.refresh_from_db()
    return submission


def submission_cancel(*, submission: Submission, user) -> Submission:
    """The developer withdraws a submission before a worker claims it (exactly one of the two wins)."""
    if user is None or not user.is_authenticated or (
            user.pk not in (submission.submitter_id, submission.contract.owner_id)
            and not user.is_staff):
        raise SubmissionError("Only the contract's owner can cancel this submission.")
    now = timezone.now()
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status__in=CANCELLABLE).update(
            status=S.CANCELLED, reason=f"Cancelled by {user.display_name}.", finished_at=now,
            lease_until=None, next_attempt_at=None, updated_at=now)
        if moved:
            event_record(contract=submission.contract, submission=submission, actor_user=user,
                         kind="cancelled", message=f"Cancelled by {user.display_name}.")
    submission.refresh_from_db()
    if not moved:
        event_record(contract=submission.contract, submission=submission, actor_user=user,
                     kind="cancel_refused",
                     message=f"Cancel came too late: the submission is {submission.status}.")
        raise SubmissionError(f"Too late to cancel: the submission is already "
                              f"{submission.get_status_display().lower()}.")
    return submission


def submission_retry(*, submission: Submission, user) -> Submission:
    """failed -> approved with a fresh attempt budget (staff only).

    The idempotency key stays the same unless the core refused it (`key_refused`, a 4xx). After
    a timeout, a connection error or a 5xx the core may have applied the last attempt; with the
    same key it answers that stored result instead of registering the service a second time.
    """
    if not _is_staff(user):
        raise SubmissionError("Only staff can retry a failed submission.")
    others = Submission.objects.filter(contract_id=submission.contract_id,
                                       status__in=OPEN_SUBMISSION_STATUSES).exclude(pk=submission.pk)
    if others.exists():
        raise SubmissionError(_already_open(submission.contract))
    now = timezone.now()
    try:
        with transaction.atomic():
            failed = (Submission.objects.filter(pk=submission.pk, status=S.FAILED)
                      .values_list("idempotency_key", "key_refused").first())
            old_key, refused = failed or (None, False)
            key = uuid.uuid4() if refused else old_key
            moved = failed is not None and Submission.objects.filter(
                pk=submission.pk, status=S.FAILED, idempotency_key=old_key).update(
                status=S.APPROVED, idempotency_key=key, key_refused=False, attempts=0,
                next_attempt_at=now, lease_until=None, last_error="", reason="",
                finished_at=None, decided_at=now, updated_at=now)
            if not moved:
                raise SubmissionError(_not_in(submission, "retried", "failed"))
            why = ("a new idempotency key: the core refused the last one" if refused else
                   "the same idempotency key: the core may have applied the last attempt, and "
                   "then answers that result instead of registering it twice")
            event_record(contract=submission.contract, submission=submission, actor_user=user,
                         kind="retried", message=f"Retried by {user.display_name} with {why}.")
            submission_enqueue(submission.pk)
    except IntegrityError:
        raise SubmissionError(_already_open(submission.contract)) from None
    submission.refresh_from_db()
    return submission


def _not_in(submission: Submission, verb: str, state: str) -> str:
    current = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).first()
    label = S(current).label.lower() if current else "gone"
    return f"Only a submission that is {state} can be {verb}; this one is {label}."


# --- the worker's side -------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A submission this worker claimed: the loaded row and the attempt number that fences it.

    `first_registration`: the contract had no registered service when it was claimed. While the
    submission is open no other one of the contract can register, so the record can create the
    service without looking for it first.
    """

    submission: Submission
    attempt: int
    first_registration: bool = False
    gate: Gate = CALL  # the core breaker's word for this call (integrations/pipeline/breaker.py)


# What the core call came to: its result, or the error it raised.
Outcome = CoreResult | CoreError


def submission_register(*, submission_id: int) -> None:
    """Claim a queued submission, register it with the core, and record the outcome.

    The three steps are also used one by one by the worker's pipeline (integrations/pipeline/worker.py),
    which overlaps one registration's core call with recording the one before it.
    """
    claim = submission_claim(submission_id=submission_id)
    if claim is not None:
        submission_record(claim=claim, outcome=submission_call_core(claim=claim))


def submission_claim(*, submission_id: int) -> Claim | None:
    """Claim a queued, due submission for one attempt; None when there is nothing to call.

    A duplicate delivery, a stale message or a message for a row that is not due claims nothing
    and does nothing. The claim increments `attempts` (a fencing token for every later update).
    An attempt over the limit, a downgrade or a foreign service id fails here, without a call.
    While the core's breaker is open the row is held instead, unclaimed (breaker.py).
    """
    gate = breaker_admit(SUBMISSIONS, submission_id)
    if gate is None:
        return None
    claim = _claim(submission_id, gate)
    if claim is None:
        breaker_release(gate)
    return claim


def _claim(submission_id: int, gate: Gate) -> Claim | None:
    with transaction.atomic():  # the claim and its event: one commit
        if not job_claim(SUBMISSIONS, submission_id):
            logger.info("submission %s: not queued or not due; nothing to do", submission_id)
            return None
        submission = hotpath.load_claimed_submission(submission_id)
        attempt, version = submission.attempts, submission.revision.version
        exhausted = attempts_exhausted(submission, attempt)
        if exhausted is None:
            event_record(contract=submission.contract, submission=submission, actor="worker",
                         kind="claimed", message=f"Attempt {attempt} of "
                         f"{settings.PIPELINE_MAX_ATTEMPTS}: registering version {version} "
                         "with the CAIO core.")
    if exhausted is not None:
        _finish_failed(submission, attempt, exhausted)
        return None
    problem, has_service = registration_check(contract=submission.contract, version=version)
    if problem:
        _finish_failed(submission, attempt, problem)
        return None
    return Claim(submission=submission, attempt=attempt, first_registration=not has_service,
                 gate=gate)


def submission_call_core(*, claim: Claim) -> Outcome:
    """Send the claimed revision to the CAIO core with the submission's idempotency key, through
    the core's breaker (which writes its own row after a failure, never the submission)."""
    submission = claim.submission
    return breaker_call(lambda: get_gateway().register(
        contract=submission.revision.data, idempotency_key=str(submission.idempotency_key)),
        gate=claim.gate)


def submission_record(*, claim: Claim, outcome: Outcome) -> None:
    """Record what the core answered, if the claim still holds (see `_update_if_ours`)."""
    if isinstance(outcome, CoreHeld):  # the core cannot take calls now: the attempt is not spent
        job_refund(SUBMISSIONS, job=claim.submission, attempt=claim.attempt, until=outcome.until,
                   message=outcome.message)
    elif isinstance(outcome, CorePermanentError):  # a definite refusal: a retry takes a new key
        _finish_failed(claim.submission, claim.attempt, outcome.message, key_refused=True)
    elif isinstance(outcome, CoreError):
        _retry_later(claim.submission, claim.attempt, outcome.message)
    else:
        _finish_registered(claim.submission, claim.attempt, outcome,
                           first_registration=claim.first_registration)


def _update_if_ours(submission: Submission, attempt: int, fields: dict) -> bool:
    return job_update_if_ours(SUBMISSIONS, submission, attempt, fields)


def _finish_registered(submission: Submission, attempt: int, result: CoreResult, *,
                       first_registration: bool = False) -> None:
    now = timezone.now()
    with transaction.atomic():
        fields = dict(status=S.REGISTERED, core_reference=result.reference[:200], last_error="",
                      lease_until=None, next_attempt_at=None, finished_at=now, updated_at=now)
        if not _update_if_ours(submission, attempt, fields):
            logger.warning("submission %s: lease lost before the result was recorded", submission.pk)
            return
        _committed(submission, **fields)
        catalogue_publish_revision(contract=submission.contract, revision=submission.revision,
                                   new_service=first_registration)
        event_record(contract=submission.contract, submission=submission, actor="worker",
                     submission_committed=True, kind="registered",
                     message=f"Registered version {submission.revision.version} (core reference "
                     f"{result.reference or 'none'}); it is now the current version.")


def _finish_failed(submission: Submission, attempt: int, message: str, *,
                   key_refused: bool = False) -> None:
    now = timezone.now()
    with transaction.atomic():
        fields = dict(status=S.FAILED, last_error=message, reason=message, lease_until=None,
                      next_attempt_at=None, finished_at=now, updated_at=now,
                      key_refused=key_refused)
        if _update_if_ours(submission, attempt, fields):
            _committed(submission, **fields)
            event_record(contract=submission.contract, submission=submission, actor="worker",
                         submission_committed=True, kind="failed", message=message)


def _committed(submission: Submission, **fields) -> None:
    """Mirror on the loaded object what the fenced UPDATE just wrote (for the email)."""
    for name, value in fields.items():
        setattr(submission, name, value)


def _retry_later(submission: Submission, attempt: int, message: str) -> None:
    job_retry_later(SUBMISSIONS, job=submission, attempt=attempt, message=message,
                    fail=_finish_failed)


def submissions_sweep(*, now: datetime | None = None) -> dict:
    """Re-send overdue approved/queued submissions and take back registering ones past their
    lease (integrations/pipeline/jobs.py, `jobs_sweep`)."""
    return jobs_sweep(SUBMISSIONS, now=now)
