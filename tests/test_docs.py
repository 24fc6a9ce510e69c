import json

import pytest
from caio_integration.contracts import field_specs
from django.urls import reverse

from portal.docs import PAGES, render_markdown

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_docs_index_lists_every_page(anonymous):
    response = anonymous.get(reverse("portal:docs"))
    assert response.status_code == 200
    for page in PAGES:
        assert reverse("portal:docs_page", args=[page.slug]) in response.content.decode()


@pytest.mark.parametrize("slug", [page.slug for page in PAGES])
def test_every_docs_page_renders(anonymous, slug):
    response = anonymous.get(reverse("portal:docs_page", args=[slug]))
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_unknown_docs_page_is_404(anonymous):
    assert anonymous.get("/docs/no-such-page/").status_code == 404


def test_contract_reference_is_generated_from_the_schema(anonymous):
    body = anonymous.get(reverse("portal:docs_page", args=["contracts"])).content.decode()
    for spec in field_specs():
        assert spec.title in body
    assert "guarantees.latency.p95_ms" in body


def test_contract_schema_is_served_as_json_schema(anonymous):
    response = anonymous.get(reverse("portal:contract_schema"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"service_id", "name", "version", "capabilities"} <= set(schema["required"])


def test_markdown_rendering_strips_raw_html_and_scripts():
    html = render_markdown('# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))').html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
