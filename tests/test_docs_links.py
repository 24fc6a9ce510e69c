"""Every link and anchor of the documentation resolves, as a reader of the portal meets it.

Each docs page is rendered as the portal serves it; every link in it is checked: an `#anchor`
must be an id on its page, a link to another docs page (or to a guide's Markdown file, which the
portal turns into its page) must reach a page that has the anchor, and any other link to the
portal must resolve with Django's URL resolver (or be a static file). Links to other sites are
not fetched (the tests run offline).
"""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from portal.docs import PAGES

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
HOST = "testserver"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href") is not None:
            self.links.append(values["href"])


@cache
def _parsed(path: str) -> _Links | None:
    response = Client().get(path)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    parser = _Links()
    parser.feed(response.content.decode())
    return parser


def _problem(page_path: str, href: str) -> str | None:
    """Why ``href`` on the page at ``page_path`` does not resolve, or None."""
    url = urlsplit(urljoin(f"http://{HOST}{page_path}", href))
    if url.scheme in ("mailto", "tel"):
        return None
    if url.scheme not in ("http", "https"):
        return f"unexpected scheme {url.scheme!r}"
    if url.netloc != HOST:
        return None  # another site: not fetched offline
    path = unquote(url.path)
    if path.startswith("/static/"):
        return None if finders.find(path.removeprefix("/static/")) else "no such static file"
    try:
        resolve(path)
    except Resolver404:
        return "no portal page at this path"
    if url.fragment and path.startswith("/docs/"):
        target = _parsed(path)
        if target is None:
            return "the docs page does not answer 200"
        if unquote(url.fragment) not in target.ids:
            return f"no anchor #{url.fragment} on {path}"
    return None


DOCS_PATHS = [reverse("portal:docs"), reverse("portal:docs_search") + "?q=contract",
              *(reverse("portal:docs_page", args=[page.slug]) for page in PAGES)]


@pytest.mark.parametrize("page_path", DOCS_PATHS)
def test_every_link_and_anchor_of_the_docs_page_resolves(page_path):
    parsed = _parsed(page_path)
    assert parsed is not None, f"{page_path} does not answer 200"
    broken = [(href, why) for href in dict.fromkeys(parsed.links)
              if (why := _problem(page_path, href)) is not None]
    assert broken == [], f"broken links on {page_path}: {broken}"


def test_the_checker_reports_a_missing_anchor_a_missing_page_and_an_unknown_path():
    page = reverse("portal:docs_page", args=["diagnostics"])
    assert _problem(page, "#unknown-key") is None
    assert _problem(page, "#no-such-code") == f"no anchor #no-such-code on {page}"
    assert _problem(page, "/docs/no-such-page/#x") == "the docs page does not answer 200"
    assert _problem(page, "/no/such/place/") == "no portal page at this path"
    assert _problem(page, "../examples/service.py") == "no portal page at this path"
    assert _problem(page, "/static/css/no-such.css") == "no such static file"
    assert _problem(page, "https://example.org/elsewhere") is None
