"""The OpenAPI schema tells the truth: schemathesis runs every check against the real API.

The same engine and configuration as ``st run --checks all`` with every phase (examples,
coverage, fuzzing and the stateful phase), once anonymous and once with a real token. Any failure
of any check fails the test, and the run prints its number of cases. It goes through the WSGI
stack in this process (over a socket the same run took 3.5 times as long), against a catalogue
with every shape an answer can take: full and bare services (null prices and guarantees), a
deprecated one with a successor, a withdrawn one (410), another developer's (404), an invalid
draft, and submissions in each final state.
"""

from __future__ import annotations

import time

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.db import connections  # noqa: E402

from integrations.models import Submission, SubmissionStatus  # noqa: E402
from tests.factories import ContractFactory, add_revision, contract_data, publish  # noqa: E402

MAX_EXAMPLES = 30  # per operation and phase; the run's case count is printed
PHASES = ["examples", "coverage", "fuzzing", "stateful"]


def _config(headers: dict[str, str] | None):
    from schemathesis.config import SchemathesisConfig
    from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES

    config = SchemathesisConfig.from_dict({
        "seed": 15,
        # A schema-valid request may get a 410 (a withdrawn service, as a 404 for one never
        # registered) or a 422 (a contract text can be invalid YAML) where the operation
        # documents it; an undocumented one still fails status_code_conformance.
        "checks": {"positive_data_acceptance": {
            "expected-statuses": [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "410", "422"]}},
        # No input may carry a NUL (U+0000): each is refused with 400 (docs/api.md), which the
        # schema does not repeat on every string.
        "generation": {"allow-x00": False},
        # Nothing carried over from an earlier run (no .schemathesis/ cache): the run is the same
        # each time.
        "cache": {"enabled": False},
    })
    project = config.projects.override
    project.phases.update(phases=PHASES)
    project.checks.update(included_check_names=["all"])  # as --checks all
    project.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    if headers:
        project.update(headers=headers)
    return config


def _run(application, headers: dict[str, str] | None) -> tuple[int, list[str]]:
    """One engine run: its number of cases, and each failure and error in the CLI's words."""
    from schemathesis.engine import Status, events, from_schema
    from schemathesis.engine.statistic import Statistic

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application,
                                            config=_config(headers))
    statistic = Statistic()
    problems: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            statistic.on_scenario_finished(event.recorder)
        elif isinstance(event, events.NonFatalError):
            problems.append(f"error in {event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal error: {event.exception!r}")
        elif isinstance(event, events.PhaseFinished) and event.status == Status.ERROR:
            problems.append(f"phase {event.phase.name.value} errored")
        elif isinstance(event, events.EngineFinished):
            problems.extend(f"run check: {failure.title}" for failure in event.failures)
    for label, groups in statistic.failures.items():
        for group in groups.values():
            response = group.response
            for failure in group.failures:
                problems.append(
                    f"{label} [{response.status_code if response else '-'}]: {failure.title}: "
                    f"{failure.message[:400]}\n    {(group.code_sample or '')[:600]}\n"
                    f"    -> {response.text[:300] if response else ''}")
    return statistic.total_cases, problems


@pytest.fixture
def app(transactional_db, monkeypatch):
    """The WSGI application, served from the engine's threads. Each answer is read and closed
    (Werkzeug's client leaves that to the caller), so that Django's request_finished closes the
    request's database connection: none stays open past the test."""
    from schemathesis.transport.wsgi import WSGITransport

    from portal.wsgi import application

    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 0)
    # schemathesis 4.32 passes the socket-level options of its requests session to Werkzeug when a
    # check re-sends a request without credentials (ignored_auth); Werkzeug has no such options.
    send = WSGITransport.send

    def send_in_process(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send_in_process)

    def closing(environ, start_response):
        answer = application(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            answer.close()

    return closing


def _catalogue(owner, other) -> None:
    listed = publish("listed-svc", owner=owner)
    publish("bare-svc", owner=owner, data=contract_data("bare-svc", required_only=True))
    publish("old-svc", owner=owner, status="deprecated", successor=listed)
    publish("gone-svc", owner=owner, status="withdrawn")
    publish("theirs-svc", owner=other)
    add_revision(ContractFactory(owner=owner, service_id="draft-svc"),
                 text="service_id: draft-svc\nversion: 1.0\n")
    revision = listed.contract.latest_revision
    for status in (SubmissionStatus.REGISTERED, SubmissionStatus.FAILED,
                   SubmissionStatus.CANCELLED, SubmissionStatus.REJECTED):
        Submission.objects.create(contract=listed.contract, revision=revision, submitter=owner,
                                  status=status, reason=f"It was {status}.")


def test_schema_holds_for_every_check_anonymous_and_with_a_token(
        app, owner, other_developer, owner_token, monkeypatch, capsys):
    from rest_framework.throttling import SimpleRateThrottle

    # Generated traffic is far above any real client's; throttling would hide the handlers.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    _catalogue(owner, other_developer)
    started = time.monotonic()
    total, problems = 0, []
    for who, headers in (("anonymous", None),
                         ("token", {"Authorization": f"Bearer {owner_token[1]}"})):
        cases, found = _run(app, headers)
        total += cases
        problems.extend(f"{who}: {line}" for line in found)
        with capsys.disabled():
            print(f"\nschemathesis ({who}): {cases} cases, {len(found)} failures")
    with capsys.disabled():
        print(f"schemathesis: {total} cases in {time.monotonic() - started:.0f} s, "
              f"{len(problems)} failures")
    assert total > 0
    assert not problems, "\n".join(problems)


def test_every_answer_shape_in_the_catalogue_matches_the_schema(app, owner, other_developer,
                                                                 owner_token):
    """Each shape an answer takes (null prices and guarantees, a service with no current version,
    an invalid draft, each final submission state) against the schema, one by one: generated
    requests may never name these services."""
    from werkzeug.test import Client

    from integrations.models import RegisteredService

    _catalogue(owner, other_developer)
    RegisteredService.objects.filter(service_id="bare-svc").update(current_version=None)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    client = Client(app)
    headers = {"Authorization": f"Bearer {owner_token[1]}"}
    submission = Submission.objects.order_by("pk").first().pk
    for template, url in [
        ("/api/v1/services/", "/api/v1/services/"),
        *((template, template.format(service_id=service_id))
          for template in ("/api/v1/services/{service_id}/",
                           "/api/v1/services/{service_id}/versions/")
          for service_id in ("listed-svc", "bare-svc", "old-svc")),
        ("/api/v1/contracts/", "/api/v1/contracts/"),
        ("/api/v1/contracts/{service_id}/", "/api/v1/contracts/draft-svc/"),
        ("/api/v1/contracts/{service_id}/revisions/", "/api/v1/contracts/draft-svc/revisions/"),
        ("/api/v1/submissions/", "/api/v1/submissions/"),
        ("/api/v1/submissions/{id}/", f"/api/v1/submissions/{submission}/"),
        ("/api/v1/me/", "/api/v1/me/"),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:300])
        schema[template]["GET"].validate_response(response)
    for body in ({}, {"include_deprecated": True, "budget": {"per_request": 1}}):
        response = client.post("/api/v1/integration/discover-services", json=body)
        schema["/api/v1/integration/discover-services"]["POST"].validate_response(response)
