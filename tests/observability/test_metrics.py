"""/metrics: requests by view and status, submissions by state, core calls by outcome, the
queue, readiness; only for the allowed addresses or the token."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from integrations.models import Submission
from integrations.pipeline.submissions import (
    submission_approve,
    submission_create,
    submission_register,
)
from tests.factories import make_revision

pytestmark = pytest.mark.django_db
TOKEN = "t0ken-for-the-scraper-1234"


def samples(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def queued_submission(owner, reviewer) -> Submission:
    revision = make_revision(owner)
    submission = submission_create(contract=revision.contract, revision=revision, user=owner)
    submission_approve(submission=submission, reviewer=reviewer)
    Submission.objects.filter(pk=submission.pk).update(status="queued")
    return submission


def test_metrics_are_refused_to_an_address_not_allowed(anonymous):
    assert anonymous.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 404


def test_metrics_answer_the_bearer_token_from_anywhere(anonymous, settings):
    settings.METRICS_TOKEN = TOKEN
    assert samples(anonymous, REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


@pytest.mark.parametrize("header", ["Bearer wrong-token-wrong-token", "Bearer ", "Basic x", ""])
def test_metrics_refuse_a_wrong_token(anonymous, settings, header):
    settings.METRICS_TOKEN = TOKEN
    assert anonymous.get("/metrics", REMOTE_ADDR="203.0.113.5",
                         HTTP_AUTHORIZATION=header).status_code == 404


def test_no_token_configured_means_no_token_opens_metrics(anonymous, settings):
    settings.METRICS_TOKEN = ""
    assert anonymous.get("/metrics", REMOTE_ADDR="203.0.113.5",
                         HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_requests_are_counted_by_view_name_not_by_path(anonymous):
    anonymous.get("/services/no-such-service/")
    anonymous.get("/healthz")
    found = samples(anonymous)
    assert value(found, "portal_http_requests_total", view="healthz", method="GET",
                 status="200") >= 1
    assert value(found, "portal_http_requests_total", view="catalogue:detail", method="GET",
                 status="404") >= 1
    assert value(found, "portal_http_request_seconds_count", view="healthz") >= 1
    assert not any("no-such-service" in str(labels) for _, labels in found)


def test_an_unknown_path_is_counted_as_unresolved(anonymous):
    anonymous.get("/no/such/page/at/all")
    found = samples(anonymous)
    assert value(found, "portal_http_requests_total", view="<unresolved>", method="GET",
                 status="404") >= 1


def test_static_files_are_counted_as_static(anonymous):
    assert anonymous.get("/static/favicon.svg").status_code == 200
    found = samples(anonymous)
    assert value(found, "portal_http_requests_total", view="static", method="GET",
                 status="200") >= 1


def test_submissions_are_counted_by_state(anonymous, owner, reviewer):
    queued_submission(owner, reviewer)
    found = samples(anonymous)
    assert value(found, "portal_submissions", state="queued") == 1
    assert value(found, "portal_submissions", state="registered") == 0
    assert value(found, "portal_dependency_up", dependency="database") == 1
    assert value(found, "portal_dependency_up", dependency="broker") == 1
    assert value(found, "portal_queue_depth") is not None


def test_the_oldest_queued_submission_is_measured_from_when_it_was_due(anonymous, owner,
                                                                       reviewer):
    submission = queued_submission(owner, reviewer)
    Submission.objects.filter(pk=submission.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=10))
    age = value(samples(anonymous), "portal_oldest_queued_submission_seconds")
    assert 600 <= age < 3600


def test_no_queued_submission_is_an_age_of_zero(anonymous):
    assert value(samples(anonymous), "portal_oldest_queued_submission_seconds") == 0


def test_core_calls_are_counted_by_outcome_with_their_latency(anonymous, owner, reviewer):
    labels = {"operation": "register", "outcome": "ok"}
    before = REGISTRY.get_sample_value("portal_core_calls_total", labels) or 0
    submission_register(submission_id=queued_submission(owner, reviewer).pk)
    assert Submission.objects.get().status == "registered"
    found = samples(anonymous)
    assert value(found, "portal_core_calls_total", **labels) == before + 1
    assert value(found, "portal_core_call_seconds_count", operation="register") >= 1
    assert value(found, "portal_submissions", state="registered") == 1


def test_a_broker_down_shows_in_the_metrics(anonymous, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    found = samples(anonymous)
    assert value(found, "portal_dependency_up", dependency="broker") == 0
    assert value(found, "portal_queue_depth") is None
