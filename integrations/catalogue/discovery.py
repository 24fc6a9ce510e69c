"""Guarantee-aware discovery: the one place that decides which services match a query.

`discover(query)` returns an ordered QuerySet of `CatalogueEntry` rows (one per listed service at
its current version). It runs entirely in the database over indexed columns:

- PostgreSQL: capabilities and languages are `text[]` columns with GIN indexes, matched with
  `@>`; the default ranking has a matching expression index (see migration catalogue_entry).
- SQLite (and any other database): membership goes through the `CatalogueTerm` child table,
  indexed on (kind, value, entry), one `IN (subquery)` per requested value.

Rules:
- every requested capability and language must be declared;
- each requested bound needs a declared value that satisfies it (a missing guarantee never
  matches: SQL comparisons with NULL are false);
- cost bounds compare only within the query's currency (USD by default);
- active services only, plus deprecated ones with `include_deprecated` (always after the active);
  withdrawn services have no CatalogueEntry at all;
- default order: cost per request (in the query's currency; none or another currency sorts
  last), then p95 latency (missing last), then service_id.

The catalogue list (integrations/catalogue/selectors.py) extends the QuerySet with text search, an owner
filter and pagination; the REST API reuses it. `explain(entry, query)` says why a row matched.
"""

from __future__ import annotations

import base64
import hashlib
import json
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, DecimalField, F, OrderBy, QuerySet, Value, When

from integrations.catalogue.publishing import CAPABILITY, LANGUAGE
from integrations.models import CatalogueEntry, CatalogueTerm

DEFAULT_CURRENCY = "USD"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_VALUES = 20  # capabilities or languages in one query

SORT_COST = "cost"
SORT_LATENCY = "latency"
SORT_NEWEST = "newest"
SORTS = (SORT_COST, SORT_LATENCY, SORT_NEWEST)


@dataclass(frozen=True)
class Bound:
    """One numeric bound a query may set: its query attribute, column, direction and label."""

    param: str
    column: str
    op: str  # "lte" (a maximum) or "gte" (a minimum)
    label: str
    cost: bool = False  # compared only within the query's currency


BOUNDS: tuple[Bound, ...] = (
    Bound("max_p95_ms", "p95_ms", "lte", "guarantees.latency.p95_ms"),
    Bound("max_p99_ms", "p99_ms", "lte", "guarantees.latency.p99_ms"),
    Bound("min_accuracy", "accuracy_min", "gte", "guarantees.accuracy.min"),
    Bound("min_availability", "availability_target", "gte", "guarantees.availability.target"),
    Bound("min_max_tokens", "max_tokens", "gte", "constraints.max_tokens"),
    Bound("min_max_images", "max_images", "gte", "constraints.max_images"),
    Bound("max_cost_per_request", "cost_per_request", "lte", "cost.per_request", cost=True),
    Bound("max_cost_per_token", "cost_per_token", "lte", "cost.per_token", cost=True),
)


