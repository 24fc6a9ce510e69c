"""The newcomer's path in Chromium, with a real worker, on a live server that is not port 8000:
sign up, follow the emailed link as sent, start a contract from a template, fill the form, save
and submit from the editor, a reviewer approves in the admin, the editor's panel shows
Registered, and the service is found in /services/.

It counts the newcomer's pages (main-frame navigations) and the fields they type into, and
times only the machine (no waiting for a person); it prints them (`-s`) and writes them to
test-artifacts/newcomer.txt. No figure is asserted: the counts are for the note comparing paths.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from integrations.models import RegisteredService
from tests.conftest import ARTIFACTS, browser_admin_login
from tests.factories import DEFAULT_PASSWORD
from tests.support.mail import MailDrop

pytestmark = [pytest.mark.browser, pytest.mark.services]

EMAIL = "ada@newcomer.test"
SERVICE_ID = "ada-summarizer"


class Path:
    """The newcomer's pages and typed fields, counted as they happen."""

    def __init__(self, page):
        self.pages: list[str] = []
        self.fields: list[str] = []
        page.on("framenavigated",
                lambda frame: frame == page.main_frame and self.pages.append(frame.url))

    def type(self, locator, value: str, name: str) -> None:
        locator.fill(value)
        self.fields.append(name)


@pytest.mark.django_db(transaction=True)
def test_a_newcomer_registers_a_service_from_sign_up_to_the_catalogue(
        page, browser, live_server, start_worker, settings, reviewer, tmp_path):
    assert not live_server.url.endswith(":8000")
    settings.SITE_URL = live_server.url  # the address the portal serves, as make run sets it
    settings.PORTAL_REVIEW = "manual"
    settings.CAIO_CORE_URL = ""
    mail = MailDrop(tmp_path / "mail")
    worker = start_worker(extra_env={"CAIO_CORE_URL": "", "PORTAL_REVIEW": "manual",
                                     "SITE_URL": live_server.url, **mail.configure(settings)})
    path = Path(page)
    started = time.perf_counter()

    # 1. Sign up.
    page.goto("/accounts/signup/")
    path.type(page.get_by_label("Email"), EMAIL, "email")
    path.type(page.get_by_label("Display name"), "Ada", "display name")
    path.type(page.get_by_label("Password", exact=True), DEFAULT_PASSWORD, "password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # 2. Follow the emailed link as sent: it names the live server, and signs the newcomer in.
    link = mail.wait_for_link(to=EMAIL, subject="Confirm your email")
    assert link.startswith(live_server.url + "/"), link
    page.goto(link)
    expect(page.locator("body")).to_contain_text("your email address is confirmed")

    # 3. A new contract from a template (the first-contract link on the dashboard).
    page.get_by_role("link", name="New contract").first.click()
    path.type(page.get_by_label("Service ID"), SERVICE_ID, "service id")
    expect(page.get_by_label("Simple service", exact=False)).to_be_checked()  # the default
    page.get_by_role("button", name="Create contract").click()
    expect(page).to_have_url(f"{live_server.url}/contracts/{SERVICE_ID}/edit/")

    # 4. Fill the form: the template's placeholders are warnings until replaced.
    problems = page.locator("#diagnostics")
    expect(problems).to_contain_text("placeholder-text")
    path.type(page.get_by_label("Name", exact=True), "Ada Summarizer", "name")
    path.type(page.get_by_label("Description"), "Summaries of long reports, in English and "
              "Spanish.", "description")
    expect(problems).not_to_contain_text("placeholder-text")

    # 5. Save, then submit from the editor (the contract page's panel, in the editor).
    page.locator("#panel-form").get_by_role("button", name="Save revision").click()
    page.wait_for_url("**/edit/?saved=2*")
    panel = page.locator("#submission-panel-body")
    state = page.get_by_test_id("submission-state")
    expect(state).to_have_text("Not submitted")
    expect(panel).not_to_contain_text("breaking")  # a first registration: nothing to compare
    panel.get_by_role("button", name="Submit for registration").click()
    expect(state).to_have_text("Waiting for review")
    machine = time.perf_counter() - started

    # 6. The reviewer approves in the admin (their own browser; not the newcomer's counts).
    admin = browser.new_context(base_url=live_server.url)
    try:
        review = admin.new_page()
        review.set_default_timeout(10_000)
        browser_admin_login(review, reviewer.email)
        review.get_by_role("link", name="Review it").click()
        review.get_by_role("link", name=SERVICE_ID).click()
        review.get_by_role("button", name="Approve").click()
        expect(review.locator("ul.messagelist")).to_contain_text(f"Approved {SERVICE_ID}")
    finally:
        admin.close()

    # 7. The editor's panel, polling, shows Registered without a reload.
    resumed = time.perf_counter()
    try:
        expect(state).to_have_text("Registered", timeout=30_000)
    except AssertionError:
        raise AssertionError(f"panel never showed Registered; worker log:\n{worker.log()}") from None

    # 8. The service is found in the catalogue.
    page.goto("/services/")
    search = page.get_by_role("searchbox", name="Search")
    path.type(search, "Summarizer", "search")
    search.press("Enter")
    expect(page.get_by_role("link", name="Ada Summarizer")).to_be_visible()
    machine += time.perf_counter() - resumed
    assert RegisteredService.objects.filter(service_id=SERVICE_ID).exists()
    # The worker's own mail lands in the same folder, its link as sent too.
    link = mail.wait_for_link(to=EMAIL, subject=f"{SERVICE_ID} 1.0.0 is registered")
    assert link.startswith(live_server.url + "/"), link

    report = (f"newcomer's path: {len(path.pages)} pages, {len(path.fields)} fields typed, "
              f"{machine:.1f} s of machine time (the reviewer's part left out)\n"
              f"pages: {', '.join(u.removeprefix(live_server.url) for u in path.pages)}\n"
              f"fields: {', '.join(path.fields)}\n")
    print("\n" + report)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "newcomer.txt").write_text(report, encoding="utf-8")
