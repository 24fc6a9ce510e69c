"""Catalogue reads: the public listing (discovery + text search + owner), facets, service pages.

Matching rules live in integrations/catalogue/discovery.py only; this module adds what a page needs on
top of discovery's QuerySet.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace

from caio_integration.contracts import Change, DiffLine, compare, is_breaking, text_diff
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from integrations.catalogue import discovery
from integrations.catalogue.discovery import DiscoveryQuery
from integrations.catalogue.publishing import CAPABILITY, LANGUAGE, catalogue_generation, owner_key
from integrations.models import CatalogueEntry, RegisteredService, ServiceVersion

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


def _vector() -> str:
    """The entry table's generated tsvector column (PostgreSQL only; see migration 0003)."""
    quote = connection.ops.quote_name
    return f"{quote(CatalogueEntry._meta.db_table)}.{quote('search_vector')}"


def search_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")][:MAX_SEARCH_WORDS]


def catalogue_text_filter(qs: QuerySet, text: str) -> QuerySet:
    """Full-text search over name, service id, description, tags and the owner's display name.

    PostgreSQL: the generated, GIN-indexed tsvector (`websearch_to_tsquery`, English stemming).
    Elsewhere: every word must occur in the lowercased search text (a substring match).
    """
    text = (text or "").strip()[:200]
    if not text:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(RawSQL(f"{_vector()} @@ {_TSQUERY}", [text], output_field=BooleanField()))
    for word in search_words(text):
        qs = qs.filter(search_text__contains=word)
    return qs


def _relevance(text: str):
    if connection.vendor == "postgresql":
        return RawSQL(f"ts_rank_cd({_vector()}, {_TSQUERY})", [text], output_field=FloatField())
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


def catalogue_owner_filter(qs: QuerySet, owner: str) -> QuerySet:
    """Services whose owner's display name contains `owner`, ignoring case ("dana" finds
    "Dana Data")."""
    owner = (owner or "").strip()[:60]
    return qs.filter(owner_key__contains=owner_key(owner)) if owner else qs


def catalogue_filtered(listing: Listing) -> QuerySet:
    """Discovery's matches narrowed by text and owner; unordered."""
    qs = discovery.filtered(listing.query)
    qs = catalogue_text_filter(qs, listing.text)
    return catalogue_owner_filter(qs, listing.owner)


def catalogue_listing(listing: Listing) -> QuerySet:
    """The catalogue list: active first, then deprecated (marked); then the chosen sort."""
    qs = catalogue_filtered(listing)
    currency = listing.query.currency
    if listing.sort == SORT_RELEVANCE and listing.text.strip():
        qs = qs.annotate(relevance=_relevance(listing.text.strip()[:200]))
        rest = discovery.ordering(discovery.SORT_COST, currency)[1:]
        return qs.order_by(F("deprecated").asc(), F("relevance").desc(), *rest)
    sort = _SORT_TO_DISCOVERY.get(listing.sort, discovery.SORT_COST)
    return discovery.sorted_by(qs, sort, currency)


def catalogue_stats(qs: QuerySet, cap: int) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """min(matches, cap) and, when under the cap, exact capability and language counts.

    One statement: the matching rows (at most cap + 1; the planner picks its plan, typically GIN
    bitmaps for narrow sets) are counted and their arrays unnested and grouped. Above the cap the
    facets are empty and the caller shows `catalogue_facets_overall()`, marked approximate.
    """
    qs = qs.order_by()
    try:
        return _stats(qs, cap)
    except EmptyResultSet:  # Django proved the filters match nothing
        return 0, {}


def catalogue_counts(listing: Listing, cap: int) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """`catalogue_stats` of the listing's matches, kept in the cache when it is shared.

    Counting the matches and their facets is the list's most expensive statement (a bitmap scan
    that reads up to cap + 1 rows and unnests their arrays: 10-50 ms at 100,000 services), and
    its answer changes only when the catalogue does. With CATALOGUE_COUNTS_CACHE_SECONDS set, the
    answer is kept under a key made of the catalogue's generation (replaced by
    publishing.catalogue_changed on every change) and the listing's filters, for that long.
    The uncached path is `catalogue_stats` itself; tests/catalogue/test_counts_cache.py checks
    that both give the same answers as the catalogue changes.
    """
    seconds = settings.CATALOGUE_COUNTS_CACHE_SECONDS
    if not seconds:
        return catalogue_stats(catalogue_filtered(listing), cap)
    filters = repr((connection.vendor, cap, replace(listing, sort="")))
    key = (f"catalogue:counts:{catalogue_generation()}:"
           f"{hashlib.sha256(filters.encode()).hexdigest()[:32]}")
    found = cache.get(key)
    if found is None:
        found = catalogue_stats(catalogue_filtered(listing), cap)
        cache.set(key, found, seconds)
    return found


