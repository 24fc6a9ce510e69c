"""Submissions: from a valid revision to a registered service, at least once and never twice.

States and transitions are in docs/pipeline.md. Every transition is a conditional UPDATE that acts
only when it changed one row, and writes an Event. The database is the source of truth; a Celery
message is only a trigger (sent after commit), and the sweeper re-sends what a lost message or a
lost worker left behind.
"""

from __future__ import annotations

import functools
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from caio_integration.contracts import semver_key
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import OPEN_SUBMISSION_STATUSES, RegisteredService, Submission
from integrations.models import SubmissionStatus as S
from integrations.pipeline.core import CoreError, CorePermanentError, CoreResult, get_gateway
from integrations.pipeline.errors import SubmissionError
from integrations.pipeline.events import event_record
from integrations.pipeline.hotpath import CompiledValues, JoinedLookup, update_where

logger = logging.getLogger(__name__)

CANCELLABLE = (S.PENDING_REVIEW, S.APPROVED, S.QUEUED)
# A countdown may fire a little before next_attempt_at; a claim accepts that much.
CLAIM_TOLERANCE = timedelta(seconds=1)
SWEEP_BATCH = 500


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
    if not isinstance(version, str) or not version:
        return "The revision has no version; add a SemVer version such as 1.0.0.", False
    try:
        key = semver_key(version)
    except ValueError:
        return f"Version {version!r} is not a SemVer version (for example 1.2.3).", False
    rows = _registration_rows(contract.pk, contract.service_id)
    has_service = False
    for contract_id, owner_id, current, current_key in rows:
        if contract_id != contract.pk:
            if owner_id != contract.owner_id:
                return (f"The service id {contract.service_id} belongs to another owner's "
                        "registered service."), has_service
            return (f"The service id {contract.service_id} belongs to another registered "
                    "contract."), has_service
        has_service = True
        if current_key is not None and key <= current_key:
            return (f"Version {version} is not higher than the current version {current} "
                    f"of {contract.service_id}; a downgrade or a repeat is refused. "
                    "Raise the version (SemVer) and submit again."), has_service
    return None, has_service


# The registered services that share the contract or its service id: compiled once, because the
# worker runs it for every claim (see integrations/pipeline/hotpath.py).
_registration_rows = CompiledValues(
    lambda contract_id, service_id: (
        RegisteredService.objects.filter(Q(contract_id=contract_id) | Q(service_id=service_id))
        .values_list("contract_id", "contract__owner_id", "current_version__version",
                     "current_version__version_key")
        .order_by()),
    -7_340_271, "\x00service-id\x00")