class DiscoveryQueryError(ValueError):
    """A query that cannot run; `field` names the offending input."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DiscoveryQuery:
    capabilities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    max_p95_ms: int | None = None
    max_p99_ms: int | None = None
    min_accuracy: float | None = None
    min_availability: float | None = None
    min_max_tokens: int | None = None
    min_max_images: int | None = None
    max_cost_per_request: Decimal | None = None
    max_cost_per_token: Decimal | None = None
    currency: str = DEFAULT_CURRENCY
    include_deprecated: bool = False
    sort: str = SORT_COST
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        for name in ("capabilities", "languages"):
            values = getattr(self, name)
            if isinstance(values, str):
                raise DiscoveryQueryError(name, "give a list of values, not a string")
            values = tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
            if len(values) > MAX_VALUES:
                raise DiscoveryQueryError(name, f"at most {MAX_VALUES} values")
            object.__setattr__(self, name, values)
        for bound in BOUNDS:
            value = getattr(self, bound.param)
            if value is None:
                continue
            if isinstance(value, bool):
                raise DiscoveryQueryError(bound.param, "must be a number")
            if bound.cost:
                try:
                    value = Decimal(str(value))
                except ArithmeticError:
                    raise DiscoveryQueryError(bound.param, "must be a decimal number") from None
                if not value.is_finite():
                    raise DiscoveryQueryError(bound.param, "must be a finite number")
            elif not isinstance(value, int | float):
                raise DiscoveryQueryError(bound.param, "must be a number")
            if value < 0 or value != value:
                raise DiscoveryQueryError(bound.param, "must be zero or more")
            object.__setattr__(self, bound.param, value)
        currency = str(self.currency or DEFAULT_CURRENCY).strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise DiscoveryQueryError("currency", "a three-letter ISO 4217 code, such as USD")
        object.__setattr__(self, "currency", currency)
        if self.sort not in SORTS:
            raise DiscoveryQueryError("sort", f"one of {', '.join(SORTS)}")
        if not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise DiscoveryQueryError("limit", f"a whole number from 1 to {MAX_LIMIT}")

    def requested_bounds(self) -> list[tuple[Bound, Any]]:
        return [(b, getattr(self, b.param)) for b in BOUNDS if getattr(self, b.param) is not None]


@dataclass(frozen=True)
class Reason:
    """The declared value beside one requested bound or set."""

    field: str
    requested: Any
    declared: Any
    op: str  # "<=", ">=", "includes"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "op": self.op, "requested": plain_value(self.requested),
                "declared": plain_value(self.declared)}


@dataclass
class Match:
    entry: CatalogueEntry
    reasons: list[Reason] = field(default_factory=list)


def plain_value(value: Any) -> Any:
    """A value as JSON shows it: a Decimal as a plain string ("0.002", never "2E-3"), a tuple as
    a list."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 0.00200000 -> "0.002", never "2E-3"
    if isinstance(value, tuple):
        return list(value)
    return value


def cost_key(currency: str) -> Case:
    """Cost per request in `currency`; NULL for no per-request cost or another currency."""
    return Case(
        When(currency=currency, then=F("cost_per_request")),
        default=Value(None),
        output_field=DecimalField(max_digits=18, decimal_places=8),
    )


def ordering(sort: str, currency: str = DEFAULT_CURRENCY) -> list[OrderBy]:
    """The ORDER BY of a sort; active always before deprecated, service_id last (a total order)."""
    cost = cost_key(currency).asc(nulls_last=True)
    p95 = F("p95_ms").asc(nulls_last=True)
    head = [F("deprecated").asc()]
    if sort == SORT_LATENCY:
        return [*head, p95, cost, F("service_id").asc()]
    if sort == SORT_NEWEST:
        return [*head, F("registered_at").desc(), F("service_id").asc()]
    return [*head, cost, p95, F("service_id").asc()]


def _has_all(qs: QuerySet, column: str, kind: str, values: tuple[str, ...]) -> QuerySet:
    if not values:
        return qs
    if connection.vendor == "postgresql":
        # One clause per value (not one @> of them all): each matches a partial index predicate
        # (migration catalogue_capability_indexes), and the planner walks the rarest one.
        for value in values:
            qs = qs.filter(**{f"{column}__has_all": [value]})
        return qs
    for value in values:
        qs = qs.filter(pk__in=CatalogueTerm.objects.filter(kind=kind, value=value).values("entry_id"))
    return qs


def filtered(query: DiscoveryQuery, base: QuerySet | None = None) -> QuerySet:
    """The matching entries, unordered (for counting and facets)."""
    qs = CatalogueEntry.objects.all() if base is None else base
    if not query.include_deprecated:
        qs = qs.filter(deprecated=False)
    qs = _has_all(qs, "capabilities", CAPABILITY, query.capabilities)
    qs = _has_all(qs, "languages", LANGUAGE, query.languages)
    cost_bounded = False
    for bound, value in query.requested_bounds():
        qs = qs.filter(**{f"{bound.column}__{bound.op}": value})
        cost_bounded = cost_bounded or bound.cost
    if cost_bounded:
        qs = qs.filter(currency=query.currency)
    return qs