def _stats(qs: QuerySet, cap: int) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    if connection.vendor == "postgresql":
        inner_sql, params = qs.values("capabilities", "languages")[: cap + 1].query.sql_with_params()
        sql = (
            f"WITH m AS MATERIALIZED ({inner_sql}), n AS (SELECT COUNT(*) AS n FROM m) "
            "SELECT 'n', '', n FROM n "
            "UNION ALL SELECT 'c', v, COUNT(*) FROM m CROSS JOIN unnest(m.capabilities) AS v "
            f"WHERE (SELECT n FROM n) <= {int(cap)} GROUP BY v "
            "UNION ALL SELECT 'l', v, COUNT(*) FROM m CROSS JOIN unnest(m.languages) AS v "
            f"WHERE (SELECT n FROM n) <= {int(cap)} GROUP BY v"
        )
    else:
        inner_sql, params = qs.values("pk")[: cap + 1].query.sql_with_params()
        sql = (
            f"WITH m AS ({inner_sql}), n AS (SELECT COUNT(*) AS n FROM m) "
            "SELECT 'n', '', n FROM n UNION ALL "
            "SELECT kind, value, COUNT(*) FROM integrations_catalogueterm "
            f"WHERE entry_id IN (SELECT pk FROM m) AND (SELECT n FROM n) <= {int(cap)} "
            "GROUP BY kind, value"
        )
    rows = _facet_rows(sql, params)
    total = rows.pop("n")[0][1]
    return min(total, cap), ({} if total > cap else rows)


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


@dataclass
class VersionDiff:
    """Two registered versions of a service: the SDK's change list (with breaking flags, as the
    reviewer reads it) and the line diff of their contract texts."""

    old: ServiceVersion
    new: ServiceVersion
    changes: list[Change] = field(default_factory=list)
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return is_breaking(self.changes)


def catalogue_version_diff(*, service: RegisteredService, old: str, new: str) -> VersionDiff | None:
    """Compare two public versions of `service`, named by their version strings.

    Only registered versions (ServiceVersion rows) can be named, never a revision that was not
    registered (a draft, a submission under review): None when either is not one.
    """
    found = {v.version: v for v in ServiceVersion.objects.select_related("revision")
             .filter(service=service, version__in=[old, new])}
    if old not in found or new not in found:
        return None
    before, after = found[old].revision, found[new].revision
    return VersionDiff(old=found[old], new=found[new], changes=compare(before.data, after.data),
                       lines=text_diff(before.text, after.text))


def catalogue_entries_by_ids(service_ids: list[str]) -> dict[str, CatalogueEntry]:
    entries = CatalogueEntry.objects.filter(service_id__in=service_ids)
    return {e.service_id: e for e in entries}


def catalogue_facets_overall() -> dict[str, list[tuple[str, int]]]:
    """Catalogue-wide counts (refreshed at most every 5 minutes; see discovery.term_counts)."""
    counts = discovery.term_counts()
    return {kind: sorted(counts[kind].items(), key=lambda r: (-r[1], r[0]))
            for kind in (CAPABILITY, LANGUAGE)}


class CataloguePage:
    """What Django's Paginator pages over: a capped count and two-step page fetches.

    Relevance ranking reads every match's tsvector, so it is used up to `cap` matches; beyond
    that the page is ordered by the default ranking instead (`relevance_dropped` says so).
    """

    def __init__(self, listing: Listing, cap: int):
        self.listing = listing
        self.cap = cap
        self.ordered = True
        self.relevance_dropped = False
        self._count: int | None = None
        self.facets: dict[str, list[tuple[str, int]]] = {}

    def count(self) -> int:
        if self._count is None:
            self._count, self.facets = catalogue_counts(self.listing, self.cap)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("CataloguePage supports slices only")
        listing, text = self.listing, self.listing.text.strip()
        if text and listing.sort == SORT_RELEVANCE and self.count() >= self.cap:
            listing = replace(listing, sort="cheapest")
            self.relevance_dropped = True
        capped = self.count() >= self.cap
        walk = capped or (listing.sort in ("fastest", "newest") and not text
                          and not listing.owner.strip() and discovery.is_broad(listing.query))
        return discovery.fetch(catalogue_listing(listing), index.start or 0, index.stop,
                               walk=walk)
