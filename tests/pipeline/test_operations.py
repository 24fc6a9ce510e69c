"""Deprecate and withdraw: who may ask, one at a time, and the worker's steps (in this process)."""

from __future__ import annotations

import pytest

from integrations.catalogue.publishing import catalogue_publish_revision
from integrations.models import ServiceOperation
from integrations.pipeline.errors import OperationError, PipelineError
from integrations.pipeline.leases import lease_keeper
from integrations.pipeline.operations import (
    operation_request,
    operation_request_by_staff,
    operation_run,
    operations_sweep,
)
from tests.factories import make_revision

pytestmark = pytest.mark.django_db


def service_of(user, version="1.0.0"):
    revision = make_revision(user, version=version)
    service, _ = catalogue_publish_revision(contract=revision.contract, revision=revision)
    return service


def kinds(operation) -> list[str]:
    return list(operation.events.order_by("at", "id").values_list("kind", flat=True))


@pytest.mark.smoke
def test_the_owner_deprecates_a_service_with_a_successor(owner, core):
    old, new = service_of(owner), service_of(owner)
    operation = operation_request(service=old, kind="deprecate", user=owner, successor=new)
    operation_run(operation_id=operation.pk)
    operation_run(operation_id=operation.pk)  # a duplicate delivery does nothing
    operation.refresh_from_db()
    old.refresh_from_db()
    assert (operation.status, operation.attempts) == ("done", 1)
    assert (old.status, old.successor) == ("deprecated", new)
    assert kinds(operation) == ["deprecate_requested", "operation_started", "deprecated"]
    assert core.requests() == []  # deprecate only changes the catalogue


def test_an_outsider_cannot_ask_for_an_operation(owner, other_developer):
    with pytest.raises(OperationError, match="Only the service's owner"):
        operation_request(service=service_of(owner), kind="withdraw", user=other_developer)


def test_staff_cannot_ask_as_the_owner_does(owner, reviewer):
    with pytest.raises(OperationError, match="from the admin, with a reason"):
        operation_request(service=service_of(owner), kind="withdraw", user=reviewer)
    assert not ServiceOperation.objects.exists()


def test_staff_withdraw_any_service_with_a_reason_on_the_timeline(
        owner, reviewer, core, mailoutbox, django_capture_on_commit_callbacks):
    service = service_of(owner)
    with django_capture_on_commit_callbacks(execute=True):
        operation = operation_request_by_staff(
            service=service, kind="withdraw", reviewer=reviewer,
            reason="  It answers with someone else's data.  ")
    assert (operation.status, operation.requested_by) == ("queued", reviewer)
    event = operation.events.get(kind="withdraw_requested")
    assert event.actor_user == reviewer
    assert event.message == ("Withdraw requested by Rita Reviewer (staff). "
                             "Reason: It answers with someone else's data.")
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert message.subject == f"[CAIO] A reviewer is withdrawing {service.service_id}"
    assert "It answers with someone else's data." in message.body
    assert "Rita Reviewer" in message.body


@pytest.mark.parametrize("reason", ["", "   "])
def test_staff_must_give_a_reason(owner, reviewer, reason, mailoutbox,
                                  django_capture_on_commit_callbacks):
    service = service_of(owner)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OperationError,
                                                                       match="Give a reason"):
        operation_request_by_staff(service=service, kind="deprecate", reviewer=reviewer,
                                   reason=reason)
    assert not ServiceOperation.objects.exists() and mailoutbox == []


def test_a_developer_cannot_use_the_staff_request(owner, other_developer, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    service = service_of(owner)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OperationError,
                                                                       match="Only staff"):
        operation_request_by_staff(service=service, kind="withdraw", reviewer=other_developer,
                                   reason="mine now")
    assert not ServiceOperation.objects.exists() and mailoutbox == []


