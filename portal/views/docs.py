"""Documentation pages and the public contract schema."""

from __future__ import annotations

from caio_integration.contracts import (
    CAPABILITY_DESCRIPTIONS,
    SCHEMA_VERSION,
    field_specs,
    schema_text,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.docs import PAGES, PAGES_BY_SLUG, page_html


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "docs/index.html", {"pages": PAGES})


@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    doc = PAGES_BY_SLUG.get(slug)
    if doc is None:
        raise Http404("No such documentation page.")
    if doc.file is None:
        return contract_reference(request, doc)
    return render(request, "docs/page.html", {"doc": doc, "pages": PAGES, "html": page_html(doc)})


def contract_reference(request: HttpRequest, doc) -> HttpResponse:
    return render(request, "docs/contracts.html", {
        "doc": doc,
        "pages": PAGES,
        "fields": [(spec.path[1:].replace("/", "."), spec) for spec in field_specs()],
        "capabilities": sorted(CAPABILITY_DESCRIPTIONS.items()),
        "schema_version": SCHEMA_VERSION,
    })


@require_GET
def contract_schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(schema_text(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
