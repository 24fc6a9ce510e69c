"""The clients' behaviour against scripted answers (httpx.MockTransport): settings from the
environment, register_service, retries and Retry-After, connection errors, error fields and typed
results. Paging and wait_for_registration are in test_sdk_client_wait.py. The real HTTP path is
covered by test_sdk_client.py (a local server) and tests/api/test_sdk_end_to_end.py (the live
portal)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from sdk_scripted import (
    REGISTER,
    SUBMISSION,
    TOKEN,
    URL,
    Portal,
    async_client,
    client,
    error,
    submission,
)

from caio_integration import (
    APIError,
    AuthenticationError,
    CAIOClient,
    CAIOConnectionError,
    ConfigurationError,
    ContractValidationError,
    Operation,
    RegistrationError,
    Service,
    Submission,
    SyncCAIOClient,
)
from caio_integration._http import retry_after_seconds
from caio_integration.contracts import read_template

# --- settings -------------------------------------------------------------------------------

def test_the_client_takes_its_url_and_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("CAIO_URL", "https://env.portal.test/")
    monkeypatch.setenv("CAIO_TOKEN", "caio_from_env")
    portal = Portal(**{"GET /api/v1/me/": [httpx.Response(200, json={"email": "a@b.c"})]})
    with SyncCAIOClient(transport=httpx.MockTransport(portal)) as sync:
        assert sync.base_url == "https://env.portal.test"
        assert sync.me().email == "a@b.c"
    (request,) = portal.requests
    assert str(request.url) == "https://env.portal.test/api/v1/me/"
    assert request.headers["Authorization"] == "Bearer caio_from_env"


def test_arguments_win_over_the_environment_and_an_empty_token_sends_none(monkeypatch):
    monkeypatch.setenv("CAIO_URL", "https://env.portal.test")
    monkeypatch.setenv("CAIO_TOKEN", "caio_from_env")
    portal = Portal(**{"GET /api/v1/me/": [httpx.Response(200, json={})]})
    with SyncCAIOClient(base_url=URL, token="", transport=httpx.MockTransport(portal)) as sync:
        sync.me()
    assert portal.requests[0].url.host == "portal.test"
    assert "Authorization" not in portal.requests[0].headers


def test_no_url_anywhere_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("CAIO_URL", raising=False)
    with pytest.raises(ConfigurationError, match="CAIO_URL"):
        CAIOClient()
    with pytest.raises(ValueError, match="base_url=..."):
        SyncCAIOClient(token=TOKEN)


def test_a_token_from_the_environment_is_never_sent_over_plain_http_to_another_host(
        monkeypatch):
    monkeypatch.setenv("CAIO_URL", "http://portal.example.com")
    monkeypatch.setenv("CAIO_TOKEN", TOKEN)
    with pytest.raises(ConfigurationError, match="plain http"):
        SyncCAIOClient()
    monkeypatch.setenv("CAIO_URL", "http://127.0.0.1:8123")
    SyncCAIOClient().close()


# --- register_service -----------------------------------------------------------------------

def test_register_service_takes_the_plans_contract_path_and_sends_the_text(tmp_path):
    path = tmp_path / "contracts" / "my_service.yaml"
    path.parent.mkdir()
    path.write_text(read_template("simple_service"))
    portal = Portal(**{REGISTER: [httpx.Response(201, json=submission())]})

    async def scenario():
        async with async_client(portal) as api:
            return await api.register_service(contract_path=path)

    answer = asyncio.run(scenario())
    assert isinstance(answer, Submission)
    assert (answer.id, answer.status, answer.already_submitted) == (7, "pending_review", False)
    assert answer.waiting_for_review and answer.is_open and not answer.is_final
    assert answer.created_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert portal.bodies() == [{"contract": read_template("simple_service")}]
    assert str(tmp_path) not in portal.requests[0].content.decode()


@pytest.mark.parametrize("source", [
    read_template("simple_service"),
    read_template("simple_service").encode(),
    "path",
    "str-path",
])
def test_register_service_takes_text_bytes_a_path_or_a_str_contract_path(tmp_path, source):
    path = tmp_path / "c.yaml"
    path.write_text(read_template("simple_service"))
    portal = Portal(**{REGISTER: [httpx.Response(202, json=submission())]})
    with client(portal) as api:
        if source == "path":
            answer = api.register_service(path)
        elif source == "str-path":
            answer = api.register_service(contract_path=str(path))
        else:
            answer = api.register_service(source)
    assert answer.id == 7
    assert portal.bodies() == [{"contract": read_template("simple_service")}]


def test_register_service_sends_a_dict_as_yaml():
    portal = Portal(**{REGISTER: [httpx.Response(201, json=submission())]})
    with client(portal) as api:
        api.register_service({"service_id": "my-service", "name": "x"})
    assert portal.bodies() == [{"contract": "service_id: my-service\nname: x\n"}]


def test_register_service_wants_exactly_one_contract(tmp_path):
    with client(Portal()) as api:
        with pytest.raises(TypeError):
            api.register_service()
        with pytest.raises(TypeError):
            api.register_service("a: 1", contract_path=tmp_path / "x.yaml")


def test_the_same_text_again_answers_200_and_is_a_success_marked_already_submitted():
    portal = Portal(**{REGISTER: [httpx.Response(200, json=submission("registered"))]})
    with client(portal) as api:
        answer = api.register_service(read_template("simple_service"))
    assert answer.already_submitted and answer.registered


# --- retries --------------------------------------------------------------------------------

def test_a_503_is_retried_with_the_same_idempotency_key_after_retry_after():
    portal = Portal(**{REGISTER: [
        httpx.Response(503, headers={"Retry-After": "0"}, json={}),
        httpx.Response(429, headers={"Retry-After": "0"},
                       json={"error": {"code": "throttled", "message": "Slow down."}}),
        httpx.Response(201, json=submission()),
    ]})
    with client(portal) as api:
        assert api.register_service(read_template("simple_service")).id == 7
    keys = {r.headers["Idempotency-Key"] for r in portal.requests}
    assert len(portal.requests) == 3 and len(keys) == 1


def test_each_logical_registration_gets_its_own_idempotency_key():
    portal = Portal(**{REGISTER: [httpx.Response(201, json=submission())]})
    with client(portal) as api:
        api.register_service("a: 1\n")
        api.register_service("a: 1\n")
        api.register_service("a: 1\n", idempotency_key="mine")
    keys = [r.headers["Idempotency-Key"] for r in portal.requests]
    assert keys[0] != keys[1] and keys[2] == "mine"


def test_retry_after_is_honoured():
    portal = Portal(**{SUBMISSION: [httpx.Response(429, headers={"Retry-After": "1"}),
                                    httpx.Response(200, json=submission())]})
    started = time.monotonic()
    with client(portal) as api:
        api.get_submission(7)
    assert time.monotonic() - started >= 1.0
    assert len(portal.requests) == 2


def test_retry_after_may_be_an_http_date():
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    portal = Portal(**{SUBMISSION: [httpx.Response(503, headers={"Retry-After": past}),
                                    httpx.Response(200, json=submission())]})
    with client(portal) as api:
        assert api.get_submission(7).id == 7
    now = datetime(2025, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now=now.timestamp()) == 90
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_wait_longer_than_the_budget_is_not_slept_but_raised_with_its_retry_after():
    throttled = error(429, "throttled", "Request was throttled.", {"retry_after": 3600})
    throttled.headers["Retry-After"] = "3600"
    portal = Portal(**{SUBMISSION: [throttled]})
    with client(portal, max_retry_wait=30) as api, pytest.raises(APIError) as caught:
        api.get_submission(7)
    assert (caught.value.status, caught.value.code, caught.value.retry_after) == (
        429, "throttled", 3600)
    assert len(portal.requests) == 1


def test_retries_stop_after_max_retries():
    portal = Portal(**{SUBMISSION: [httpx.Response(503, headers={"Retry-After": "0"},
                                                   text="down")]})
    with client(portal, max_retries=2) as api, pytest.raises(APIError) as caught:
        api.get_submission(7)
    assert caught.value.status == 503 and str(caught.value) == "the portal answered HTTP 503"
    assert len(portal.requests) == 3
    portal.requests.clear()
    with client(portal, max_retries=0) as api, pytest.raises(APIError):
        api.get_submission(7)
    assert len(portal.requests) == 1


def test_a_connection_refused_is_retried_even_for_a_call_that_is_not_idempotent():
    portal = Portal(**{"POST /api/v1/submissions/7/cancel/": [
        httpx.ConnectError("refused"), httpx.Response(200, json=submission("cancelled"))]})
    with client(portal) as api:
        assert api.cancel_submission(7).status == "cancelled"
    assert len(portal.requests) == 2


def test_a_dropped_connection_is_retried_for_reads_but_not_for_a_cancel():
    portal = Portal(**{
        SUBMISSION: [httpx.ReadError("reset"), httpx.Response(200, json=submission())],
        "POST /api/v1/submissions/7/cancel/": [httpx.ReadError("reset"),
                                               httpx.Response(200, json=submission())],
    })
    with client(portal) as api:
        assert api.get_submission(7).id == 7
        with pytest.raises(CAIOConnectionError, match="cannot reach https://portal.test"):
            api.cancel_submission(7)
    assert [r.method for r in portal.requests] == ["GET", "GET", "POST"]


def test_a_dropped_registration_is_retried_with_its_idempotency_key():
    portal = Portal(**{REGISTER: [httpx.ReadTimeout("slow"),
                                  httpx.Response(200, json=submission())]})
    with client(portal) as api:
        assert api.register_service("a: 1\n").id == 7
    first, second = portal.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]


# --- errors ---------------------------------------------------------------------------------

def test_errors_carry_the_status_the_code_the_details_and_the_message():
    portal = Portal(**{REGISTER: [error(409, "submission_refused",
                                        "my-service already has an open submission.",
                                        {"submission": 6})]})
    with client(portal) as api, pytest.raises(RegistrationError) as caught:
        api.register_service("a: 1\n")
    exc = caught.value
    assert (exc.status, exc.code, exc.details) == (409, "submission_refused", {"submission": 6})
    assert str(exc) == "my-service already has an open submission. (HTTP 409)"
    assert exc.payload["error"]["code"] == "submission_refused"


def test_an_invalid_contract_carries_its_diagnostics_status_and_code():
    diagnostic = {"severity": "error", "code": "required", "message": "name is required",
                  "path": "", "line": 1, "column": 1, "hint": None}
    portal = Portal(**{REGISTER: [error(422, "invalid_contract", "The contract has 1 error(s).",
                                        {"diagnostics": [diagnostic]},
                                        diagnostics=[diagnostic])]})
    with client(portal) as api, pytest.raises(ContractValidationError) as caught:
        api.register_service("service_id: x\n")
    assert (caught.value.status, caught.value.code) == (422, "invalid_contract")
    assert [d.code for d in caught.value.diagnostics] == ["required"]


def test_without_a_token_an_authentication_error_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("CAIO_TOKEN", raising=False)
    portal = Portal(**{"GET /api/v1/me/": [error(401, "not_authenticated", "Sign in.")]})
    with client(portal, token=None) as api, pytest.raises(AuthenticationError) as caught:
        api.me()
    assert caught.value.status == 401 and caught.value.code == "not_authenticated"
    assert "CAIO_TOKEN" in str(caught.value)


def test_a_missing_submission_and_a_withdrawn_service_are_api_errors_with_their_codes():
    portal = Portal(**{
        "GET /api/v1/submissions/8/": [error(404, "not_found", "You have no submission 8.")],
        "GET /api/v1/services/gone-svc/": [error(410, "gone", "Withdrawn.",
                                                 {"successor": "new-svc"})],
    })
    with client(portal) as api:
        with pytest.raises(APIError) as missing:
            api.get_submission(8)
        with pytest.raises(APIError) as gone:
            api.get_service("gone-svc")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    assert (gone.value.status, gone.value.details) == (410, {"successor": "new-svc"})


def test_ids_from_the_caller_cannot_change_the_path():
    portal = Portal()
    with client(portal, max_retries=0) as api, pytest.raises(APIError):
        api.get_service("../../me")
    assert portal.requests[0].url.raw_path == b"/api/v1/services/..%2F..%2Fme/"


# --- typed results --------------------------------------------------------------------------

def test_get_service_reads_the_detail_shape_with_its_current_version():
    detail = {"service_id": "fast-llm", "status": "deprecated", "owner": "Ada",
              "successor": "faster-llm", "created_at": "2025-01-01T00:00:00+00:00",
              "current_version": {"version": "2.1.0", "name": "Fast LLM", "p95_ms": 120,
                                  "cost_per_request": "0.0015", "capabilities": ["ocr"],
                                  "tags": ["x"], "currency": "USD", "new_field": 1,
                                  "contact": "help@fast-llm.example"}}
    portal = Portal(**{"GET /api/v1/services/fast-llm/": [httpx.Response(200, json=detail)]})
    with client(portal) as api:
        service = api.get_service("fast-llm")
    assert isinstance(service, Service)
    assert (service.name, service.version, service.p95_ms, service.successor) == (
        "Fast LLM", "2.1.0", 120, "faster-llm")
    assert str(service.cost_per_request) == "0.0015" and service.deprecated
    assert service.current_version.tags == ["x"]
    assert service.current_version.contact == "help@fast-llm.example"


def test_me_deprecate_and_withdraw_answer_typed_results():
    operation = {"id": 3, "kind": "deprecate", "status": "queued", "service_id": "svc",
                 "successor": "svc-2", "created_at": "2025-01-01T00:00:00Z"}
    portal = Portal(**{
        "GET /api/v1/me/": [httpx.Response(200, json={
            "id": 1, "email": "ada@example.com", "display_name": "Ada", "is_staff": False,
            "email_verified": True, "token": {"name": "ci", "prefix": "caio_ab"}})],
        "POST /api/v1/services/svc/deprecate/": [httpx.Response(202, json=operation)],
        "POST /api/v1/services/svc/withdraw/": [httpx.Response(202, json={
            **operation, "kind": "withdraw", "successor": None})],
    })
    with client(portal) as api:
        me = api.me()
        deprecated = api.deprecate_service("svc", successor="svc-2")
        withdrawn = api.withdraw_service("svc")
    assert (me.display_name, me.email_verified, me.token.name) == ("Ada", True, "ci")
    assert isinstance(deprecated, Operation) and deprecated.successor == "svc-2"
    assert withdrawn.kind == "withdraw"
    assert portal.bodies()[1:] == [{"successor": "svc-2"}, {}]


def test_discovery_answers_a_list_with_the_paging_information_when_given():
    found = {"services": [{"service_id": "a", "why": [{"field": "capabilities", "op": "has",
                                                       "requested": ["ocr"],
                                                       "declared": ["ocr"]}]}],
             "count": 1, "total": 5, "next": "/api/v1/integration/discover-services?offset=1"}
    portal = Portal(**{"POST /api/v1/integration/discover-services": [
        httpx.Response(200, json=found), httpx.Response(200, json={"services": [], "count": 0})]})
    with client(portal) as api:
        services = api.discover_services(capabilities=["ocr"], limit=1)
        nothing = api.discover_services(["ocr"])
    assert len(services) == 1 and services[0].why[0].field == "capabilities"
    assert (services.count, services.total, services.next) == (1, 5, found["next"])
    assert services[0]["why"][0]["op"] == "has"
    assert (len(nothing), nothing.total, nothing.next) == (0, None, None)
    assert portal.bodies()[0] == {"capabilities": ["ocr"], "limit": 1}


