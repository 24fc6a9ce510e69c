"""The docs pages in a real browser: readable at 375 px, copy buttons, search, accessibility."""

import pytest

from portal.docs import PAGES
from tests.api.test_browser_tokens import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_every_docs_page_reads_at_375_px_without_sideways_scrolling(phone):
    for doc in PAGES:
        phone.goto(f"/docs/{doc.slug}/")
        overflow = phone.evaluate("""() => {
            const main = document.querySelector('.docs-layout');
            const wide = [...main.querySelectorAll('*')].filter(
                (el) => el.getBoundingClientRect().right > window.innerWidth + 1
                        && !el.closest('pre, .table-scroll'));
            return {page: document.documentElement.scrollWidth,
                    layout: main.getBoundingClientRect().right,
                    wide: wide.slice(0, 3).map((el) => el.tagName + '.' + el.className)};
        }""")
        assert overflow["layout"] <= 375 and overflow["wide"] == [], (doc.slug, overflow)
        assert overflow["page"] <= 375, (doc.slug, overflow)


def test_the_copy_button_copies_a_console_blocks_commands_without_prompts(page):
    from playwright.sync_api import expect

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/docs/integration-guide/")
    block = page.locator("pre[data-copy-commands]").first
    expected = [line.removeprefix("$ ") for line in block.inner_text().splitlines()
                if line.startswith("$ ")]
    block.locator("xpath=..").get_by_role("button", name="Copy").click()
    expect(block.locator("xpath=..").get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").splitlines() == expected


def test_a_reader_searches_and_lands_on_the_diagnostic_entry(page):
    from playwright.sync_api import expect

    page.goto("/docs/")
    page.get_by_label("Search the docs").fill("latency-order")
    page.get_by_label("Search the docs").press("Enter")
    page.get_by_role("link", name="latency-order", exact=True).first.click()
    page.wait_for_url("**/docs/diagnostics/#latency-order")
    expect(page.locator("#latency-order")).to_be_visible()
    assert serious_violations(page) == []


def test_the_guide_pages_have_no_serious_accessibility_violations(page):
    for slug in ("integration-guide", "contracts"):
        page.goto(f"/docs/{slug}/")
        assert serious_violations(page) == [], slug
