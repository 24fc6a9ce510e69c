"""The SDK's clients (sync and async) against the real portal on pytest-django's live_server."""

from __future__ import annotations

import asyncio

import pytest
from caio_integration import CAIOClient, SyncCAIOClient
from caio_integration.exceptions import (
    AuthenticationError,
    ContractValidationError,
    DiscoveryError,
    RegistrationError,
)

from contracts_app.models import Contract
from integrations.models import Submission
from portal.tokens import token_create
from tests.factories import contract_text, publish
from tests.support.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_sync_client_validates_registers_and_discovers(live_server, owner, other_developer,
                                                       tmp_path):
    _token, plaintext = token_create(user=owner, name="sdk")
    publish("listed-svc", owner=other_developer)
    path = tmp_path / "mine.yaml"
    path.write_text(contract_text("sdk-svc"))
    with SyncCAIOClient(live_server.url, token=plaintext) as client:
        assert client.validate_contract(path).valid
        verdict = client.validate_contract("service_id: sdk-svc\nversion: 3.10\n")
        assert not verdict.valid
        assert any(d.code == "ambiguous-scalar" and d.line == 2 for d in verdict.diagnostics)

        answer = client.register_service(path)
        assert answer["service_id"] == "sdk-svc" and answer["status"] == "pending_review"
        assert Submission.objects.get(pk=answer["id"]).contract.owner == owner

        with pytest.raises(ContractValidationError) as invalid:
            client.register_service("service_id: sdk-svc\nname: no version\n")
        assert any(d.code == "required" for d in invalid.value.diagnostics)

        with pytest.raises(RegistrationError) as taken:
            client.register_service(contract_text("listed-svc", version="9.0.0"))
        assert taken.value.status == 409
        assert taken.value.payload["error"]["code"] == "service_id_taken"

        found = client.discover_services(["text_generation"],
                                         guarantees={"latency": {"p95_ms": 800}})
        assert [s["service_id"] for s in found] == ["listed-svc"]
        assert found[0]["why"][0]["field"] == "capabilities"
        with pytest.raises(DiscoveryError):
            client.discover_services(["text_generation"], guarantees={"latency": {"p95": 1}})

    with SyncCAIOClient(live_server.url) as anonymous:
        assert anonymous.validate_contract(contract_text("x-svc")).valid
        with pytest.raises(AuthenticationError):
            anonymous.register_service(contract_text("anon-svc"))
    with SyncCAIOClient(live_server.url, token="caio_not-a-real-token") as wrong:
        with pytest.raises(AuthenticationError):
            wrong.register_service(contract_text("anon-svc"))
    assert not Contract.objects.filter(service_id="anon-svc").exists()


def test_async_client_validates_registers_and_discovers(live_server, owner, other_developer):
    _token, plaintext = token_create(user=owner, name="sdk-async")
    publish("listed-svc", owner=other_developer)

    async def session():
        async with CAIOClient(live_server.url, token=plaintext) as client:
            verdict = await client.validate_contract(contract_text("async-svc"))
            answer = await client.register_service(contract_text("async-svc"),
                                                   idempotency_key="same-key")
            replay = await client.register_service(contract_text("async-svc"),
                                                   idempotency_key="same-key")
            found = await client.discover_services(["text_generation"], limit=5)
            return verdict, answer, replay, found

    verdict, answer, replay, found = asyncio.run(session())
    assert verdict.valid and verdict.data["service_id"] == "async-svc"
    assert answer["status"] == "pending_review" and replay["id"] == answer["id"]
    assert Submission.objects.filter(contract__service_id="async-svc").count() == 1
    assert [s["service_id"] for s in found] == ["listed-svc"]


@pytest.mark.services
def test_sdk_registration_reaches_the_catalogue_through_a_real_worker(
        live_server, owner, start_worker, settings):
    settings.PORTAL_REVIEW = "auto"
    start_worker()
    _token, plaintext = token_create(user=owner, name="sdk")
    with SyncCAIOClient(live_server.url, token=plaintext) as client:
        answer = client.register_service(contract_text("worker-svc"))
        wait_until(lambda: Submission.objects.filter(pk=answer["id"], status="registered").exists(),
                   timeout=60, message="the worker to register the submission")
        found = client.discover_services(["text_generation"], constraints={
            "supported_languages": ["de"]})
    assert [s["service_id"] for s in found] == ["worker-svc"]
    assert found[0]["version"] == "1.0.0" and found[0]["owner"] == "Olivia Owner"
    from integrations.models import LocalCoreEntry

    assert LocalCoreEntry.objects.filter(service_id="worker-svc").count() == 1


def test_both_clients_page_through_discovery_with_total_and_next(live_server, owner):
    for i in range(5):
        publish(f"paged-{i}", owner=owner, **{"guarantees.latency.p95_ms": 10 + i})
    _token, plaintext = token_create(user=owner, name="sdk")

    with SyncCAIOClient(live_server.url, token=plaintext) as client:
        seen, cursor = [], None
        while True:
            page = client.discover_services(["text_generation"], sort="latency", limit=2,
                                            cursor=cursor)
            assert (page.count, page.total, page.total_is_estimate) == (len(page), 5, False)
            seen += [s.service_id for s in page]
            if page.next is None:
                break
            cursor = page.next
    assert seen == [f"paged-{i}" for i in range(5)]

    async def last_page():
        async with CAIOClient(live_server.url, token=plaintext) as client:
            first = await client.discover_services(["text_generation"], sort="latency", limit=4)
            return await client.discover_services(["text_generation"], sort="latency", limit=4,
                                                  cursor=first.next)

    rest = asyncio.run(last_page())
    assert [s.service_id for s in rest] == ["paged-4"] and rest.next is None and rest.total == 5
