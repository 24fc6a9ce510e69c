"""The embedded local core: its own table, the HTTP core's semantics, idempotency included."""

from __future__ import annotations

import pytest

from integrations.models import LocalCoreEntry, RegisteredService
from integrations.pipeline.core import CorePermanentError, get_gateway
from integrations.pipeline.core.local import LocalCoreGateway

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

CONTRACT = {"service_id": "svc-local", "version": "1.0.0"}


def test_the_local_core_is_the_default_without_a_core_url(settings):
    settings.CAIO_CORE_URL = ""
    assert isinstance(get_gateway(), LocalCoreGateway)


def test_the_same_key_registers_once_and_replays_the_answer():
    core = LocalCoreGateway()
    first = core.register(contract=CONTRACT, idempotency_key="k1")
    again = core.register(contract=CONTRACT, idempotency_key="k1")
    assert first == again and first.status == "registered"
    assert LocalCoreEntry.objects.count() == 1
    assert core.registered_service_ids() == {"svc-local"}
    assert not RegisteredService.objects.exists()  # a separate system from the catalogue


def test_a_contract_without_a_service_id_is_refused_permanently():
    with pytest.raises(CorePermanentError, match="service_id is missing"):
        LocalCoreGateway().register(contract={"version": "1.0.0"}, idempotency_key="k")


def test_a_key_reused_for_a_different_request_is_refused():
    core = LocalCoreGateway()
    core.register(contract=CONTRACT, idempotency_key="k1")
    with pytest.raises(CorePermanentError, match="different request"):
        core.register(contract={**CONTRACT, "version": "2.0.0"}, idempotency_key="k1")


def test_deregister_removes_the_service_once():
    core = LocalCoreGateway()
    core.register(contract=CONTRACT, idempotency_key="k1")
    assert core.deregister(service_id="svc-local", idempotency_key="d1").status == "deregistered"
    assert core.deregister(service_id="svc-local", idempotency_key="d1").status == "deregistered"
    assert core.registered_service_ids() == set()
    assert core.deregister(service_id="svc-local", idempotency_key="d2").status == "not_registered"
    assert core.health()["ok"] is True
