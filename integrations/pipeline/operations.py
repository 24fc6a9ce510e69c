"""Service operations: deprecate (catalogue only) and withdraw (deregister at the core, then the
catalogue). Same rules as submissions: a conditional claim with a lease, retries with backoff and
the same idempotency key, an attempt limit, the sweeper, and an Event for every step.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_set_status
from integrations.models import OperationKind, RegisteredService, ServiceOperation, ServiceStatus
from integrations.models import OperationStatus as O
from integrations.pipeline.core import CorePermanentError, CoreTransientError, get_gateway
from integrations.pipeline.errors import OperationError
from integrations.pipeline.events import event_record
from integrations.pipeline.submissions import CLAIM_TOLERANCE, SWEEP_BATCH, backoff_delay

logger = logging.getLogger(__name__)

DONE_STATUS = {OperationKind.DEPRECATE: ServiceStatus.DEPRECATED,
               OperationKind.WITHDRAW: ServiceStatus.WITHDRAWN}


def operation_enqueue(operation_id: int, *, countdown: float | None = None) -> None:
    """Send the task after the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _send(operation_id, countdown), robust=True)


def _send(operation_id: int, countdown: float | None) -> None:
    from integrations.tasks import run_operation

    try:
        run_operation.apply_async((operation_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - the row stays queued; the sweeper resends it
        logger.warning("could not send operation %s; the sweeper will resend it", operation_id,
                       exc_info=True)


def operation_request(*, service: RegisteredService, kind: str, user,
                      successor: RegisteredService | None = None) -> ServiceOperation:
    """Ask for a deprecate or withdraw of `service` (its owner or staff)."""
    if user is None or not user.is_authenticated or (
            user.pk != service.contract.owner_id and not user.is_staff):
        raise OperationError("Only the service's owner or staff can change its status.")
    if kind not in OperationKind.values:
        raise OperationError(f"Unknown operation {kind!r}; use deprecate or withdraw.")
    if service.status == ServiceStatus.WITHDRAWN:
        raise OperationError(f"{service.service_id} is already withdrawn.")
    if kind == OperationKind.DEPRECATE and service.status == ServiceStatus.DEPRECATED:
        raise OperationError(f"{service.service_id} is already deprecated.")
    if successor is not None:
        if kind != OperationKind.DEPRECATE:
            raise OperationError("Only a deprecation names a successor.")
        if successor.pk == service.pk:
            raise OperationError("A service cannot be its own successor.")
        if successor.status == ServiceStatus.WITHDRAWN:
            raise OperationError(f"The successor {successor.service_id} is withdrawn.")
    if ServiceOperation.objects.filter(service=service, status__in=[O.QUEUED, O.RUNNING]).exists():
        raise OperationError(_in_progress(service))
    try:
        with transaction.atomic():
            operation = ServiceOperation.objects.create(
                service=service, kind=kind, successor=successor, requested_by=user,
                status=O.QUEUED, next_attempt_at=timezone.now())
            then = f" (successor: {successor.service_id})" if successor else ""
            event_record(contract=service.contract, operation=operation, actor_user=user,
                         kind=f"{kind}_requested",
                         message=f"{kind.capitalize()} requested by {user.display_name}{then}.")
            operation_enqueue(operation.pk)
    except IntegrityError:
        raise OperationError(_in_progress(service)) from None
    return operation


def _in_progress(service) -> str:
    return f"{service.service_id} already has an operation in progress; wait for it to finish."


def operation_run(*, operation_id: int) -> None:
    """What the task calls: claim, call the core for a withdraw, then update the catalogue."""
    now = timezone.now()
    with transaction.atomic():  # the claim and its event: one commit
        claimed = ServiceOperation.objects.filter(pk=operation_id, status=O.QUEUED).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + CLAIM_TOLERANCE)
        ).update(status=O.RUNNING, attempts=F("attempts") + 1, updated_at=now,
                 lease_until=now + timedelta(seconds=settings.PIPELINE_LEASE_SECONDS))
        if claimed != 1:
            return
        operation = ServiceOperation.objects.select_related("service__contract", "successor").get(
            pk=operation_id)
        attempt, limit = operation.attempts, settings.PIPELINE_MAX_ATTEMPTS
        if attempt <= limit:
            event_record(contract=operation.service.contract, operation=operation, actor="worker",
                         kind="operation_started", message=f"Attempt {attempt} of {limit}: "
                         f"{operation.kind} {operation.service.service_id}.")
    if attempt > limit:
        last = operation.last_error or "the worker was lost during the attempt"
        _finish(operation, attempt, O.FAILED, f"Gave up after {limit} attempts ({last}).")
        return
    note = ""
    if operation.kind == OperationKind.WITHDRAW:
        try:
            result = get_gateway().deregister(service_id=operation.service.service_id,
                                              idempotency_key=str(operation.idempotency_key))
        except CorePermanentError as exc:
            _finish(operation, attempt, O.FAILED, exc.message)
            return
        except CoreTransientError as exc:
            _retry_later(operation, attempt, exc.message)
            return
        note = " (the core did not have it registered)" if result.status == "not_registered" else ""
    _finish(operation, attempt, O.DONE, note)


