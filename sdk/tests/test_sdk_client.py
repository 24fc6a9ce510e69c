"""CAIOClient and SyncCAIOClient against a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from http.server import ThreadingHTTPServer

import pytest
from sdk_scripted import JsonHandler

from caio_integration import (
    AuthenticationError,
    CAIOClient,
    CAIOConnectionError,
    ContractValidationError,
    DiscoveryError,
    RegistrationError,
    SyncCAIOClient,
)
from caio_integration.contracts import read_template, validate_text

TOKEN = "caio_test_token"


class Portal(JsonHandler):
    """A tiny stand-in for the portal's integration API, answering from the SDK's validator."""

    requests: list[dict] = []
    status_override: int | None = None
    error_body: dict | None = None

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"null")
        self.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"detail": "Invalid token."})
        if self.status_override:
            body = self.error_body or {"detail": "Server exploded."}
            return self._send(self.status_override, body)
        if self.path == "/api/v1/integration/validate-contract":
            result = validate_text(body["contract"])
            return self._send(200, {**result.to_dict(), "data": result.data})
        if self.path == "/api/v1/integration/register-service":
            result = validate_text(body["contract"])
            if not result.valid:
                return self._send(422, {"detail": "Invalid contract.", **result.to_dict()})
            return self._send(201, {"service_id": result.data["service_id"],
                                    "status": "pending_review"})
        if self.path == "/api/v1/integration/discover-services" and "limit" in body:
            offset = int(body.get("cursor") or 0)  # this script's cursor: the offset
            names = [f"svc-{i}" for i in range(offset, min(offset + body["limit"], 5))]
            end = offset + len(names)
            return self._send(200, {"services": [{"service_id": n} for n in names],
                                    "count": len(names), "total": 5, "total_is_estimate": False,
                                    "next": str(end) if end < 5 else None})
        if self.path == "/api/v1/integration/discover-services":
            services = [{"service_id": "demo", "capabilities": body["capabilities"]}]
            return self._send(200, {"services": services, "count": 1})
        return self._send(404, {"detail": "Not found."})


@pytest.fixture
def portal():
    Portal.requests = []
    Portal.status_override = None
    Portal.error_body = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Portal
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_validate_contract_sends_the_text_with_the_bearer_token(portal):
    url, handler = portal
    with SyncCAIOClient(url, TOKEN) as client:
        result = client.validate_contract("service_id: Bad\n")
    assert not result.valid
    assert {d.code for d in result.diagnostics} == {"pattern", "required"}
    (request,) = handler.requests
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["body"] == {"contract": "service_id: Bad\n"}


def test_register_service_reads_a_local_path_and_sends_only_its_content(portal, tmp_path):
    url, handler = portal
    path = tmp_path / "contract.yaml"
    path.write_text(read_template("simple_service"))
    with SyncCAIOClient(url, TOKEN) as client:
        answer = client.register_service(path, idempotency_key="key-1")
    assert (answer.service_id, answer.status) == ("my-service", "pending_review")
    assert answer["service_id"] == "my-service"  # the answer still reads like its JSON
    (request,) = handler.requests
    assert request["body"] == {"contract": read_template("simple_service")}
    assert str(tmp_path) not in json.dumps(request["body"])
    assert request["headers"]["Idempotency-Key"] == "key-1"


def test_register_service_maps_a_rejected_contract_to_contract_validation_error(portal):
    url, _ = portal
    with SyncCAIOClient(url, TOKEN) as client, pytest.raises(ContractValidationError) as caught:
        client.register_service("service_id: abc\nname: A\nversion: 1.0\ncapabilities: [ocr]\n")
    assert [d.code for d in caught.value.diagnostics] == ["ambiguous-scalar"]
    assert caught.value.diagnostics[0].line == 3


def test_a_wrong_token_is_an_authentication_error(portal):
    url, _ = portal
    with SyncCAIOClient(url, "wrong") as client, pytest.raises(AuthenticationError) as caught:
        client.discover_services(["text_generation"])
    assert caught.value.status == 401 and "Invalid token" in str(caught.value)


def test_server_errors_map_to_registration_and_discovery_errors(portal):
    url, handler = portal
    handler.status_override = 500
    with SyncCAIOClient(url, TOKEN) as client:
        with pytest.raises(RegistrationError) as caught:
            client.register_service(read_template("simple_service"))
        assert caught.value.status == 500
        with pytest.raises(DiscoveryError):
            client.discover_services(["ocr"])


def test_an_unreachable_portal_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with SyncCAIOClient(f"http://127.0.0.1:{port}", TOKEN, timeout=2) as client:
        with pytest.raises(CAIOConnectionError):
            client.discover_services(["ocr"])


def test_the_async_client_discovers_and_registers(portal):
    url, handler = portal

    async def scenario():
        async with CAIOClient(url, TOKEN) as client:
            services = await client.discover_services(
                ["text_generation"], guarantees={"latency": {"p95_ms": 100}},
                constraints={"supported_languages": ["de"]})
            answer = await client.register_service(read_template("custom_llm").encode())
            verdict = await client.validate_contract({"service_id": "abc"})
            return services, answer, verdict

    services, answer, verdict = asyncio.run(scenario())
    assert [(s.service_id, s.capabilities) for s in services] == [("demo", ["text_generation"])]
    assert services[0].raw == {"service_id": "demo", "capabilities": ["text_generation"]}
    assert answer.service_id == "legal-drafter"
    assert not verdict.valid
    discover = handler.requests[0]
    assert discover["path"] == "/api/v1/integration/discover-services"
    assert discover["body"] == {"capabilities": ["text_generation"],
                                "guarantees": {"latency": {"p95_ms": 100}},
                                "constraints": {"supported_languages": ["de"]}}
    assert handler.requests[1]["headers"]["Idempotency-Key"]


def test_both_clients_send_the_cursor_and_read_total_and_next(portal):
    url, handler = portal
    with SyncCAIOClient(url, TOKEN) as client:
        first = client.discover_services(["ocr"], limit=2)
        second = client.discover_services(["ocr"], limit=2, cursor=first.next)
    assert [s.service_id for s in first] == ["svc-0", "svc-1"]
    assert (first.count, first.total, first.total_is_estimate, first.next) == (2, 5, False, "2")
    assert [s.service_id for s in second] == ["svc-2", "svc-3"]
    assert "cursor" not in handler.requests[0]["body"]
    assert handler.requests[1]["body"] == {"capabilities": ["ocr"], "limit": 2, "cursor": "2"}

    async def last():
        async with CAIOClient(url, TOKEN) as client:
            return await client.discover_services(["ocr"], limit=2, cursor="4")

    end = asyncio.run(last())
    assert [s.service_id for s in end] == ["svc-4"] and end.next is None and end.total == 5


def test_the_client_refuses_a_base_url_without_a_scheme():
    with pytest.raises(ValueError):
        SyncCAIOClient("portal.example.com")


def test_the_client_never_sends_a_token_over_plain_http_to_another_host():
    with pytest.raises(ValueError, match="plain http"):
        SyncCAIOClient("http://portal.example.com", TOKEN)
    SyncCAIOClient("https://portal.example.com", TOKEN).close()
    SyncCAIOClient("http://localhost:8000", TOKEN).close()
    SyncCAIOClient("http://portal.example.com").close()  # no token, nothing to leak


def test_the_portal_error_message_reaches_the_exception(portal):
    url, handler = portal
    handler.status_override = 409
    handler.error_body = {"error": {"code": "conflict", "message": "Service id is taken.",
                                    "details": {}}}
    with SyncCAIOClient(url, TOKEN) as client, pytest.raises(RegistrationError) as caught:
        client.register_service(read_template("simple_service"))
    assert str(caught.value) == "Service id is taken. (HTTP 409)"


def test_contract_sources_are_turned_into_text_on_the_client(tmp_path):
    from caio_integration import CAIOError
    from caio_integration.client import contract_text

    assert contract_text("a: 1\n") == "a: 1\n"
    assert contract_text("a: é\n".encode()) == "a: é\n"
    assert contract_text({"service_id": "abc", "tags": ["x"]}) == "service_id: abc\ntags:\n- x\n"
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (300 * 1024))
    with pytest.raises(CAIOError):
        contract_text(big)
    with pytest.raises(CAIOError):
        contract_text(b"name: caf\xe9\n")
    with pytest.raises(TypeError):
        contract_text(42)  # type: ignore[arg-type]
