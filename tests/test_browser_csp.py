"""The third-party pages under the Content-Security-Policy, in Chromium: Swagger UI and ReDoc
render the API's operations, and the reviewers' Django admin (sign-in, the submissions list, a
submission's review page) works, each without a single CSP violation. The portal's own pages are
in tests/test_browser_pages.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from integrations.models import Submission, SubmissionStatus
from tests.conftest import browser_admin_login
from tests.factories import make_contract
from tests.support.browser_checks import csp_console, csp_violations, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Swagger UI and ReDoc build their pages from the schema in the browser: slow on a loaded machine.
expect.set_options(timeout=30_000)


@pytest.fixture
def watched(browser, live_server):
    """A page whose CSP violations (events and console reports) are collected."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    watch_csp(context)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_reports = []
    csp_console(page, page.console_reports)
    yield page
    context.close()


def test_swagger_ui_renders_the_operations_without_a_csp_violation(watched):
    watched.goto("/api/docs/")
    expect(watched.locator(".opblock-summary-path").first).to_be_visible()
    expect(watched.locator(".opblock-summary-path",
                           has_text="/api/v1/integration/discover-services")).to_be_visible()
    watched.locator(".opblock-summary-path", has_text="/api/v1/me/").click()
    expect(watched.get_by_role("button", name="Try it out")).to_be_visible()
    assert csp_violations(watched) + watched.console_reports == []


def test_redoc_renders_the_operations_without_a_csp_violation(watched):
    watched.goto("/api/redoc/")
    expect(watched.get_by_role("menuitem", name="contracts", exact=True)).to_be_visible()
    expect(watched.get_by_role("heading", name="Your contracts").first).to_be_visible()
    expect(watched.get_by_text("/api/v1/integration/discover-services").first).to_be_attached()
    assert csp_violations(watched) + watched.console_reports == []


def test_the_reviewers_admin_works_without_a_csp_violation(watched, owner, reviewer):
    contract = make_contract(owner, "csp-review-demo")
    Submission.objects.create(contract=contract, revision=contract.latest_revision,
                              submitter=owner, status=SubmissionStatus.PENDING_REVIEW)
    page = watched
    browser_admin_login(page, reviewer.email)
    expect(page.locator("#review-pending")).to_contain_text("1 submission waiting")
    page.goto("/admin/integrations/submission/")
    page.get_by_role("link", name="csp-review-demo").click()
    expect(page.locator("#review-diff")).to_contain_text("first registration")
    expect(page.get_by_role("button", name="Approve")).to_be_enabled()
    page.goto("/admin/portal/user/")
    expect(page.locator("#result_list")).to_contain_text(owner.email)
    assert csp_violations(page) + page.console_reports == []
