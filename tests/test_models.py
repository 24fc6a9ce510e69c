"""The data model skeleton: migrations apply, and the database itself enforces the invariants."""

import pytest
from django.db import IntegrityError, transaction

from integrations.models import (
    RegisteredService,
    ServiceOperation,
    ServiceVersion,
    Submission,
    SubmissionStatus,
)
from tests.factories import ContractFactory, ContractRevisionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_no_migrations_are_missing():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_email_is_the_login_and_is_unique_ignoring_case():
    UserFactory(email="Ada@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory._meta.model.objects.create_user("ada@example.COM", "x" * 12)


def test_service_id_is_unique_across_contracts():
    ContractFactory(service_id="translator")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(service_id="translator")


def test_revision_numbers_are_unique_per_contract():
    revision = ContractRevisionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractRevisionFactory(contract=revision.contract, number=revision.number)


def _submission(revision, status):
    return Submission.objects.create(
        contract=revision.contract, revision=revision, submitter=revision.contract.owner,
        status=status,
    )


def test_database_refuses_a_second_open_submission_for_one_contract():
    revision = ContractRevisionFactory()
    _submission(revision, SubmissionStatus.PENDING_REVIEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        _submission(revision, SubmissionStatus.QUEUED)


def test_closed_submissions_do_not_block_a_new_one():
    revision = ContractRevisionFactory()
    for status in (SubmissionStatus.REJECTED, SubmissionStatus.FAILED, SubmissionStatus.CANCELLED,
                   SubmissionStatus.REGISTERED):
        _submission(revision, status)
    assert _submission(revision, SubmissionStatus.PENDING_REVIEW).is_open


def test_each_submission_gets_its_own_idempotency_key():
    revision = ContractRevisionFactory()
    first = _submission(revision, SubmissionStatus.REJECTED)
    second = _submission(revision, SubmissionStatus.PENDING_REVIEW)
    assert first.idempotency_key != second.idempotency_key


def test_a_service_has_one_operation_in_progress_and_unique_versions():
    revision = ContractRevisionFactory()
    service = RegisteredService.objects.create(contract=revision.contract,
                                               service_id=revision.contract.service_id)
    ServiceVersion.objects.create(service=service, version="1.0.0", version_key="k", revision=revision,
                                  name="x", capabilities=["text_generation"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceVersion.objects.create(service=service, version="1.0.0", version_key="k",
                                      revision=revision, name="x", capabilities=[])
    owner = revision.contract.owner
    ServiceOperation.objects.create(service=service, kind="deprecate", requested_by=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceOperation.objects.create(service=service, kind="withdraw", requested_by=owner)


def test_contracts_are_visible_only_to_their_owner_and_staff(owner, other_developer, reviewer):
    from django.contrib.auth.models import AnonymousUser

    from contracts_app.models import Contract

    contract = ContractFactory(owner=owner)
    assert list(Contract.objects.visible_to(owner)) == [contract]
    assert list(Contract.objects.visible_to(reviewer)) == [contract]
    assert not Contract.objects.visible_to(other_developer).exists()
    assert not Contract.objects.visible_to(AnonymousUser()).exists()
