"""integrations/pipeline/hotpath.py against its ORM twins, on either database.

Each prebuilt statement and its `_orm` twin run on the same rows (the ORM's run rolled back to
the same starting point first); what they return and what they leave in the tables must be the
same, field by field and type by type.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from contracts_app.models import Contract
from integrations.models import ServiceOperation, Submission
from integrations.pipeline import hotpath
from tests.factories import make_revision

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

NOW = timezone.now()
LATER = NOW + datetime.timedelta(minutes=5)


def _tables() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in (Submission, ServiceOperation)}


def _both(fast, orm, **kwargs):
    """Run `orm` and roll it back, then `fast`; their answers and the tables they left."""
    with transaction.atomic():
        theirs = orm(**kwargs), _tables()
        transaction.set_rollback(True)
    mine = fast(**kwargs), _tables()
    return mine, theirs


@pytest.fixture
def rows(owner, reviewer):
    """Submissions in the states a claim and a fenced update meet, and an operation."""
    def submission(status, **fields):
        revision = make_revision(owner, version="2.1.0-rc.1")
        return Submission.objects.create(contract=revision.contract, revision=revision,
                                         submitter=owner, status=status, **fields)

    made = {
        "due": submission("queued", next_attempt_at=NOW - datetime.timedelta(seconds=3)),
        "unscheduled": submission("queued"),
        "not_due": submission("queued", next_attempt_at=LATER),
        "approved": submission("approved", next_attempt_at=NOW),
        "running": submission("registering", attempts=3, lease_until=LATER,
                              last_error="The CAIO core answered 503: ünïcode", decided_at=NOW),
    }
    from integrations.catalogue.publishing import catalogue_publish_revision

    service, _ = catalogue_publish_revision(contract=made["running"].contract,
                                            revision=made["running"].revision)
    made["operation"] = ServiceOperation.objects.create(
        service=service, kind="deprecate", requested_by=owner, status="queued",
        next_attempt_at=NOW)
    made["reviewer"] = reviewer
    return made


CLAIMS = ["due", "unscheduled", "not_due", "approved", "running"]


@pytest.mark.parametrize("name", CLAIMS)
def test_a_prebuilt_claim_changes_what_the_orm_claim_changes(rows, name):
    mine, theirs = _both(hotpath.claim_job, hotpath.claim_job_orm, model=Submission,
                         pk=rows[name].pk, waiting="queued", running="registering", now=NOW,
                         lease_until=LATER, due_by=NOW + datetime.timedelta(seconds=1))

    assert mine == theirs
    assert mine[0] == (1 if name in ("due", "unscheduled") else 0)


def test_a_prebuilt_claim_of_an_operation_changes_what_the_orm_claim_changes(rows):
    mine, theirs = _both(hotpath.claim_job, hotpath.claim_job_orm, model=ServiceOperation,
                         pk=rows["operation"].pk, waiting="queued", running="running", now=NOW,
                         lease_until=LATER, due_by=NOW)

    assert mine == theirs and mine[0] == 1
    assert mine[1]["ServiceOperation"][0]["attempts"] == 1


@pytest.mark.parametrize("attempt", [3, 2])
@pytest.mark.parametrize("values", [
    {"status": "queued", "last_error": "", "lease_until": None, "next_attempt_at": LATER,
     "updated_at": NOW},
    {"status": "registered", "core_reference": "core-ünï", "finished_at": NOW,
     "idempotency_key": uuid.UUID(int=7)},
    {"reviewed_by": "reviewer", "attempts": 9},  # a foreign key given as an instance
], ids=["retry", "registered", "foreign-key"])
def test_a_prebuilt_fenced_update_changes_what_the_orm_update_changes(rows, attempt, values):
    values = {name: rows["reviewer"] if value == "reviewer" else value
              for name, value in values.items()}
    mine, theirs = _both(hotpath.fenced_update, hotpath.fenced_update_orm, model=Submission,
                         pk=rows["running"].pk, running="registering", attempt=attempt,
                         values=values)

    assert mine == theirs
    assert mine[0] is (attempt == 3)


def test_a_prebuilt_fenced_update_refuses_a_model_instance_for_a_plain_field(rows):
    with pytest.raises(TypeError, match="not a foreign key"):
        hotpath.fenced_update(Submission, pk=rows["running"].pk, running="registering",
                              attempt=3, values={"last_error": rows["reviewer"]})


def test_a_prebuilt_update_refuses_a_none_condition(db):
    with pytest.raises(ValueError, match="IS NULL"):
        hotpath._update(Submission, where={"lease_until": None}, values={"status": "failed"})


def test_the_prebuilt_claimed_submission_is_what_select_related_loads(rows,
                                                                     django_assert_num_queries):
    pk = rows["running"].pk
    with django_assert_num_queries(1):
        mine = hotpath.load_claimed_submission(pk)
        assert mine.contract.owner.email and mine.revision.version == "2.1.0-rc.1"
    theirs = hotpath.load_claimed_submission_orm(pk)

    pairs = [(mine, theirs), (mine.contract, theirs.contract),
             (mine.contract.owner, theirs.contract.owner), (mine.revision, theirs.revision)]
    for a, b in pairs:
        assert type(a) is type(b)
        assert a.get_deferred_fields() == b.get_deferred_fields()
        for field in type(a)._meta.concrete_fields:
            if field.attname in b.get_deferred_fields():
                continue
            assert getattr(a, field.attname) == getattr(b, field.attname), field.name
            assert type(getattr(a, field.attname)) is type(getattr(b, field.attname)), field.name
    assert mine.revision.get_deferred_fields() == {"text", "diagnostics"}
    with django_assert_num_queries(1):  # a deferred field loads when read, as with .defer()
        assert mine.revision.text == rows["running"].revision.text


def test_the_prebuilt_claimed_submission_of_a_missing_row_raises_does_not_exist(db):
    with pytest.raises(Submission.DoesNotExist):
        hotpath.load_claimed_submission(987654321)


def test_a_joined_lookup_refuses_a_nullable_foreign_key_or_a_deferred_primary_key():
    with pytest.raises(ValueError, match="non-null forward foreign keys"):
        hotpath._JoinedLookup(Submission, ("reviewed_by",))
    with pytest.raises(ValueError, match="primary key"):
        hotpath._JoinedLookup(Contract, defer={"": ("id",)})


def test_the_prebuilt_registration_rows_are_what_the_queryset_returns(rows, owner):
    registered = rows["running"].contract
    other = make_revision(owner).contract
    for contract_id, service_id in [(registered.pk, registered.service_id),
                                    (other.pk, registered.service_id),
                                    (other.pk, other.service_id), (0, "nothing-here")]:
        mine = [tuple(row) for row in hotpath.registration_rows(contract_id, service_id)]
        assert mine == hotpath.registration_rows_orm(contract_id, service_id)
    assert len(hotpath.registration_rows(other.pk, registered.service_id)) == 1


def test_compiled_values_refuse_a_sentinel_they_cannot_place(db):
    query = hotpath._CompiledValues(lambda a, b: Contract.objects.filter(pk=a).values_list("pk"),
                                    5, 6)
    with pytest.raises(ValueError, match="appears 0 times"):
        query(1, 2)
