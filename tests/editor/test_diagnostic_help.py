"""Each diagnostic in the editor links to its code's entry in the diagnostics reference."""

import pytest
from django.urls import reverse

from contracts_app.services import contract_save_revision

pytestmark = pytest.mark.django_db


def validate_url():
    return reverse("contracts:validate", kwargs={"service_id": "acme-chat"})


def test_each_diagnostic_in_the_editor_links_to_its_entry(contract, owner_client, latest_text):
    text = latest_text.replace("p99_ms: 200", "p99_ms: 50")
    body = owner_client.post(validate_url(), {"mode": "yaml", "text": text}).content.decode()
    assert 'class="diag-help" href="/docs/diagnostics/#latency-order"' in body


def test_the_contract_page_links_its_diagnostics_too(contract, owner_client, latest_text):
    contract_save_revision(contract=contract, author=contract.owner,
                           text=latest_text.replace("text_embedding", "text_embeding"),
                           base_number=1)
    body = owner_client.get(reverse("contracts:detail", kwargs={"service_id": "acme-chat"}))
    assert 'href="/docs/diagnostics/#unknown-capability"' in body.content.decode()


def test_an_outsider_gets_no_diagnostics_and_no_links(contract, other_client):
    response = other_client.post(validate_url(), {"mode": "yaml", "text": "a: [\n"})
    assert response.status_code == 404