def backoff_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with jitter (50-100%)."""
    ceiling = min(settings.PIPELINE_BACKOFF_MAX,
                  settings.PIPELINE_BACKOFF_BASE * 2 ** min(max(attempt, 1) - 1, 32))
    return random.uniform(ceiling / 2, ceiling)


# --- enqueueing -------------------------------------------------------------------------------

def submission_enqueue(submission_id: int, *, countdown: float | None = None) -> None:
    """After the current transaction commits: move approved -> queued and send the task.

    Outside a transaction this happens at once. Nothing is sent when the transaction rolls back.
    """
    transaction.on_commit(lambda: _send(submission_id, countdown), robust=True)


def _send(submission_id: int, countdown: float | None = None) -> bool:
    from integrations.tasks import register_submission

    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission_id, status=S.APPROVED).update(
            status=S.QUEUED, updated_at=timezone.now())
        if moved:
            submission = Submission.objects.select_related("contract").get(pk=submission_id)
            event_record(contract=submission.contract, submission=submission, actor="system",
                         kind="queued", message="Queued for a worker.")
    try:
        register_submission.apply_async((submission_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker is down: the row stays queued for the sweeper
        logger.warning("could not send submission %s to the broker; the sweeper will resend it",
                       submission_id, exc_info=True)
        return False
    return True


# --- the people's side -------------------------------------------------------------------------

def submission_create(*, contract, revision, user) -> Submission:
    """Submit `revision` of `contract` for registration (approved at once under review=auto)."""
    if user is None or not user.is_authenticated:
        raise SubmissionError("Sign in to submit a contract.")
    if user.pk != contract.owner_id and not user.is_staff:
        raise SubmissionError("Only the contract's owner can submit it.")
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


def submission_approve(*, submission: Submission, reviewer) -> Submission:
    """pending_review -> approved (due now); the task is sent after commit."""
    if not _is_staff(reviewer):
        raise SubmissionError("Only staff reviewers can approve submissions.")
    if reviewer.pk in (submission.submitter_id, submission.contract.owner_id):
        raise SubmissionError("You cannot approve your own submission; another reviewer must.")
    now = timezone.now()
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=S.PENDING_REVIEW).update(
            status=S.APPROVED, reviewed_by=reviewer, decided_at=now, next_attempt_at=now,
            updated_at=now)
        if not moved:
            raise SubmissionError(_not_in(submission, "approved", "pending review"))
        event_record(contract=submission.contract, submission=submission, actor_user=reviewer,
                     kind="approved", message=f"Approved by {reviewer.display_name}.")
        submission_enqueue(submission.pk)
    submission.refresh_from_db()
    return submission


def submission_reject(*, submission: Submission, reviewer, reason: str) -> Submission:
    """pending_review -> rejected, with the reviewer's reason (required)."""
    if not _is_staff(reviewer):
        raise SubmissionError("Only staff reviewers can reject submissions.")
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError("Give a reason for the rejection; the developer will read it.")
    now = timezone.now()
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, status=S.PENDING_REVIEW).update(
            status=S.REJECTED, reviewed_by=reviewer, reason=reason, decided_at=now,
            finished_at=now, updated_at=now)
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
    """failed -> approved with a NEW idempotency key and a fresh attempt budget (staff only)."""
    if not _is_staff(user):
        raise SubmissionError("Only staff can retry a failed submission.")
    others = Submission.objects.filter(contract_id=submission.contract_id,
                                       status__in=OPEN_SUBMISSION_STATUSES).exclude(pk=submission.pk)
    if others.exists():
        raise SubmissionError(_already_open(submission.contract))
    now = timezone.now()
    key = uuid.uuid4()
    try:
        with transaction.atomic():
            moved = Submission.objects.filter(pk=submission.pk, status=S.FAILED).update(
                status=S.APPROVED, idempotency_key=key, attempts=0, next_attempt_at=now,
                lease_until=None, last_error="", reason="", finished_at=None, decided_at=now,
                updated_at=now)
            if not moved:
                raise SubmissionError(_not_in(submission, "retried", "failed"))
            event_record(contract=submission.contract, submission=submission, actor_user=user,
                         kind="retried",
                         message=f"Retried by {user.display_name} with a new idempotency key.")
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
    """
    now = timezone.now()
    with transaction.atomic():  # the claim and its event: one commit
        claimed = update_where(  # .filter(pk=, status=QUEUED, due).update(...), built once
            Submission, where={"id": submission_id, "status": S.QUEUED},
            values={"status": S.REGISTERING, "updated_at": now,
                    "lease_until": now + timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)},
            increment=("attempts",),
            extra="next_attempt_at IS NULL OR next_attempt_at <= %s",
            extra_values=[("next_attempt_at", now + CLAIM_TOLERANCE)])
        if claimed != 1:
            logger.info("submission %s: not queued or not due; nothing to do", submission_id)
            return None
        submission = _claimed_submission().get(submission_id)
        attempt, limit = submission.attempts, settings.PIPELINE_MAX_ATTEMPTS
        version = submission.revision.version
        if attempt <= limit:
            event_record(contract=submission.contract, submission=submission, actor="worker",
                         kind="claimed", message=f"Attempt {attempt} of {limit}: registering "
                         f"version {version} with the CAIO core.")
    if attempt > limit:
        # The earlier attempts never finished: their worker died or hung past its lease.
        last = submission.last_error or "the worker was lost during the attempt"
        _finish_failed(submission, attempt, f"Gave up after {limit} attempts ({last}).")
        return None
    problem, has_service = registration_check(contract=submission.contract, version=version)
    if problem:
        _finish_failed(submission, attempt, problem)
        return None
    return Claim(submission=submission, attempt=attempt, first_registration=not has_service)


@functools.cache
def _claimed_submission() -> JoinedLookup:
    """The claimed row with its contract, owner and revision (not its text or diagnostics: they
    are neither sent nor shown): `select_related`, built once (see integrations/pipeline/hotpath.py)."""
    return JoinedLookup(Submission, ("contract__owner", "revision"),
                        defer={"revision": ("text", "diagnostics")})


def submission_call_core(*, claim: Claim) -> Outcome:
    """Send the claimed revision to the CAIO core with the submission's idempotency key.

    Writes nothing to the portal's database; the HTTP gateway does not touch it at all.
    """
    submission = claim.submission
    try:
        return get_gateway().register(contract=submission.revision.data,
                                      idempotency_key=str(submission.idempotency_key))
    except CoreError as exc:
        return exc


def submission_record(*, claim: Claim, outcome: Outcome) -> None:
    """Record what the core answered, if the claim still holds (see `_update_if_ours`)."""
    if isinstance(outcome, CorePermanentError):
        _finish_failed(claim.submission, claim.attempt, outcome.message)
    elif isinstance(outcome, CoreError):
        _retry_later(claim.submission, claim.attempt, outcome.message)
    else:
        _finish_registered(claim.submission, claim.attempt, outcome,
                           first_registration=claim.first_registration)


def _update_if_ours(submission: Submission, attempt: int, fields: dict) -> bool:
    """Update the row only if it is still ours: registering, and claimed by this very attempt."""
    return update_where(Submission, values=fields, where={
        "id": submission.pk, "status": S.REGISTERING, "attempts": attempt}) == 1


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


def _finish_failed(submission: Submission, attempt: int, message: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        fields = dict(status=S.FAILED, last_error=message, reason=message, lease_until=None,
                      next_attempt_at=None, finished_at=now, updated_at=now)
        if _update_if_ours(submission, attempt, fields):
            _committed(submission, **fields)
            event_record(contract=submission.contract, submission=submission, actor="worker",
                         submission_committed=True, kind="failed", message=message)


def _committed(submission: Submission, **fields) -> None:
    """Mirror on the loaded object what the fenced UPDATE just wrote (for the email)."""
    for name, value in fields.items():
        setattr(submission, name, value)


def _retry_later(submission: Submission, attempt: int, message: str) -> None:
    limit = settings.PIPELINE_MAX_ATTEMPTS
    if attempt >= limit:
        _finish_failed(submission, attempt, f"Gave up after {attempt} attempts. Last error: {message}")
        return
    delay = backoff_delay(attempt)
    now = timezone.now()
    with transaction.atomic():
        if not _update_if_ours(submission, attempt, dict(
                status=S.QUEUED, last_error=message, lease_until=None,
                next_attempt_at=now + timedelta(seconds=delay), updated_at=now)):
            return
        event_record(contract=submission.contract, submission=submission, actor="worker",
                     kind="retry_scheduled", message=f"Attempt {attempt} failed: {message} "
                     f"Next attempt in {delay:.1f}s, with the same idempotency key.")
        if delay <= settings.PIPELINE_COUNTDOWN_MAX:
            submission_enqueue(submission.pk, countdown=delay)
        # Longer delays wait in next_attempt_at for the sweeper.


# --- the sweeper -------------------------------------------------------------------------------

def submissions_sweep(*, now: datetime | None = None) -> dict:
    """Re-send what was lost: overdue approved/queued rows, and registering rows past their lease.

    Acts only on rows overdue by SWEEPER_GRACE_SECONDS. Each re-send is claimed by a conditional
    UPDATE on `updated_at` (or `lease_until`), so two sweepers at once never send a row twice.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
    enqueued: list[int] = []
    requeued: list[int] = []
    overdue = (Submission.objects.filter(status__in=[S.APPROVED, S.QUEUED],
                                         next_attempt_at__lte=cutoff, updated_at__lte=cutoff)
               .select_related("contract").order_by("next_attempt_at")[:SWEEP_BATCH])
    for submission in overdue:
        with transaction.atomic():
            moved = Submission.objects.filter(
                pk=submission.pk, status=submission.status, updated_at=submission.updated_at,
            ).update(status=S.QUEUED, updated_at=max(now, timezone.now()))
            if moved:
                event_record(contract=submission.contract, submission=submission, actor="sweeper",
                             kind="re_enqueued", message="Overdue and not picked up (a lost "
                             "message?); sent to the workers again.")
                submission_enqueue(submission.pk)
                enqueued.append(submission.pk)
    expired = (Submission.objects.filter(status=S.REGISTERING, lease_until__lte=cutoff)
               .select_related("contract").order_by("lease_until")[:SWEEP_BATCH])
    for submission in expired:
        with transaction.atomic():
            stamp = timezone.now()
            moved = Submission.objects.filter(
                pk=submission.pk, status=S.REGISTERING, lease_until=submission.lease_until,
            ).update(status=S.QUEUED, lease_until=None, next_attempt_at=stamp, updated_at=stamp)
            if moved:
                event_record(contract=submission.contract, submission=submission, actor="sweeper",
                             kind="lease_expired", message=f"Attempt {submission.attempts} "
                             "outlived its lease (worker lost or stuck); queued again.")
                submission_enqueue(submission.pk)
                requeued.append(submission.pk)
    if enqueued or requeued:
        logger.info("sweeper: %d re-enqueued, %d leases expired", len(enqueued), len(requeued))
    return {"enqueued": enqueued, "requeued": requeued}
