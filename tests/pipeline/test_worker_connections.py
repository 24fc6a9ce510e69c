"""The worker keeps its database connection between tasks (settings.CELERY_DB_REUSE_MAX), and a
connection that broke is replaced before the next task uses it (integrations.tasks drops broken
ones after each task and CONN_HEALTH_CHECKS checks the next). PostgreSQL only: it counts sessions."""

from __future__ import annotations

import pytest
from django.db import connection

from integrations.models import Submission
from integrations.pipeline.submissions import submission_approve, submission_create
from tests.factories import make_revision
from tests.pipeline.conftest import wait_status
from tests.support.core_server import duplicates

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL sessions")


def register_all(owner, reviewer, count: int) -> list[Submission]:
    submissions = []
    for _ in range(count):
        revision = make_revision(owner)
        submission = submission_create(contract=revision.contract, revision=revision, user=owner)
        submissions.append(submission_approve(submission=submission, reviewer=reviewer))
    return [wait_status(s, "registered", "failed") for s in submissions]


def sessions_opened() -> int:
    """Sessions PostgreSQL has counted on this database (a backend reports its own when it ends,
    or at its next statistics flush)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_the_worker_does_not_open_a_database_session_per_task(pipeline_worker, core, owner,
                                                              reviewer):
    register_all(owner, reviewer, 4)  # both pool children have connected by now (or soon will)
    before = sessions_opened()
    done = register_all(owner, reviewer, 12)
    assert {s.status for s in done} == {"registered"}
    # Closing around every task (Celery's default) would open 12 or more sessions here.
    assert sessions_opened() - before < 6


def test_a_broken_connection_is_replaced_and_nothing_is_lost(pipeline_worker, core, owner,
                                                             reviewer):
    register_all(owner, reviewer, 2)
    with connection.cursor() as cursor:  # a database restart, as the worker's children see it
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    done = register_all(owner, reviewer, 6)
    assert {s.status for s in done} == {"registered"}
    applied = core.applied("register")
    assert duplicates(applied) == []
    assert len({a["key"] for a in applied}) == len(applied)
