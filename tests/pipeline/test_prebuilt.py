"""integrations/pipeline/hotpath.py against the ORM, on either database: JoinedLookup loads exactly what
select_related loads (every field converted the same way, deferred fields deferred, relations
cached), CompiledValues returns what its QuerySet returns, update_where changes what
filter().update() would, insert_instance stores what create() stores."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from contracts_app.models import Contract
from integrations.catalogue.publishing import version_fields
from integrations.models import Event, RegisteredService, ServiceVersion, Submission
from integrations.pipeline.hotpath import (
    CompiledValues,
    JoinedLookup,
    insert_instance,
    update_where,
)
from tests.pipeline.conftest import make_revision

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

LOOKUP = dict(related=("contract__owner", "revision"), defer={"revision": ("text", "diagnostics")})


@pytest.fixture
def submission(owner):
    revision = make_revision(owner, version="2.1.0-rc.1")
    now = timezone.now()
    return Submission.objects.create(
        contract=revision.contract, revision=revision, submitter=owner, status="registering",
        attempts=3, next_attempt_at=now, lease_until=now + datetime.timedelta(seconds=90),
        last_error="The CAIO core answered 503: ünïcode", decided_at=now)


def test_a_joined_lookup_loads_every_field_as_select_related_does(submission):
    loaded = JoinedLookup(Submission, **LOOKUP).get(submission.pk)
    expected = (Submission.objects.select_related("contract__owner", "revision")
                .defer("revision__text", "revision__diagnostics").get(pk=submission.pk))

    for mine, theirs in [(loaded, expected), (loaded.contract, expected.contract),
                         (loaded.contract.owner, expected.contract.owner),
                         (loaded.revision, expected.revision)]:
        assert type(mine) is type(theirs)
        assert mine.get_deferred_fields() == theirs.get_deferred_fields()
        for field in type(mine)._meta.concrete_fields:
            if field.attname in theirs.get_deferred_fields():
                continue
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
            assert type(getattr(mine, field.attname)) is type(getattr(theirs, field.attname))
    assert isinstance(loaded.idempotency_key, uuid.UUID)
    assert loaded.revision.data["version"] == "2.1.0-rc.1"
    assert loaded.lease_until.tzinfo is not None


def test_a_joined_lookup_needs_one_query_for_the_whole_graph(submission,
                                                            django_assert_num_queries):
    lookup = JoinedLookup(Submission, **LOOKUP)
    with django_assert_num_queries(1):
        loaded = lookup.get(submission.pk)
        assert loaded.contract.owner.email == submission.contract.owner.email
        assert loaded.revision.version == "2.1.0-rc.1"
    with django_assert_num_queries(1):  # a deferred field loads when read, as with .defer()
        assert loaded.revision.text == submission.revision.text


def test_a_joined_lookup_of_a_missing_row_raises_does_not_exist(db):
    with pytest.raises(Submission.DoesNotExist):
        JoinedLookup(Submission, **LOOKUP).get(987654321)


def test_a_joined_lookup_refuses_a_nullable_foreign_key():
    with pytest.raises(ValueError, match="non-null forward foreign keys"):
        JoinedLookup(Submission, ("reviewed_by",))


def test_a_joined_lookup_refuses_to_defer_the_primary_key():
    with pytest.raises(ValueError, match="primary key"):
        JoinedLookup(Contract, defer={"": ("id",)})


def test_compiled_values_returns_what_the_queryset_returns(owner):
    first, second = make_revision(owner), make_revision(owner)
    query = CompiledValues(
        lambda pk, service_id: (Contract.objects.filter(Q(pk=pk) | Q(service_id=service_id))
                                .values_list("pk", "owner_id", "service_id").order_by("pk")),
        -1, "\x00sentinel")

    for pk, service_id in [(first.contract.pk, second.contract.service_id),
                           (first.contract.pk, "nothing-here"), (0, "nothing-here")]:
        expected = list(Contract.objects.filter(Q(pk=pk) | Q(service_id=service_id))
                        .values_list("pk", "owner_id", "service_id").order_by("pk"))
        assert [tuple(row) for row in query(pk, service_id)] == expected


def test_compiled_values_refuses_a_sentinel_it_cannot_place(db):
    query = CompiledValues(lambda a, b: Contract.objects.filter(pk=a).values_list("pk"), 5, 6)
    with pytest.raises(ValueError, match="appears 0 times"):
        query(1, 2)


def test_update_where_changes_only_the_rows_that_match_as_the_orm_would(submission, owner):
    other = Submission.objects.create(contract=make_revision(owner).contract,
                                      revision=submission.revision, submitter=owner,
                                      status="queued")
    later = timezone.now() + datetime.timedelta(hours=1)

    changed = update_where(
        Submission, where={"id": submission.pk, "status": "registering", "attempts": 3},
        values={"status": "queued", "last_error": "", "lease_until": None,
                "next_attempt_at": later},
        increment=("attempts",), extra="decided_at IS NOT NULL OR decided_at <= %s",
        extra_values=[("decided_at", later)])

    assert changed == 1
    submission.refresh_from_db()
    assert (submission.status, submission.attempts, submission.last_error) == ("queued", 4, "")
    assert submission.lease_until is None and submission.next_attempt_at == later
    other.refresh_from_db()
    assert (other.status, other.attempts) == ("queued", 0)


def test_update_where_changes_nothing_when_a_condition_fails(submission):
    assert update_where(Submission, where={"id": submission.pk, "attempts": 2},
                        values={"status": "failed"}) == 0
    assert update_where(Submission, where={"id": submission.pk}, values={"status": "failed"},
                        extra="next_attempt_at > %s",
                        extra_values=[("next_attempt_at", timezone.now() + datetime.timedelta(1))]) == 0
    submission.refresh_from_db()
    assert submission.status == "registering"


def test_update_where_refuses_a_none_condition(db):
    with pytest.raises(ValueError, match="IS NULL"):
        update_where(Submission, where={"lease_until": None}, values={"status": "failed"})


def test_insert_instance_stores_what_create_stores(submission):
    values = dict(contract=submission.contract, submission=submission, actor="worker",
                  kind="claimed", message="Attempt 1 of 6: ünïcode")

    mine = insert_instance(Event(**values))
    theirs = Event.objects.create(**values)

    assert mine.pk is not None and not mine._state.adding
    stored = Event.objects.get(pk=mine.pk)
    for field in Event._meta.concrete_fields:
        if field.name not in ("id", "at"):
            assert getattr(stored, field.attname) == getattr(theirs, field.attname), field.name
    assert stored.at == mine.at and stored.at.tzinfo is not None


def test_insert_instance_stores_lists_decimals_and_json_as_create_does(submission):
    contract = submission.contract
    service = insert_instance(RegisteredService(contract=contract, service_id=contract.service_id))
    fields = version_fields(submission.revision.data | {
        "capabilities": ["translation", "summarization"], "cost": {"per_request": "0.0015"},
        "tags": ["a", "b"], "constraints": {"supported_languages": ["en", "de"]}})
    version = insert_instance(ServiceVersion(service=service, revision=submission.revision,
                                             **fields))

    stored = ServiceVersion.objects.get(pk=version.pk)
    for name, value in fields.items():
        assert getattr(stored, name) == value, name
    assert stored.registered_at == version.registered_at


def test_insert_instance_falls_back_to_save_when_a_receiver_listens(submission):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.kind, created))

    post_save.connect(receiver, sender=Event)
    try:
        insert_instance(Event(contract=submission.contract, kind="claimed", actor="worker"))
    finally:
        post_save.disconnect(receiver, sender=Event)
    assert seen == [("claimed", True)]