def test_a_refused_staff_request_emails_nobody(owner, reviewer, mailoutbox,
                                              django_capture_on_commit_callbacks):
    service = service_of(owner)
    operation_request(service=service, kind="deprecate", user=owner)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OperationError,
                                                                       match="in progress"):
        operation_request_by_staff(service=service, kind="withdraw", reviewer=reviewer,
                                   reason="abuse")
    assert mailoutbox == []


@pytest.mark.parametrize("kind", ["delete", ""])
def test_an_unknown_kind_is_refused(owner, kind):
    with pytest.raises(OperationError, match="Unknown operation"):
        operation_request(service=service_of(owner), kind=kind, user=owner)


def test_one_operation_at_a_time_and_successor_rules(owner):
    service = service_of(owner)
    with pytest.raises(OperationError, match="its own successor"):
        operation_request(service=service, kind="deprecate", user=owner, successor=service)
    with pytest.raises(OperationError, match="Only a deprecation"):
        operation_request(service=service, kind="withdraw", user=owner, successor=service_of(owner))
    operation_request(service=service, kind="deprecate", user=owner)
    with pytest.raises(OperationError, match="already has an operation in progress"):
        operation_request(service=service, kind="withdraw", user=owner)


def test_withdraw_deregisters_at_the_core_retrying_through_an_outage(owner, core):
    service = service_of(owner)
    core.script("deregister", {"status": 503})
    operation = operation_request(service=service, kind="withdraw", user=owner)
    operation_run(operation_id=operation.pk)
    operation.refresh_from_db()
    assert operation.status == "queued" and "503" in operation.last_error
    ServiceOperation.objects.filter(pk=operation.pk).update(next_attempt_at=None)
    operation_run(operation_id=operation.pk)
    operation.refresh_from_db()
    service.refresh_from_db()
    assert (operation.status, operation.attempts, service.status) == ("done", 2, "withdrawn")
    keys = {r["key"] for r in core.requests("deregister")}
    assert keys == {str(operation.idempotency_key)}
    assert kinds(operation)[-1] == "withdrawn"
    assert lease_keeper().held() == []  # each attempt's lease renewal ended with it


def test_a_refused_withdraw_fails_with_the_cores_message(owner, core):
    core.script("deregister", {"status": 409, "message": "service is pinned by an SLA"})
    operation = operation_request(service=service_of(owner), kind="withdraw", user=owner)
    operation_run(operation_id=operation.pk)
    operation.refresh_from_db()
    assert operation.status == "failed" and "pinned by an SLA" in operation.last_error
    assert operation.service.status == "active"


def test_the_sweeper_takes_back_an_operation_whose_worker_vanished(owner, core):
    from django.utils import timezone

    operation = operation_request(service=service_of(owner), kind="deprecate", user=owner)
    ServiceOperation.objects.filter(pk=operation.pk).update(
        status="running", attempts=1, lease_until=timezone.now() - timezone.timedelta(minutes=1))
    assert operations_sweep()["requeued"] == [operation.pk]
    assert operations_sweep()["requeued"] == []
    operation_run(operation_id=operation.pk)
    assert ServiceOperation.objects.get(pk=operation.pk).status == "done"


def test_operation_errors_are_pipeline_errors():
    assert issubclass(OperationError, PipelineError)


def test_an_operation_that_keeps_losing_its_worker_fails_after_the_attempt_limit(owner, core,
                                                                                 settings):
    from django.utils import timezone

    operation = operation_request(service=service_of(owner), kind="withdraw", user=owner)
    ServiceOperation.objects.filter(pk=operation.pk).update(
        status="running", attempts=settings.PIPELINE_MAX_ATTEMPTS,
        lease_until=timezone.now() - timezone.timedelta(minutes=1))
    operations_sweep()
    operation_run(operation_id=operation.pk)
    operation.refresh_from_db()
    assert operation.status == "failed" and "Gave up after" in operation.last_error
    assert core.requests() == []
    assert operation.service.status == "active"
