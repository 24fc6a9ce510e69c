import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import LINK
from tests.conftest import browser_login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "orbit-lantern-velvet-42"


def test_newcomer_signs_up_confirms_the_email_signs_out_and_in_again(
        page, live_server, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Display name").fill("Nia Newcomer")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    [message] = mailoutbox
    [link] = [url for url in LINK.findall(message.body) if "/accounts/verify/" in url]
    assert link.startswith(live_server.url)
    page.goto(link)
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()
    expect(page.locator(".nav-user")).to_contain_text("Nia Newcomer")
    expect(page.locator("#verify-banner")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in", exact=True)).to_be_visible()

    browser_login(page, "newcomer@example.com", PASSWORD)
    page.wait_for_url("**/dashboard/")
    expect(page.locator(".nav-user")).to_contain_text("Nia Newcomer")
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def test_unverified_user_asks_for_a_new_link_from_the_banner(page, live_server, mailoutbox,
                                                             settings):
    settings.SITE_URL = live_server.url
    UserFactory(email="waiting@example.com", display_name="Wes Waiting", email_verified=False)
    browser_login(page, "waiting@example.com")
    banner = page.locator("#verify-banner")
    expect(banner).to_contain_text("Please confirm your email address")
    banner.get_by_role("button", name="Send again").click()
    expect(page.locator("#verify-banner")).to_contain_text("We sent a new confirmation link")
    page.locator("#verify-banner").get_by_role("button", name="Send again").click()
    expect(page.locator("#verify-banner")).to_contain_text("You can ask again in 60 seconds")
    assert len(mailoutbox) == 1


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations
            if v["impact"] in ("serious", "critical")]


def test_account_pages_have_no_serious_accessibility_violations(page, live_server):
    UserFactory(email="a11y@example.com", display_name="Ada Access", email_verified=False)
    for path in ("/accounts/signup/", "/accounts/login/"):
        page.goto(path)
        page.get_by_role("button").last.click()  # submit empty: the error state too
        assert serious_violations(page) == [], path
    browser_login(page, "a11y@example.com")
    page.goto("/accounts/profile/")  # with the unverified banner
    assert serious_violations(page) == []
