"""Catalogue reads: the public listing (discovery + text search + owner), facets, service pages.

Matching rules live in integrations/discovery.py only; this module adds what a page needs on
top of discovery's QuerySet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from integrations import discovery
from integrations.discovery import DiscoveryQuery
from integrations.models import CatalogueEntry, RegisteredService, ServiceVersion
from integrations.services.catalogue import CAPABILITY, LANGUAGE

SORT_RELEVANCE = "relevance"
CATALOGUE_SORTS = {
    SORT_RELEVANCE: "Relevance",
    "cheapest": "Cheapest",
    "fastest": "Fastest",
    "newest": "Newest",
}
_SORT_TO_DISCOVERY = {
    "cheapest": discovery.SORT_COST,
    "fastest": discovery.SORT_LATENCY,
    "newest": discovery.SORT_NEWEST,
}
MAX_SEARCH_WORDS = 8
_WORD = re.compile(r"[\w.-]+", re.UNICODE)
_TSQUERY = "websearch_to_tsquery('english', %s)"
_VECTOR = '"integrations_catalogueentry"."search_vector"'


def search_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")][:MAX_SEARCH_WORDS]


def catalogue_text_filter(qs: QuerySet, text: str) -> QuerySet:
    """Full-text search over name, service id, description and tags.

    PostgreSQL: the generated, GIN-indexed tsvector (`websearch_to_tsquery`, English stemming).
    Elsewhere: every word must occur in the lowercased search text (a substring match).
    """
    text = (text or "").strip()[:200]
    if not text:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(RawSQL(f"{_VECTOR} @@ {_TSQUERY}", [text], output_field=BooleanField()))
    for word in search_words(text):
        qs = qs.filter(search_text__contains=word)
    return qs


def _relevance(text: str):
    if connection.vendor == "postgresql":
        return RawSQL(f"ts_rank_cd({_VECTOR}, {_TSQUERY})", [text], output_field=FloatField())
    first = (search_words(text) or [""])[0]
    return Case(When(name__icontains=text, then=Value(2.0)),
                When(name__icontains=first, then=Value(1.0)),
                default=Value(0.0), output_field=FloatField())


@dataclass(frozen=True)
class Listing:
    """What the catalogue list asked for, after parsing (see catalogue/forms.py)."""

    query: DiscoveryQuery
    text: str = ""
    owner: str = ""
    sort: str = SORT_RELEVANCE


def catalogue_filtered(listing: Listing) -> QuerySet:
    """Discovery's matches narrowed by text and owner; unordered."""
    qs = discovery.filtered(listing.query)
    qs = catalogue_text_filter(qs, listing.text)
    if listing.owner.strip():
        qs = qs.filter(owner_key=listing.owner.strip().lower())
    return qs


def catalogue_listing(listing: Listing) -> QuerySet:
    """The catalogue list: active first, then deprecated (marked); then the chosen sort."""
    qs = catalogue_filtered(listing)
    currency = listing.query.currency
    if listing.sort == SORT_RELEVANCE and listing.text.strip():
        qs = qs.annotate(relevance=_relevance(listing.text.strip()[:200]))
        rest = discovery.ordering(discovery.SORT_COST, currency)[1:]
        return qs.order_by(F("deprecated").asc(), F("relevance").desc(), *rest)
    sort = _SORT_TO_DISCOVERY.get(listing.sort, discovery.SORT_COST)
    return qs.order_by(*discovery.ordering(sort, currency))


def catalogue_facets(qs: QuerySet, limit: int = 5000) -> dict[str, list[tuple[str, int]]] | None:
    """Exact capability and language counts over the filtered set: one grouped query.

    The count walks the matching rows, so it is done only when the set has at most `limit`
    rows (the caller knows the total from pagination); above that the caller shows the
    catalogue-wide counts from `catalogue_facets_overall()` instead, marked approximate.
    """
    inner_sql, params = qs.order_by().values("pk").query.sql_with_params()
    sql = (
        "SELECT kind, value, COUNT(*) FROM integrations_catalogueterm "
        f"WHERE entry_id IN ({inner_sql}) GROUP BY kind, value"
    )
    return _facet_rows(sql, params)


def _facet_rows(sql: str, params) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {CAPABILITY: [], LANGUAGE: []}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, value, count in cursor.fetchall():
            out.setdefault(kind, []).append((value, count))
    for rows in out.values():
        rows.sort(key=lambda r: (-r[1], r[0]))
    return out


def catalogue_service(service_id: str) -> RegisteredService | None:
    """A registered service with what its page shows, in one query (withdrawn included)."""
    return (
        RegisteredService.objects.select_related(
            "contract__owner", "current_version__revision", "successor"
        )
        .filter(service_id=service_id)
        .first()
    )


def catalogue_versions(service: RegisteredService) -> QuerySet:
    return ServiceVersion.objects.filter(service=service).only(
        "id", "service_id", "version", "version_key", "registered_at", "name"
    ).order_by("-version_key")


def catalogue_entries_by_ids(service_ids: list[str]) -> dict[str, CatalogueEntry]:
    entries = CatalogueEntry.objects.filter(service_id__in=service_ids)
    return {e.service_id: e for e in entries}


FACETS_CACHE_KEY = "catalogue:facets:overall:v1"
FACETS_CACHE_SECONDS = 300


def catalogue_facets_overall() -> dict[str, list[tuple[str, int]]]:
    """Catalogue-wide capability and language counts, recomputed at most every 5 minutes.

    Shown (marked approximate) when the filtered set is too large to count exactly on every
    request. Kept in the cache (Redis in production), so every web process shares one copy.
    """
    from django.core.cache import cache

    cached = cache.get(FACETS_CACHE_KEY)
    if cached is None:
        cached = _facet_rows(
            "SELECT kind, value, COUNT(*) FROM integrations_catalogueterm GROUP BY kind, value", []
        )
        cache.set(FACETS_CACHE_KEY, cached, FACETS_CACHE_SECONDS)
    return cached
