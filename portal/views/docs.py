"""Documentation pages, their search, and the public contract schema."""

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

from portal.docs import (
    PAGES,
    PAGES_BY_SLUG,
    Heading,
    mentions_token,
    neighbours,
    page_rendered,
    sections,
)
from portal.docs_search import MAX_QUERY, search

CONTRACT_TOC = (Heading(2, "fields", "Fields"), Heading(2, "rules", "Rules beyond the schema"),
                Heading(2, "capabilities", "Capability vocabulary"))


def _context(doc) -> dict:
    previous, following = neighbours(doc)
    return {"doc": doc, "sections": sections(), "previous": previous, "next": following}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "docs/index.html", {"sections": sections(), "pages": PAGES})


@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    doc = PAGES_BY_SLUG.get(slug)
    if doc is None:
        raise Http404("No such documentation page.")
    if doc.file is None:
        return contract_reference(request, doc)
    rendered = page_rendered(doc, request.build_absolute_uri("/"))
    return render(request, "docs/page.html", {
        **_context(doc), "html": rendered.html, "toc": rendered.toc,
        "token_note": mentions_token(doc),
    })


def contract_reference(request: HttpRequest, doc) -> HttpResponse:
    return render(request, "docs/contracts.html", {
        **_context(doc),
        "toc": CONTRACT_TOC,
        "fields": [(spec.path[1:].replace("/", "."), spec) for spec in field_specs()],
        "capabilities": sorted(CAPABILITY_DESCRIPTIONS.items()),
        "schema_version": SCHEMA_VERSION,
    })


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    return render(request, "docs/search.html", {
        "sections": sections(), "query": query, "results": search(query) if query else [],
    })


@require_GET
def contract_schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(schema_text(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
