"""Service operations: deprecate (catalogue only) and withdraw (deregister at the core, then the
catalogue). They are jobs of the same engine as submissions (integrations/pipeline/jobs.py): a
conditional claim with a lease, retries with backoff and the same idempotency key, an attempt
limit, the sweeper, and an Event for every step.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.catalogue.publishing import catalogue_set_status
from integrations.models import OperationKind, RegisteredService, ServiceOperation, ServiceStatus
from integrations.models import OperationStatus as O
from integrations.pipeline.core import CorePermanentError, CoreTransientError, get_gateway
from integrations.pipeline.errors import OperationError
from integrations.pipeline.events import event_record
from integrations.pipeline.jobs import (
    JobKind,
    attempts_exhausted,
    job_claim,
    job_enqueue,
    job_retry_later,
    job_update_if_ours,
    jobs_sweep,
)
from integrations.pipeline.leases import Hold, lease_keeper

logger = logging.getLogger(__name__)

DONE_STATUS = {OperationKind.DEPRECATE: ServiceStatus.DEPRECATED,
               OperationKind.WITHDRAW: ServiceStatus.WITHDRAWN}


OPERATIONS = JobKind(
    model=ServiceOperation, task="integrations.run_operation", waiting=O.QUEUED,
    running=O.RUNNING, overdue=(O.QUEUED,), event_field="operation",
    contract_of=lambda operation: operation.service.contract, related=("service__contract",),
)


def operation_enqueue(operation_id: int, *, countdown: float | None = None) -> None:
    """Send the task after the current transaction commits (at once outside a transaction)."""
    job_enqueue(OPERATIONS, operation_id, countdown=countdown)


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
    with transaction.atomic():  # the claim and its event: one commit
        if not job_claim(OPERATIONS, operation_id):
            return
        operation = ServiceOperation.objects.select_related("service__contract", "successor").get(
            pk=operation_id)
        attempt = operation.attempts
        exhausted = attempts_exhausted(operation, attempt)
        if exhausted is None:
            OPERATIONS.event(operation, actor="worker", kind="operation_started",
                             message=f"Attempt {attempt} of {settings.PIPELINE_MAX_ATTEMPTS}: "
                             f"{operation.kind} {operation.service.service_id}.")
    if exhausted is not None:
        _finish(operation, attempt, O.FAILED, exhausted)
        return
    hold = lease_keeper().hold(OPERATIONS, operation.pk, attempt)  # renewed until recorded
    try:
        _run_claimed(operation, attempt, hold)
    finally:
        hold.release()


def _run_claimed(operation: ServiceOperation, attempt: int, hold: Hold) -> None:
    note = ""
    if operation.kind == OperationKind.WITHDRAW:
        try:
            with hold.calling():
                result = get_gateway().deregister(service_id=operation.service.service_id,
                                                  idempotency_key=str(operation.idempotency_key))
        except CorePermanentError as exc:
            _finish(operation, attempt, O.FAILED, exc.message)
            return
        except CoreTransientError as exc:
            job_retry_later(OPERATIONS, job=operation, attempt=attempt, message=exc.message,
                            fail=lambda job, attempt, message: _finish(job, attempt, O.FAILED,
                                                                       message))
            return
        note = " (the core did not have it registered)" if result.status == "not_registered" else ""
    _finish(operation, attempt, O.DONE, note)


def _finish(operation: ServiceOperation, attempt: int, status: str, message: str) -> None:
    with transaction.atomic():
        if not job_update_if_ours(OPERATIONS, operation, attempt, dict(
                status=status, lease_until=None, next_attempt_at=None,
                last_error=message if status == O.FAILED else "", updated_at=timezone.now())):
            return
        if status == O.FAILED:
            OPERATIONS.event(operation, actor="worker", kind="operation_failed", message=message)
            return
        service = RegisteredService.objects.select_for_update().get(pk=operation.service_id)
        catalogue_set_status(service=service, status=DONE_STATUS[operation.kind],
                             successor=operation.successor)
        past = {"deprecate": "Deprecated", "withdraw": "Withdrawn"}[operation.kind]
        then = f"; successor {operation.successor.service_id}" if operation.successor else ""
        OPERATIONS.event(operation, actor="worker", kind=DONE_STATUS[operation.kind],
                         message=f"{past}{then}{message}.")


def operations_sweep(*, now: datetime | None = None) -> dict:
    """Re-send overdue queued operations and take back running ones past their lease
    (integrations/pipeline/jobs.py, `jobs_sweep`)."""
    return jobs_sweep(OPERATIONS, now=now)
