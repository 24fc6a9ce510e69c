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
from django.shortcuts import redirect, render
from django.urls import reverse
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
    catalogue_version_diff,
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
COMPARE_KEPT = 20  # ticked services the list keeps in its URL (`ids`), at most
_SERVICE_ID = re.compile(r"[-a-zA-Z0-9_]{1,63}")
# The list's own parameters: the compare form carries them, so a refused comparison comes back
# to the same list, page and filters.
LIST_STATE = (*CatalogueFilterForm.base_fields, "page")


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
    state.pop("compare", None)
    return render(request, "catalogue/list.html", {
        **_compare_selection(request, page.object_list),
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
    versions = list(catalogue_versions(service))
    return render(request, "catalogue/detail.html", {
        "service": service,
        "version": version,
        "versions": versions,
        **_version_changes(request, service, versions),
        "yaml_text": version.revision.text,
        "endpoint_is_https": _is_https(version.endpoint),
        "docs_is_https": _is_https(version.documentation_url),
        "contact_is_email": _is_email(version.contact),
        "can_manage": can_manage,
        "pending": pending,
    })


def _version_changes(request: HttpRequest, service: RegisteredService,
                     versions: list[ServiceVersion]) -> dict:
    """The version history's picker (newest first) and, when the visitor picked two versions
    (`?from=1.0.0&to=1.1.0`), what changed between them. Only registered versions are offered
    or compared (catalogue_version_diff)."""
    names = [v.version for v in versions]
    picked_from = request.GET.get("from", "")[:100]
    picked_to = request.GET.get("to", "")[:100]
    context = {"diff": None, "diff_error": None,
               "diff_from": picked_from or (names[1] if len(names) > 1 else ""),
               "diff_to": picked_to or (names[0] if names else "")}
    if not (picked_from or picked_to):
        return context
    if picked_from not in names or picked_to not in names:
        context["diff_error"] = "Pick two registered versions of this service."
        return context
    context["diff"] = catalogue_version_diff(service=service, old=picked_from, new=picked_to)
    return context


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
    """The ticked services (`ids`, repeated or comma-separated), in order, without repeats."""
    ids: list[str] = []
    for raw in request.GET.getlist("ids"):
        ids += [part.strip() for part in raw.split(",") if part.strip()]
    return list(dict.fromkeys(ids))


def _list_state(request: HttpRequest) -> list[tuple[str, str]]:
    """The list's parameters in this request (filters, sort, page), for coming back to it."""
    return [(name, value[:200]) for name in LIST_STATE for value in request.GET.getlist(name)]


def compare_message(count: int) -> str:
    """What the list says about the services ticked for comparison ("" when they can be
    compared)."""
    if count == 0:
        return f"Tick {COMPARE_MIN} to {COMPARE_MAX} services, then press Compare."
    if count < COMPARE_MIN:
        more = f"{COMPARE_MIN - count} to {COMPARE_MAX - count}"
        return f"{count} service ticked: tick {more} more to compare, then press Compare."
    if count > COMPARE_MAX:
        return (f"{count} services ticked: compare takes at most {COMPARE_MAX}. "
                f"Untick {count - COMPARE_MAX}, then press Compare.")
    return ""


def _compare_selection(request: HttpRequest, rows) -> dict:
    """The list's compare bar: the ticks kept in the URL (`ids`; those on other pages listed
    apart), the list's state for the compare form, and what to say about the selection."""
    ids = [i for i in _compare_ids(request) if _SERVICE_ID.fullmatch(i)][:COMPARE_KEPT]
    on_page = {e.service_id for e in rows}
    elsewhere_ids = [i for i in ids if i not in on_page]
    found = catalogue_entries_by_ids(elsewhere_ids) if elsewhere_ids else {}
    asked = bool(ids) or request.GET.get("compare") == "none"
    return {
        "ticked": set(ids),
        "ticked_ids": ",".join(ids),
        "ticked_elsewhere": [found[i] for i in elsewhere_ids if i in found],
        "compare_message": compare_message(len(ids)) if asked else "",
        "list_state": _list_state(request),
    }


@require_GET
def service_compare(request: HttpRequest) -> HttpResponse:
    """2 to 4 services side by side. Any other number goes back to the list (its filters and
    page) with the ticks kept and a message."""
    ids = _compare_ids(request)
    state = _list_state(request)
    if not COMPARE_MIN <= len(ids) <= COMPARE_MAX:
        ticks = [("ids", ",".join(ids[:COMPARE_KEPT]))] if ids else [("compare", "none")]
        return redirect(f"{reverse('catalogue:list')}?{urlencode(state + ticks)}")
    found = catalogue_entries_by_ids(ids)
    entries = [found[i] for i in ids if i in found]
    missing = [i for i in ids if i not in found]
    selection = reverse("catalogue:list") + "?" + urlencode(state + [("ids", ",".join(ids))])
    return render(request, "catalogue/compare.html", {
        "entries": entries, "missing": missing, "change_selection": selection,
        "removals": [(e, "?" + urlencode(
            state + [("ids", ",".join(i for i in ids if i != e.service_id))]))
            for e in entries],
    })