def discover(query: DiscoveryQuery, base: QuerySet | None = None) -> QuerySet:
    """Matching entries in ranking order, unsliced (callers paginate or apply `query.limit`)."""
    return sorted_by(filtered(query, base), query.sort, query.currency)


def sorted_by(qs: QuerySet, sort: str, currency: str = DEFAULT_CURRENCY) -> QuerySet:
    return qs.order_by(*ordering(sort, currency))


def explain(entry: CatalogueEntry, query: DiscoveryQuery) -> list[Reason]:
    """Why `entry` matched `query`: each requested bound with the value the service declares."""
    reasons = []
    if query.capabilities:
        reasons.append(Reason("capabilities", query.capabilities, entry.capabilities, "includes"))
    if query.languages:
        reasons.append(Reason("constraints.supported_languages", query.languages,
                              entry.languages, "includes"))
    for bound, value in query.requested_bounds():
        declared = getattr(entry, bound.column)
        if bound.cost:
            value, declared = f"{plain_value(value)} {query.currency}", f"{plain_value(declared)} {entry.currency}"
        reasons.append(Reason(bound.label, value, declared, "<=" if bound.op == "lte" else ">="))
    return reasons


def discover_matches(query: DiscoveryQuery, offset: int = 0) -> list[Match]:
    """`query.limit` matches from `offset` on, each with its reasons (see `fetch`)."""
    # The default order is walked unaided (partial ranking index per capability); other orders
    # of a broad query need the hint.
    walk = query.sort != SORT_COST and is_broad(query)
    entries = fetch(discover(query), offset, offset + query.limit, walk=walk)
    return [Match(entry, explain(entry, query)) for entry in entries]


# --- Pages: a total and a cursor to the next page --------------------------------------------

TOTAL_CAP = 2000  # counted exactly up to here; discovery pages through this many matches


@dataclass
class DiscoveryPage:
    """One page of matches, how many match in all, and the cursor of the next page.

    `total` is exact up to TOTAL_CAP; beyond, it is TOTAL_CAP and `total_is_estimate` is true
    (at least that many match). `next` is None on the last page (or at TOTAL_CAP).
    """

    matches: list[Match]
    total: int
    total_is_estimate: bool
    next: str | None


def count_capped(qs: QuerySet, cap: int) -> int:
    """min(matches, cap + 1): one statement that stops counting after cap + 1 rows."""
    try:
        return qs.order_by().values("pk")[: cap + 1].count()
    except EmptyResultSet:  # Django proved the filters match nothing
        return 0


def discover_page(query: DiscoveryQuery, cursor: str | None = None) -> DiscoveryPage:
    """The page of matches the cursor points at (the first page without one).

    The count is skipped when the page itself shows it is the last one.
    """
    offset = read_cursor(query, cursor) if cursor else 0
    matches = discover_matches(query, offset)
    if 0 < len(matches) < query.limit or (offset == 0 and not matches):
        found = offset + len(matches)
    else:
        found = count_capped(filtered(query), TOTAL_CAP)
    total, estimate = min(found, TOTAL_CAP), found > TOTAL_CAP
    end = offset + len(matches)
    following = page_cursor(query, end) if matches and end < total else None
    return DiscoveryPage(matches, total, estimate, following)


def _fingerprint(query: DiscoveryQuery) -> str:
    """The query without its page size: a cursor belongs to one query."""
    return hashlib.sha256(repr(astuple(replace(query, limit=1))).encode()).hexdigest()[:16]


