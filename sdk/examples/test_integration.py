"""Integration test example."""

import os

import pytest
from caio_integration import CAIOClient
from pathlib import Path

pytestmark = pytest.mark.skipif(
    not os.environ.get("CAIO_URL"),
    reason="set CAIO_URL to a running portal (and CAIO_TOKEN to an API token of it)",
)


@pytest.mark.asyncio
async def test_service_registration():
    """Test service registration."""
    client = CAIOClient(base_url=os.environ["CAIO_URL"])

    # Register service
    service_id = await client.register_service(
        contract_path=Path("contracts/my_service.yaml"),
    )

    assert service_id is not None


@pytest.mark.asyncio
async def test_service_discovery():
    """Test service discovery."""
    client = CAIOClient(base_url=os.environ["CAIO_URL"])

    # Discover services
    services = await client.discover_services(
        capabilities=["text_generation"],
    )

    assert len(services) > 0
