"""The clients' paging and the wait_for_registration state machine, against scripted answers
(httpx.MockTransport; see sdk_scripted.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
    submission,
)

from caio_integration import (
    CAIOClient,
    Submission,
    SubmissionCancelledError,
    SubmissionFailedError,
    SubmissionRejectedError,
    WaitTimeoutError,
)
from caio_integration.contracts import read_template

# --- paging ---------------------------------------------------------------------------------

def pages(path: str, items: list[dict], size: int, host: str = "http://internal:8000"):
    """The DRF limit/offset answers of ``items`` (``next`` links on another host)."""
    out = []
    for offset in range(0, len(items), size):
        nxt = offset + size
        link = f"{host}{path}?capability=ocr&limit={size}&offset={nxt}" if nxt < len(items) \
            else None
        out.append(httpx.Response(200, json={"count": len(items), "next": link,
                                             "previous": None,
                                             "results": items[offset:offset + size]}))
    return out


def test_list_services_follows_every_page_on_the_clients_own_host():
    items = [{"service_id": f"svc-{i}"} for i in range(5)]
    portal = Portal(**{"GET /api/v1/services/": pages("/api/v1/services/", items, 2)})
    with client(portal) as api:
        found = [s.service_id for s in api.list_services(capability="ocr", language=["en", "de"],
                                                         max_p95=300, page_size=2)]
    assert found == [f"svc-{i}" for i in range(5)]
    assert {r.url.host for r in portal.requests} == {"portal.test"}
    first = portal.requests[0].url.params
    assert first.get_list("language") == ["en", "de"] and first["max_p95"] == "300"
    assert [r.url.params.get("offset") for r in portal.requests] == [None, "2", "4"]


def test_list_services_stops_when_the_next_link_points_at_a_page_already_read():
    loop = httpx.Response(200, json={"count": 9, "results": [{"service_id": "a"}],
                                     "next": "https://portal.test/api/v1/services/?limit=100"})
    portal = Portal(**{"GET /api/v1/services/": [loop]})
    with client(portal) as api:
        assert [s.service_id for s in api.list_services()] == ["a"]
    assert len(portal.requests) == 1


def test_the_async_client_pages_services_and_versions():
    services = [{"service_id": f"svc-{i}"} for i in range(3)]
    versions = [{"version": f"1.{i}.0", "name": "x", "registered_at": None} for i in range(3)]
    portal = Portal(**{
        "GET /api/v1/services/": pages("/api/v1/services/", services, 2),
        "GET /api/v1/services/svc-0/versions/": pages("/api/v1/services/svc-0/versions/",
                                                      versions, 2),
    })

    async def scenario():
        async with async_client(portal) as api:
            listed = [s.service_id async for s in api.list_services(page_size=2)]
            return listed, await api.list_versions("svc-0")

    listed, found = asyncio.run(scenario())
    assert listed == ["svc-0", "svc-1", "svc-2"]
    assert [v.version for v in found] == ["1.0.0", "1.1.0", "1.2.0"]


# --- wait_for_registration ------------------------------------------------------------------

def scripted(*statuses: str, reason: str = "") -> Portal:
    return Portal(**{SUBMISSION: [httpx.Response(200, json=submission(s, reason=reason))
                                  for s in statuses]})


def test_wait_follows_the_submission_to_registered_and_reports_each_change():
    portal = scripted("pending_review", "pending_review", "approved", "queued", "registering",
                      "registered")
    seen = []
    with client(portal) as api:
        done = api.wait_for_registration(7, timeout=10, poll_interval=0.01,
                                         on_status=lambda s: seen.append(s.status))
    assert done.registered and done.is_final
    assert seen == ["pending_review", "approved", "queued", "registering", "registered"]
    assert len(portal.requests) == 6


@pytest.mark.parametrize(("status", "kind"), [
    ("failed", SubmissionFailedError), ("rejected", SubmissionRejectedError),
    ("cancelled", SubmissionCancelledError)])
def test_wait_raises_a_typed_error_with_the_reason_when_it_ends_otherwise(status, kind):
    portal = scripted("queued", status, reason="The endpoint did not answer.")
    with client(portal) as api, pytest.raises(kind) as caught:
        api.wait_for_registration(Submission.from_json(submission()), poll_interval=0.01)
    assert caught.value.reason == "The endpoint did not answer."
    assert caught.value.submission.status == status
    assert "submission 7 (my-service 1.0.0)" in str(caught.value)


def test_wait_times_out_with_its_own_error_saying_it_waits_for_a_reviewer():
    portal = scripted("pending_review")
    with client(portal) as api, pytest.raises(WaitTimeoutError) as caught:
        api.wait_for_registration(7, timeout=0.2, poll_interval=0.05)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.waiting_for_review
    assert "waits for a reviewer" in str(caught.value)
    assert len(portal.requests) >= 2


def test_a_timeout_while_queued_does_not_blame_a_reviewer():
    portal = scripted("queued")
    with client(portal) as api, pytest.raises(WaitTimeoutError) as caught:
        api.wait_for_registration(7, timeout=0.05, poll_interval=0.01)
    assert not caught.value.waiting_for_review
    assert "still queued" in str(caught.value) and "reviewer" not in str(caught.value)


def test_the_async_wait_follows_the_same_states():
    portal = scripted("queued", "registering", "registered")

    async def scenario():
        async with async_client(portal) as api:
            return await api.wait_for_registration(7, poll_interval=0.01)

    assert asyncio.run(scenario()).registered


def test_the_plans_test_file_shape_works_without_async_with(tmp_path, monkeypatch):
    """The plan builds ``CAIOClient(base_url=...)`` and awaits on it directly."""
    path = Path(tmp_path / "my_service.yaml")
    path.write_text(read_template("simple_service"))
    portal = Portal(**{REGISTER: [httpx.Response(201, json=submission())],
                       "POST /api/v1/integration/discover-services": [
                           httpx.Response(200, json={"services": [{"service_id": "a"}],
                                                     "count": 1})]})
    monkeypatch.setenv("CAIO_TOKEN", TOKEN)

    async def scenario():
        api = CAIOClient(base_url=URL, transport=httpx.MockTransport(portal))
        service_id = await api.register_service(contract_path=path)
        services = await api.discover_services(capabilities=["text_generation"])
        await api.aclose()
        return service_id, services

    service_id, services = asyncio.run(scenario())
    assert service_id is not None and len(services) > 0
    assert portal.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