def page_cursor(query: DiscoveryQuery, offset: int) -> str:
    """An opaque cursor to the matches of `query` from `offset` on."""
    raw = json.dumps({"o": offset, "q": _fingerprint(query)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(query: DiscoveryQuery, cursor: str) -> int:
    """The offset in a cursor of `page_cursor`; DiscoveryQueryError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, fingerprint = data["o"], data["q"]
    except (ValueError, TypeError, KeyError):
        raise DiscoveryQueryError("cursor", "not a cursor this portal gave") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < TOTAL_CAP:
        raise DiscoveryQueryError("cursor", "not a cursor this portal gave")
    if fingerprint != _fingerprint(query):
        raise DiscoveryQueryError("cursor", "the cursor belongs to another query: send the "
                                            "same query with it (only limit may change)")
    return offset


# --- Execution on PostgreSQL: ids first (index-only, in ranking order), then the rows --------

TERM_COUNTS_CACHE_KEY = "catalogue:term-counts:v1"
TERM_COUNTS_SECONDS = 300
BROAD_ESTIMATE = 100  # estimated matches above which walking the ranking index wins


def term_counts() -> dict[str, dict[str, int]]:
    """Catalogue-wide counts per capability ("c") and language ("l"), plus the total ("n").

    Recomputed at most every 5 minutes and shared through the cache: the catalogue shows them as
    approximate facet counts, and `is_broad` uses them to pick a plan.
    """
    from django.core.cache import cache

    counts = cache.get(TERM_COUNTS_CACHE_KEY)
    if counts is None:
        counts = {CAPABILITY: {}, LANGUAGE: {}, "n": {"": CatalogueEntry.objects.count()}}
        rows = CatalogueTerm.objects.values_list("kind", "value").annotate(n=Count("id"))
        for kind, value, n in rows:
            counts.setdefault(kind, {})[value] = n
        cache.set(TERM_COUNTS_CACHE_KEY, counts, TERM_COUNTS_SECONDS)
    return counts


def is_broad(query: DiscoveryQuery) -> bool:
    """Whether the query is expected to match many services (independence estimate)."""
    counts = term_counts()
    total = max(counts["n"][""], 1)
    estimate = float(total)
    for kind, values in ((CAPABILITY, query.capabilities), (LANGUAGE, query.languages)):
        for value in values:
            estimate *= counts[kind].get(value, 0) / total
    return estimate >= BROAD_ESTIMATE


def page_sql(qs: QuerySet, start: int, stop: int) -> tuple[str, tuple]:
    """One statement for a page on PostgreSQL: the ids in ranking order, joined to their rows."""
    ids_sql, params = qs.values_list("pk", flat=True)[start:stop].query.sql_with_params()
    quote = connection.ops.quote_name
    opts = CatalogueEntry._meta
    columns = ", ".join(f"e.{quote(f.column)}" for f in opts.concrete_fields)
    sql = (
        f"SELECT {columns} FROM unnest(ARRAY({ids_sql})) WITH ORDINALITY AS page(pk, n) "
        f"JOIN {quote(opts.db_table)} e ON e.{quote(opts.pk.column)} = page.pk "
        "ORDER BY page.n"
    )
    return sql, params


@contextmanager
def ranking_walk(broad: bool):
    """On PostgreSQL, for a broad query, steer the statements inside to walk the ranking index.

    Bitmap scans would visit every match before sorting; walking the covering index in ranking
    order stops after a page of matches. Only for the enclosed transaction (SET LOCAL).
    """
    if connection.vendor != "postgresql" or not broad:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        yield


def fetch(qs: QuerySet, start: int, stop: int, *, walk: bool = False) -> list[CatalogueEntry]:
    """Rows `start:stop` of an ordered discovery QuerySet.

    PostgreSQL: one statement that takes the page's ids first (an index-only scan of a covering
    ranking index that stops after a page of matches) and then joins the rows in that order.
    With `walk` (a broad query the planner would otherwise bitmap-scan in full: another order than
    the default one, or a text search with thousands of matches), bitmap scans are switched off
    for that statement (see `ranking_walk`). Elsewhere: one plain sliced query.
    """
    if stop is not None and stop <= start:
        return []
    if connection.vendor != "postgresql":
        return list(qs[start:stop])
    try:
        sql, params = page_sql(qs, start, stop)
    except EmptyResultSet:  # Django proved the filters match nothing
        return []
    with ranking_walk(walk):
        return list(CatalogueEntry.objects.raw(sql, params))
