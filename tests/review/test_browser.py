"""End to end in Chromium with a real worker: a developer submits, a reviewer approves in the
admin (signed in through the admin login page, in a second browser context), the worker
registers it with the embedded local core, and the developer's panel shows it without a reload."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from integrations.models import Submission, SubmissionStatus
from tests.conftest import browser_admin_login, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.services]


def serious(page) -> list[str]:
    """axe-core violations of serious or critical impact on the page as it is now."""
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.django_db(transaction=True)
def test_submit_approve_register_and_the_panel_follows_without_a_reload(
        page, browser, live_server, start_worker, make_contract, owner, reviewer):
    worker = start_worker(extra_env={"CAIO_CORE_URL": "", "PORTAL_REVIEW": "manual"})
    make_contract("browser-demo")

    # 1. The developer submits from the contract page; the panel arrives by htmx.
    browser_login(page, owner.email)
    page.goto("/contracts/browser-demo/")
    panel = page.locator("#submission-panel-body")
    state = page.get_by_test_id("submission-state")
    expect(state).to_have_text("Not submitted")
    page.evaluate("window.__same_document = true")
    panel.get_by_role("button", name="Submit for registration").click()
    expect(state).to_have_text("Waiting for review")
    submission = Submission.objects.get(contract__service_id="browser-demo")
    assert submission.status == SubmissionStatus.PENDING_REVIEW

    # 2. The reviewer signs in through the admin login page and approves.
    admin = browser.new_context(base_url=live_server.url)
    try:
        review = admin.new_page()
        review.set_default_timeout(10_000)
        browser_admin_login(review, reviewer.email)
        expect(review.locator("#review-pending")).to_contain_text("1 submission waiting")
        review.get_by_role("link", name="Review it").click()
        review.get_by_role("link", name="browser-demo").click()
        expect(review.locator("#review-diff")).to_contain_text("first registration")
        review.get_by_role("button", name="Approve").click()
        expect(review.locator("ul.messagelist")).to_contain_text("Approved browser-demo 1.0.0")
    finally:
        admin.close()

    # 3-4. The worker registers it; the developer's panel, polling, says so without a reload.
    try:
        expect(state).to_have_text("Registered", timeout=30_000)
    except AssertionError:
        raise AssertionError(f"panel never showed Registered; worker log:\n{worker.log()}") from None
    expect(panel).to_contain_text("Registered version: 1.0.0")
    expect(panel).to_contain_text("CAIO worker")
    assert page.evaluate("window.__same_document") is True  # the page was never reloaded
    assert panel.get_attribute("hx-trigger") is None  # settled: polling stopped
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REGISTERED
    assert submission.reviewed_by == reviewer

    # The settled panel, the withdraw confirmation and the dashboard summary are accessible.
    assert serious(page) == [], "contract page with the panel"
    panel.get_by_role("link", name="Withdraw…").click()
    expect(page.get_by_role("heading", name="Withdraw browser-demo?")).to_be_visible()
    assert serious(page) == [], "withdraw confirmation"
    page.goto("/dashboard/")
    expect(page.locator("#submission-summary-body")).to_contain_text("Registered")
    assert serious(page) == [], "dashboard with the summary"
