#!/usr/bin/env python3
"""What discovery's total and cursor cost, and what owner matching costs, on a seeded catalogue.

    createdb -h 127.0.0.1 -U postgres bench_catalogue
    export SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_catalogue
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --services 20000
    .venv/bin/python bench/discovery_pages.py [--requests 200]

In one process, in the same run: a page of matches alone (`discover_matches`, what the API did
before it had a total) beside a page with its total and cursor (`discover_page`), first and
second page; and the catalogue list filtered by owner only, and searched by an owner's name,
beside the list with no filter. Prints p50 and p95 (ms) and each figure's ratio to its baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from integrations.catalogue.discovery import (  # noqa: E402
    DiscoveryQuery,
    discover_matches,
    discover_page,
)
from integrations.models import CatalogueEntry  # noqa: E402

QUERIES = {
    "typical": DiscoveryQuery(capabilities=("translation", "text_generation"),
                              languages=("de", "fr"), max_p95_ms=400, min_accuracy=0.9),
    "broad": DiscoveryQuery(capabilities=("text_generation",), max_p95_ms=5000,
                            min_accuracy=0.5),
}


def timed(fn, n: int) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def line(label: str, figures: tuple[float, float], base: tuple[float, float] | None) -> None:
    ratio = f"  x{figures[0] / base[0]:.2f} of p50 baseline" if base else "  (baseline)"
    print(f"{label:<46} p50 {figures[0]:7.2f} ms  p95 {figures[1]:7.2f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    n = parser.parse_args().requests
    print(f"{connection.vendor}, {CatalogueEntry.objects.count()} catalogue entries, {n} runs each")
    for name, query in QUERIES.items():
        first = discover_page(query)
        print(f"{name}: total {first.total} (estimate: {first.total_is_estimate})")
        base = timed(lambda q=query: discover_matches(q), n)
        line(f"{name}: page only (discover_matches)", base, None)
        line(f"{name}: page + total + next (discover_page)",
             timed(lambda q=query: discover_page(q), n), base)
        if first.next:
            line(f"{name}: second page by cursor",
                 timed(lambda q=query, c=first.next: discover_page(q, c), n), base)
    owner = (CatalogueEntry.objects.values("owner_name").annotate(n=Count("pk"))
             .order_by("-n", "owner_name")[0]["owner_name"])  # a generated owner
    word = owner.split()[-1].lower()
    client = Client()
    base = timed(lambda: client.get("/services/"), n // 4)
    line("list: no filter", base, None)
    line(f"list: owner={word} (any part, ignoring case)",
         timed(lambda: client.get("/services/", {"owner": word}), n // 4), base)
    line(f"list: q={word} (text search finds owners)",
         timed(lambda: client.get("/services/", {"q": word}), n // 4), base)


if __name__ == "__main__":
    main()
