"""The public catalogue: list (search, filters, facets, pagination), service page, YAML, compare.

The owner's deprecate / withdraw buttons on a service page lead to the submission panel's
confirmation (integrations/review/views.py), the one view that starts those operations.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from caio_integration.contracts import LANGUAGES
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrations.catalogue.forms import CAPABILITY_CHOICES, CatalogueFilterForm
from integrations.catalogue.links import service_links
from integrations.catalogue.publishing import CAPABILITY, LANGUAGE
from integrations.catalogue.selectors import (
    CATALOGUE_SORTS,
    CataloguePage,
    catalogue_entries_by_ids,
    catalogue_facets_overall,
    catalogue_service,
    catalogue_versions,
)
from integrations.models import RegisteredService, ServiceOperation, ServiceStatus, ServiceVersion

PAGE_SIZE = 20
LANGUAGES_SHOWN = 24
# name, type, step, max: rendered by hand (widget templates cost more than the whole query)
INPUTS = (
    ("max_p95", "number", "1", None),
    ("min_accuracy", "number", "any", "1"),
    ("min_availability", "number", "any", "100"),
    ("max_price", "number", "any", None),
    ("currency", "select", None, None),
    ("owner", "text", None, None),
)
LIST_CAP = 2000  # counted exactly up to here; beyond, "2000+" and approximate facets
COMPARE_MIN, COMPARE_MAX = 2, 4


def _input(form, request, name, kind, step, maximum) -> dict:
    field = form.fields[name]
    value = request.GET.get(name, "") or ("USD" if name == "currency" else "")
    return {
        "name": name, "label": field.label, "type": kind, "step": step, "max": maximum,
        "value": value[:200], "errors": form.errors.get(name) if form.is_bound else None,
        "options": [c for c, _ in field.choices] if kind == "select" else None,
    }


def _page_number(raw: str | None) -> int:
    """Page 1 for anything that is not a whole number >= 1 (past the end: the last page)."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _is_https(url: str) -> bool:
    """Only https URLs with a host become links (never javascript:, data: or plain http)."""
    parts = urlsplit(url or "")
    return parts.scheme == "https" and bool(parts.netloc)


def _is_email(value: str) -> bool:
    """Only a well-formed address becomes a mailto: link."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _gone(request: HttpRequest, service: RegisteredService) -> HttpResponse:
    return render(request, "catalogue/gone.html", {"service": service}, status=410)


def link_rows(entries) -> None:
    """Set each listed entry's `detail_url` (one reverse() for the page: catalogue/links.py)."""
    link = service_links("catalogue:detail")
    for entry in entries:
        entry.detail_url = link(entry.service_id)


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    listing = form.listing()
    source = CataloguePage(listing, LIST_CAP)
    paginator = Paginator(source, PAGE_SIZE)
    page = paginator.get_page(_page_number(request.GET.get("page")))
    link_rows(page.object_list)
    total = paginator.count
    capped = total >= LIST_CAP
    if capped:
        facets, facets_exact = catalogue_facets_overall(), False
    else:
        facets, facets_exact = source.facets, True
    counts = {CAPABILITY: {}, LANGUAGE: {}}
    counts.update({kind: dict(rows) for kind, rows in facets.items()})
    capability_facets = [
        (value, label, counts[CAPABILITY].get(value, 0), value in listing.query.capabilities)
        for value, label in CAPABILITY_CHOICES
    ]
    capability_facets.sort(key=lambda f: (not f[3], -f[2], f[0]))
    shown_languages = [v for v, _ in (facets.get(LANGUAGE) or [])[:LANGUAGES_SHOWN]]
    shown_languages += [v for v in listing.query.languages if v not in shown_languages]
    language_facets = [
        (value, LANGUAGES.get(value, value), counts[LANGUAGE].get(value, 0),
         value in listing.query.languages)
        for value in shown_languages
    ]
    state = request.GET.copy()
    state.pop("page", None)
    return render(request, "catalogue/list.html", {
        "form": form,
        "page": page,
        "total": total,
        "capped": capped,
        "relevance_dropped": source.relevance_dropped,
        "query_string": state.urlencode(),
        "capability_facets": capability_facets,
        "language_facets": language_facets,
        "values": {"q": request.GET.get("q", ""), "sort": request.GET.get("sort", "")},
        "sorts": list(CATALOGUE_SORTS.items()),
        "inputs": [_input(form, request, *spec) for spec in INPUTS],
        "facets_exact": facets_exact,
        "has_filters": form.is_bound and form.active_filters(),
    })


@require_GET
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    service = catalogue_service(service_id)
    if service is None or service.current_version is None:
        raise Http404("No such service.")
    if service.status == ServiceStatus.WITHDRAWN:
        return _gone(request, service)
    user = request.user
    can_manage = service.contract.is_editable_by(user)  # the owner; staff use the admin
    pending = None
    if can_manage:
        pending = ServiceOperation.objects.filter(
            service=service, status__in=["queued", "running"]).first()
    version = service.current_version
    return render(request, "catalogue/detail.html", {
        "service": service,
        "version": version,
        "versions": catalogue_versions(service),
        "yaml_text": version.revision.text,
        "endpoint_is_https": _is_https(version.endpoint),
        "docs_is_https": _is_https(version.documentation_url),
        "contact_is_email": _is_email(version.contact),
        "can_manage": can_manage,
        "pending": pending,
    })


@require_GET
def version_yaml(request: HttpRequest, service_id: str, version: str) -> HttpResponse:
    found = (ServiceVersion.objects.select_related("revision", "service")
             .filter(service__service_id=service_id, version=version).first())
    if found is None:
        raise Http404("No such service version.")
    if found.service.status == ServiceStatus.WITHDRAWN:
        return _gone(request, found.service)
    response = HttpResponse(found.revision.text, content_type="application/yaml; charset=utf-8")
    safe_version = re.sub(r"[^0-9A-Za-z.+-]", "_", found.version)
    response["Content-Disposition"] = (
        f'attachment; filename="{found.service.service_id}-{safe_version}.yaml"')
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _compare_ids(request: HttpRequest) -> list[str]:
    ids: list[str] = []
    for raw in request.GET.getlist("ids"):
        ids += [part.strip() for part in raw.split(",") if part.strip()]
    return list(dict.fromkeys(ids))


@require_GET
def service_compare(request: HttpRequest) -> HttpResponse:
    ids = _compare_ids(request)
    error = None
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        error = f"Tick {COMPARE_MIN} to {COMPARE_MAX} services to compare (you chose {len(ids)})."
        entries, missing = [], []
    else:
        found = catalogue_entries_by_ids(ids)
        entries = [found[i] for i in ids if i in found]
        missing = [i for i in ids if i not in found]
    return render(request, "catalogue/compare.html", {
        "entries": entries, "missing": missing, "error": error,
        "back": "?" + urlencode({"ids": ",".join(ids)}) if ids else "",
    }, status=400 if error else 200)