def _finish(operation: ServiceOperation, attempt: int, status: str, message: str) -> None:
    contract = operation.service.contract
    with transaction.atomic():
        moved = ServiceOperation.objects.filter(
            pk=operation.pk, status=O.RUNNING, attempts=attempt,
        ).update(status=status, lease_until=None, next_attempt_at=None,
                 last_error=message if status == O.FAILED else "", updated_at=timezone.now())
        if not moved:
            return
        if status == O.FAILED:
            event_record(contract=contract, operation=operation, actor="worker",
                         kind="operation_failed", message=message)
            return
        service = RegisteredService.objects.select_for_update().get(pk=operation.service_id)
        catalogue_set_status(service=service, status=DONE_STATUS[operation.kind],
                             successor=operation.successor)
        past = {"deprecate": "Deprecated", "withdraw": "Withdrawn"}[operation.kind]
        then = f"; successor {operation.successor.service_id}" if operation.successor else ""
        event_record(contract=contract, operation=operation, actor="worker",
                     kind=DONE_STATUS[operation.kind], message=f"{past}{then}{message}.")


def _retry_later(operation: ServiceOperation, attempt: int, message: str) -> None:
    if attempt >= settings.PIPELINE_MAX_ATTEMPTS:
        _finish(operation, attempt, O.FAILED, f"Gave up after {attempt} attempts. Last error: {message}")
        return
    delay = backoff_delay(attempt)
    now = timezone.now()
    with transaction.atomic():
        moved = ServiceOperation.objects.filter(
            pk=operation.pk, status=O.RUNNING, attempts=attempt,
        ).update(status=O.QUEUED, lease_until=None, last_error=message, updated_at=now,
                 next_attempt_at=now + timedelta(seconds=delay))
        if not moved:
            return
        event_record(contract=operation.service.contract, operation=operation, actor="worker",
                     kind="retry_scheduled", message=f"Attempt {attempt} failed: {message} "
                     f"Next attempt in {delay:.1f}s, with the same idempotency key.")
        if delay <= settings.PIPELINE_COUNTDOWN_MAX:
            operation_enqueue(operation.pk, countdown=delay)


def operations_sweep(*, now: datetime | None = None) -> dict:
    """Like submissions_sweep: re-send overdue queued operations; running ones past their lease
    go back to queued. Each re-send is claimed by a conditional UPDATE."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
    enqueued: list[int] = []
    requeued: list[int] = []
    overdue = (ServiceOperation.objects.filter(status=O.QUEUED, next_attempt_at__lte=cutoff,
                                               updated_at__lte=cutoff)
               .select_related("service__contract").order_by("next_attempt_at")[:SWEEP_BATCH])
    for operation in overdue:
        with transaction.atomic():
            moved = ServiceOperation.objects.filter(
                pk=operation.pk, status=O.QUEUED, updated_at=operation.updated_at,
            ).update(updated_at=max(now, timezone.now()))
            if moved:
                event_record(contract=operation.service.contract, operation=operation,
                             actor="sweeper", kind="re_enqueued",
                             message="Overdue and not picked up; sent to the workers again.")
                operation_enqueue(operation.pk)
                enqueued.append(operation.pk)
    expired = (ServiceOperation.objects.filter(status=O.RUNNING, lease_until__lte=cutoff)
               .select_related("service__contract").order_by("lease_until")[:SWEEP_BATCH])
    for operation in expired:
        with transaction.atomic():
            stamp = timezone.now()
            moved = ServiceOperation.objects.filter(
                pk=operation.pk, status=O.RUNNING, lease_until=operation.lease_until,
            ).update(status=O.QUEUED, lease_until=None, next_attempt_at=stamp, updated_at=stamp)
            if moved:
                event_record(contract=operation.service.contract, operation=operation,
                             actor="sweeper", kind="lease_expired",
                             message=f"Attempt {operation.attempts} outlived its lease; queued again.")
                operation_enqueue(operation.pk)
                requeued.append(operation.pk)
    return {"enqueued": enqueued, "requeued": requeued}
