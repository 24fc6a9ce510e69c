import pytest
from caio_integration.contracts import examples, validate_text
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.catalogue.discovery import DiscoveryQuery, discover
from integrations.models import CatalogueEntry, CatalogueTerm, RegisteredService, ServiceStatus

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_seed_demo_writes_the_examples_and_a_generated_catalogue(capsys):
    call_command("seed_demo", services=120, seed=7)
    assert RegisteredService.objects.count() == 120 + len(examples())
    listed = RegisteredService.objects.exclude(status=ServiceStatus.WITHDRAWN)
    assert CatalogueEntry.objects.count() == listed.count()
    assert CatalogueTerm.objects.filter(kind="c").exists()
    for service in RegisteredService.objects.select_related("current_version__revision")[:40]:
        result = validate_text(service.current_version.revision.text)
        assert result.valid, [d.message for d in result.diagnostics]
        assert result.data["version"] == service.current_version.version
    assert RegisteredService.objects.filter(service_id="vector-embed-v3").exists()
    found = discover(DiscoveryQuery(capabilities=("text_embedding",), max_p95_ms=100))
    assert found.exists()
    assert all(e.p95_ms <= 100 and "text_embedding" in e.capabilities for e in found)


def test_seed_demo_if_empty_leaves_a_catalogue_alone():
    call_command("seed_demo", services=5)
    before = RegisteredService.objects.count()
    call_command("seed_demo", services=5, if_empty=True)
    assert RegisteredService.objects.count() == before


def test_seed_demo_refuses_when_a_real_core_is_configured(settings):
    settings.CAIO_CORE_URL = "https://core.example"
    with pytest.raises(CommandError, match="CAIO_CORE_URL"):
        call_command("seed_demo", services=5)
    assert not RegisteredService.objects.exists()
