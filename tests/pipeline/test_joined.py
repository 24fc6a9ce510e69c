"""JoinedLookup (integrations/joined.py) loads exactly what select_related loads, on either
database: every field converted the same way, deferred fields deferred, relations cached."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from contracts_app.models import Contract
from integrations.joined import JoinedLookup
from integrations.models import Submission
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
