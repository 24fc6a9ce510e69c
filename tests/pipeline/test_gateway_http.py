"""The HTTP gateway against a real HTTP server that speaks the core API, with each fault."""

from __future__ import annotations

import uuid

import pytest

from integrations.pipeline.core import (
    CorePermanentError,
    CoreRefusedCredentials,
    CoreTransientError,
    get_gateway,
)
from integrations.pipeline.core.http import HttpCoreGateway
from tests.support.core_server import CoreServer
from tests.support.services import free_port

pytestmark = pytest.mark.smoke

CONTRACT = {"service_id": "svc-gateway", "version": "1.0.0", "name": "Gateway"}


def gateway(core, timeout: float = 2.0, token: str = "") -> HttpCoreGateway:
    return HttpCoreGateway(url=core.url, token=token, timeout=timeout)


def test_register_sends_the_contract_key_and_token_and_a_replay_registers_nothing_twice():
    server = CoreServer(token="t0ken").start()
    try:
        gw = gateway(server, token="t0ken")
        key = str(uuid.uuid4())
        first = gw.register(contract=CONTRACT, idempotency_key=key)
        again = gw.register(contract=CONTRACT, idempotency_key=key)
        assert (first.service_id, first.status) == ("svc-gateway", "registered")
        assert again.reference == first.reference
        requests = server.requests("register")
        assert [r["key"] for r in requests] == [key, key]
        assert {r["auth"] for r in requests} == {"Bearer t0ken"}
        assert len(server.applied("register")) == 1
    finally:
        server.stop()


def test_a_wrong_token_is_a_refusal_of_the_portals_credentials_not_of_the_contract():
    server = CoreServer(token="right").start()
    try:
        with pytest.raises(CoreRefusedCredentials, match="401") as refused:
            gateway(server, token="wrong").register(contract=CONTRACT, idempotency_key="k")
        assert refused.value.status_code == 401
        assert not isinstance(refused.value, CorePermanentError)
        assert server.applied() == []
    finally:
        server.stop()


def test_a_403_is_a_refusal_of_the_portals_credentials_too(core):
    core.script("deregister", {"status": 403, "message": "token lacks the integration scope"})
    with pytest.raises(CoreRefusedCredentials, match="token lacks the integration scope"):
        gateway(core).deregister(service_id="svc-gateway", idempotency_key="k-403")
    assert core.applied() == []


@pytest.mark.parametrize(("auth", "sent"), [("bearer", "Bearer s3cret"), ("none", None)])
def test_the_gateway_sends_the_token_only_when_the_core_wants_one(core, settings, auth, sent):
    settings.CAIO_CORE_AUTH, settings.CAIO_CORE_TOKEN = auth, "s3cret"
    get_gateway().register(contract=CONTRACT, idempotency_key=f"k-auth-{auth}")
    assert [r["auth"] for r in core.requests("register")] == [sent]


@pytest.mark.parametrize("code", [500, 503, 429])
def test_5xx_and_429_are_transient_and_apply_nothing(core, code):
    core.script("register", {"status": code, "message": f"scripted {code}"})
    with pytest.raises(CoreTransientError) as caught:
        gateway(core).register(contract=CONTRACT, idempotency_key="k1")
    assert caught.value.status_code == code
    assert f"scripted {code}" in caught.value.message
    assert core.applied() == []


def test_422_is_permanent_and_carries_the_cores_message(core):
    core.script("register", {"status": 422, "message": "capability 'telepathy' is unknown"})
    with pytest.raises(CorePermanentError) as caught:
        gateway(core).register(contract=CONTRACT, idempotency_key="k1")
    assert "capability 'telepathy' is unknown" in caught.value.message
    assert caught.value.status_code == 422


def test_a_hanging_core_is_a_transient_timeout_and_the_same_key_is_safe_to_retry(core):
    core.script("register", {"hang": 5})
    gw = gateway(core, timeout=0.3)
    with pytest.raises(CoreTransientError, match="did not answer in time"):
        gw.register(contract=CONTRACT, idempotency_key="k-hang")
    core.release()
    result = gw.register(contract=CONTRACT, idempotency_key="k-hang")
    assert result.status == "registered"
    assert len(core.applied("register")) == 1
    assert len(core.requests("register")) == 2


def test_a_slow_answer_within_the_timeout_succeeds(core):
    core.script("register", {"delay": 0.2})
    assert gateway(core, timeout=2).register(contract=CONTRACT, idempotency_key="k").status == (
        "registered")


def test_malformed_json_is_transient_and_a_retry_gets_the_stored_answer(core):
    core.script("register", {"malformed": True})
    gw = gateway(core)
    with pytest.raises(CoreTransientError, match="not a JSON object"):
        gw.register(contract=CONTRACT, idempotency_key="k-bad")
    assert gw.register(contract=CONTRACT, idempotency_key="k-bad").service_id == "svc-gateway"
    assert len(core.applied("register")) == 1


def test_an_unreachable_core_is_transient():
    gw = HttpCoreGateway(url=f"http://127.0.0.1:{free_port()}", token="", timeout=1)
    with pytest.raises(CoreTransientError, match="Could not reach"):
        gw.register(contract=CONTRACT, idempotency_key="k")
    assert gw.health()["ok"] is False


def test_the_same_key_for_a_different_contract_is_refused(core):
    gw = gateway(core)
    gw.register(contract=CONTRACT, idempotency_key="k-same")
    with pytest.raises(CorePermanentError, match="different request"):
        gw.register(contract={**CONTRACT, "version": "2.0.0"}, idempotency_key="k-same")


def test_deregister_withdraws_a_registered_service_and_reports_an_unknown_one(core):
    gw = gateway(core)
    gw.register(contract=CONTRACT, idempotency_key="k-reg")
    assert gw.deregister(service_id="svc-gateway", idempotency_key="k-dereg").status == (
        "deregistered")
    assert gw.deregister(service_id="svc-gateway", idempotency_key="k-dereg").status == (
        "deregistered")
    assert gw.deregister(service_id="svc-nobody", idempotency_key="k-2").status == "not_registered"
    assert gw.health()["ok"] is True


def test_get_gateway_speaks_http_when_a_core_url_is_set(core):
    gw = get_gateway()
    assert isinstance(gw, HttpCoreGateway) and gw.url == core.url
    assert get_gateway() is gw  # one connection pool per process
