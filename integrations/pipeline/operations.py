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
from integrations.pipeline.breaker import (
    CALL,
    CoreHeld,
    breaker_admit,
    breaker_call,
    breaker_release,
)
from integrations.pipeline.core import CoreError, CorePermanentError, get_gateway
from integrations.pipeline.errors import OperationError
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
from integrations.pipeline.leases import Hold, lease_keeper
from integrations.pipeline.notifications import notify_staff_operation

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
    """The owner asks for a deprecate or withdraw of their `service` (the panel, the service
    page, the API). Staff act on others' services with `operation_request_by_staff`."""
    if user is None or not user.is_authenticated or user.pk != service.contract.owner_id:
        raise OperationError("Only the service's owner can change its status here; staff "
                             "deprecate or withdraw a service from the admin, with a reason.")
    return _operation_create(service=service, kind=kind, user=user, successor=successor)


def operation_request_by_staff(*, service: RegisteredService, kind: str, reviewer, reason: str,
                               successor: RegisteredService | None = None) -> ServiceOperation:
    """A reviewer deprecates or withdraws a service (the admin's action). The reason is required;
    it goes on the timeline and, by email, to the service's owner."""
    if reviewer is None or not reviewer.is_authenticated or not reviewer.is_staff:
        raise OperationError("Only staff can deprecate or withdraw another owner's service.")
    reason = (reason or "").strip()
    if not reason:
        raise OperationError("Give a reason: the service's owner reads it.")
    operation = _operation_create(service=service, kind=kind, user=reviewer, successor=successor,
                                  reason=reason)
    notify_staff_operation(operation=operation, reason=reason)
    return operation


def _operation_create(*, service: RegisteredService, kind: str, user,
                      successor: RegisteredService | None, reason: str = "") -> ServiceOperation:
    """The checks every request shares, then the queued operation and its timeline line (with
    the staff's reason, when there is one)."""
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
    then = f" (successor: {successor.service_id})" if successor else ""
    staff = " (staff)" if reason else ""
    message = f"{kind.capitalize()} requested by {user.display_name}{staff}{then}."
    if reason:
        message += f" Reason: {reason}"
    try:
        with transaction.atomic():
            operation = ServiceOperation.objects.create(
                service=service, kind=kind, successor=successor, requested_by=user,
                status=O.QUEUED, next_attempt_at=timezone.now())
            event_record(contract=service.contract, operation=operation, actor_user=user,
                         kind=f"{kind}_requested", message=message)
            operation_enqueue(operation.pk)
    except IntegrityError:
        raise OperationError(_in_progress(service)) from None
    return operation


def _in_progress(service) -> str:
    return f"{service.service_id} already has an operation in progress; wait for it to finish."


def operation_run(*, operation_id: int) -> None:
    """What the task calls: claim, call the core for a withdraw, then update the catalogue.

    A withdraw calls the core, so it goes through the core's breaker as a registration does: held
    unclaimed while the breaker is open, its attempt given back when the core cannot take it.
    """
    kind = ServiceOperation.objects.filter(pk=operation_id).values_list("kind", flat=True).first()
    gate = breaker_admit(OPERATIONS, operation_id) if kind == OperationKind.WITHDRAW else CALL
    if gate is None:
        return
    with transaction.atomic():  # the claim and its event: one commit
        if not job_claim(OPERATIONS, operation_id):
            breaker_release(gate)
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
        breaker_release(gate)
        _finish(operation, attempt, O.FAILED, exhausted)
        return
    hold = lease_keeper().hold(OPERATIONS, operation.pk, attempt)  # renewed until recorded
    try:
        _run_claimed(operation, attempt, hold, gate)
    finally:
        hold.release()


def _run_claimed(operation: ServiceOperation, attempt: int, hold: Hold, gate) -> None:
    note = ""
    if operation.kind == OperationKind.WITHDRAW:
        with hold.calling():
            result = breaker_call(lambda: get_gateway().deregister(
                service_id=operation.service.service_id,
                idempotency_key=str(operation.idempotency_key)), gate=gate,
                operation="deregister")
        if isinstance(result, CoreHeld):
            job_refund(OPERATIONS, job=operation, attempt=attempt, until=result.until,
                       message=result.message)
            return
        if isinstance(result, CorePermanentError):
            _finish(operation, attempt, O.FAILED, result.message)
            return
        if isinstance(result, CoreError):  # a timeout, a connection error, a 5xx, a 429
            job_retry_later(OPERATIONS, job=operation, attempt=attempt, message=result.message,
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
