"""Every page of the portal's own, in Chromium at a phone's width (375 px) and a laptop's (1280 px).

The pages are listed from the URL resolver: each URL name is either in PAGES (with who opens it
and how its path parameters are filled from real rows the test makes) or in NOT_PAGES (with why:
third-party pages, JSON and file answers, POST-only endpoints, htmx fragments). A new route in
neither fails `test_every_route_is_a_checked_page_or_named_as_not_one`.

Each page is loaded once (the answer is 200; 404 for the not-found page) and checked at 375 px,
then widened to 1280 px and checked again (the CSS answers the width; scroll-regions.js follows
resizes). At each width: nothing scrolls sideways (`scrollWidth <= innerWidth`; a wide table or
code block scrolls inside its own box), axe-core finds no serious or critical violation, and the
browser reports no Content-Security-Policy violation. A full-page screenshot of each goes to
test-artifacts/pages/<width>/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from integrations.models import Submission, SubmissionStatus
from portal.accounts.services import email_confirmation_link
from portal.docs import PAGES as DOC_PAGES
from portal.tokens import token_create
from tests.conftest import ARTIFACTS
from tests.factories import UserFactory, add_revision, contract_data, make_contract, publish
from tests.support.browser_checks import (
    csp_console,
    csp_violations,
    serious_axe_violations,
    watch_axe,
    watch_csp,
)

WIDTHS = (375, 1280)
SCREENSHOTS = ARTIFACTS / "pages"

# URL names (or whole namespaces) that are not pages of the portal's own, and why.
NOT_PAGES: dict[str, str] = {
    "admin": "the Django admin: third-party (tests/test_browser_csp.py checks it under the CSP)",
    "api-docs": "Swagger UI: third-party (tests/test_browser_csp.py opens it)",
    "api-redoc": "ReDoc: third-party (tests/test_browser_csp.py opens it)",
    "api": "the REST API: JSON",
    "openapi-schema": "the OpenAPI schema: YAML or JSON",
    "healthz": "JSON",
    "readyz": "JSON",
    "metrics": "Prometheus' text format, for allowed addresses only",
    "portal:favicon": "an icon",
    "portal:contract_schema": "the contract's JSON Schema",
    "portal:sdk_wheel": "a wheel file",
    "contracts:revision_yaml": "a YAML file",
    "catalogue:yaml": "a YAML file",
    "contracts:check_id": "an htmx fragment (contracts:new loads it)",
    "contracts:validate": "POST only: the editor's live validation",
    "contracts:convert": "POST only: the editor's form/YAML switch",
    "contracts:upload": "POST only: the editor's upload",
    "accounts:verify_resend": "POST only: the unverified banner's button",
    "accounts:email_change": "POST only: a form on accounts:profile",
    "integrations:submit": "POST only: the panel's Submit",
    "integrations:cancel": "POST only: the panel's Cancel",
}


# The rows the pages are filled from (made by _make_world).
OWN = "page-check-summariser"  # the signed-in owner's contract: published, with an open submission
PUBLIC = "multilingual-document-translation"  # someone else's public service
OTHER_PUBLIC = "speech-to-text-transcription"
DOC_SLUGS = tuple(doc.slug for doc in DOC_PAGES)


@dataclass
class World:
    token_id: int
    verify_token: str
    reset_uid: str
    reset_token: str


@dataclass(frozen=True)
class Page:
    name: str  # URL name, or "" for a path that no route matches
    who: str  # "anonymous" or "owner"
    kwargs: Callable[[World], dict[str, Any]] | dict[str, Any] | None = None
    query: str = ""
    status: int = 200
    path: str = ""  # only when name is ""

    def url(self, world: World) -> str:
        if not self.name:
            return self.path
        kwargs = self.kwargs(world) if callable(self.kwargs) else self.kwargs
        return reverse(self.name, kwargs=kwargs) + self.query

    def label(self) -> str:
        name = (self.name or self.path.strip("/")).replace(":", "-")
        extra = "-".join(str(v) for v in (self.kwargs.values() if isinstance(self.kwargs, dict) else ()))
        return "-".join(part for part in (self.who, name, extra) if part)


OWN_KW = {"service_id": OWN}

PAGES: tuple[Page, ...] = (
    # Anyone
    Page("portal:home", "anonymous"),
    Page("portal:home", "owner"),
    Page("portal:docs", "anonymous"),
    Page("portal:docs_search", "anonymous", query="?q=register"),
    *(Page("portal:docs_page", "anonymous", {"slug": slug}) for slug in DOC_SLUGS),
    Page("portal:sdk", "anonymous"),
    Page("catalogue:list", "anonymous"),
    Page("catalogue:list", "owner", query="?q=translation"),
    Page("catalogue:compare", "anonymous", query=f"?ids={PUBLIC},{OTHER_PUBLIC},{OWN}"),
    Page("catalogue:detail", "anonymous", {"service_id": PUBLIC}),
    Page("catalogue:detail", "owner", OWN_KW),
    Page("", "anonymous", path="/no-such-page/", status=404),
    # Accounts
    Page("accounts:login", "anonymous"),
    Page("accounts:signup", "anonymous"),
    Page("accounts:signup_done", "anonymous"),
    Page("accounts:verify", "anonymous", lambda w: {"token": w.verify_token}),
    Page("accounts:password_reset", "anonymous"),
    Page("accounts:password_reset_done", "anonymous"),
    Page("accounts:password_reset_confirm", "anonymous",
         lambda w: {"uidb64": w.reset_uid, "token": w.reset_token}),
    Page("accounts:password_reset_complete", "anonymous"),
    Page("accounts:profile", "owner"),
    Page("accounts:password_change", "owner"),
    Page("accounts:logout", "owner"),
    Page("tokens:list", "owner"),
    Page("tokens:revoke", "owner", lambda w: {"token_id": w.token_id}),
    # The developer's own
    Page("portal:dashboard", "owner"),
    Page("contracts:new", "owner"),
    Page("contracts:detail", "owner", OWN_KW),
    Page("contracts:edit", "owner", OWN_KW),
    Page("contracts:history", "owner", OWN_KW),
    Page("contracts:diff", "owner", OWN_KW, query="?a=1&b=3"),
    Page("contracts:delete", "owner", OWN_KW),
    Page("integrations:summary", "owner"),
    Page("integrations:panel", "owner", OWN_KW),
    Page("integrations:deprecate", "owner", OWN_KW),
    Page("integrations:withdraw", "owner", OWN_KW),
)


def _route_names(patterns, namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = ":".join(part for part in (namespace, inner) if part)
            yield from _route_names(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


def _not_a_page(name: str) -> bool:
    return name in NOT_PAGES or name.split(":", 1)[0] in NOT_PAGES


@pytest.mark.smoke
def test_every_route_is_a_checked_page_or_named_as_not_one():
    names = set(_route_names(get_resolver().url_patterns))
    checked = {page.name for page in PAGES if page.name}
    unknown = sorted(name for name in names if name not in checked and not _not_a_page(name))
    assert not unknown, (
        f"Routes that tests/test_browser_pages.py neither opens nor names as not a page: {unknown}. "
        "Add each to PAGES (who opens it, how its path is filled) or to NOT_PAGES (why not).")
    stale = sorted((checked | set(NOT_PAGES)) - names - {n.split(":", 1)[0] for n in names})
    assert not stale, f"PAGES or NOT_PAGES name routes that no longer exist: {stale}"


# --- the rows -----------------------------------------------------------------------------------

def _make_world():
    """The rows the pages show; returns the World and the signed-in owner."""
    owner = UserFactory(email="page-owner@example.com", display_name="Paula Pages")
    other = UserFactory(email="page-other@example.com", display_name="Northwind Language Labs")
    # Long lines and a long URL, as real contracts have: they must wrap or scroll in their box.
    contract = make_contract(
        owner, OWN, name="Page Check Summariser",
        description="Summarises long documents (contracts, reports, meeting transcripts) into a "
                    "few sentences, keeping names, figures and dates exactly as written.",
        endpoint="https://inference.eu-central-1.example-cloud.com/v1/summarise/long-documents")
    publish(OWN, owner=owner)  # revision 2, published as 1.0.0
    revision = add_revision(contract, contract_data(OWN, version="1.1.0", name="Page Check Summariser",
                                                    **{"cost.per_request": 0.003}))
    Submission.objects.create(contract=contract, revision=revision, submitter=owner,
                              status=SubmissionStatus.PENDING_REVIEW)
    publish(PUBLIC, owner=other, name="Multilingual Document Translation with Glossary Enforcement",
            description="Translates contracts, manuals and support articles between 40 languages, "
                        "keeping each customer's glossary terms.",
            capabilities=["translation", "text_generation"])
    publish(OTHER_PUBLIC, owner=other, name="Speech to Text Transcription",
            capabilities=["speech_to_text"])
    token, _plaintext = token_create(user=owner, name="laptop")
    newcomer = UserFactory(email="page-newcomer@example.com", email_verified=False)
    verify_link = email_confirmation_link(user=newcomer)
    world = World(
        token_id=token.pk,
        verify_token=verify_link.rstrip("/").rsplit("/", 1)[-1],
        reset_uid=urlsafe_base64_encode(force_bytes(owner.pk)),
        reset_token=default_token_generator.make_token(owner),
    )
    return world, owner


# --- in the browser -------------------------------------------------------------------------------

# Two animation frames: what a resize changes (layout, scroll-regions.js) has happened.
NEXT_FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# The requests htmx makes as a page loads (hx-trigger="load", polling) have answered.
HTMX_IDLE = "() => !document.querySelector('.htmx-request')"


def _context(browser, base_url: str, session_cookie: str | None):
    context = browser.new_context(base_url=base_url,
                                  viewport={"width": WIDTHS[0], "height": 900})
    watch_csp(context)
    watch_axe(context)
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    if session_cookie:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie,
                              "url": base_url}])
    return context


def _check_at_width(page, spec: Page, url: str, width: int) -> list[str]:
    """The page as it is now, at `width`: sideways scroll, axe, CSP; saves its screenshot."""
    where = f"{spec.who} {url} at {width} px"
    problems = []
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        problems.append(f"{where}: scrolls sideways ({widths[0]} px wide in {widths[1]})")
    problems += [f"{where}: axe {v}" for v in serious_axe_violations(page)]
    problems += [f"{where}: CSP {v}" for v in csp_violations(page)]
    folder = SCREENSHOTS / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{spec.label()}.jpeg"), full_page=True, type="jpeg",
                    quality=70)
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_fits_375_and_1280_px_passes_axe_and_keeps_to_the_csp(browser, live_server):
    """Each page is loaded once at 375 px, checked, widened to 1280 px and checked again."""
    world, owner = _make_world()
    signed_in = Client()
    signed_in.force_login(owner)
    contexts = {
        "anonymous": _context(browser, live_server.url, None),
        "owner": _context(browser, live_server.url,
                          signed_in.cookies[settings.SESSION_COOKIE_NAME].value),
    }
    problems: list[str] = []
    console: list[str] = []
    try:
        pages = {who: context.new_page() for who, context in contexts.items()}
        for who, page in pages.items():
            csp_console(page, console, f"{who}: ")
        for spec in PAGES:
            page = pages[spec.who]
            url = spec.url(world)
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(url)
            # htmx fragments loaded with the page (panel, summary, ID check) are in before checking.
            page.wait_for_function(HTMX_IDLE)
            if response is None or response.status != spec.status:
                problems.append(f"{spec.who} {url}: answered {response and response.status}, "
                                f"not {spec.status}")
            if spec.who == "owner" and "/accounts/login/" in page.url:
                problems.append(f"{spec.who} {url}: sent to the sign-in page")
            for width in WIDTHS:
                if width != WIDTHS[0]:
                    page.set_viewport_size({"width": width, "height": 900})
                    page.evaluate(NEXT_FRAMES)
                problems += _check_at_width(page, spec, url, width)
    finally:
        for context in contexts.values():
            context.close()
    problems += [f"console: {line}" for line in console]
    assert not problems, "\n".join(problems)
