"""The API tokens page in Chromium: create, copy, use, revoke; no serious axe violations."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations
            if v["impact"] in ("serious", "critical")]


def test_developer_creates_copies_uses_and_revokes_a_token(page, live_server, owner):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_login(page, owner.email)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    assert serious_violations(page) == []

    page.get_by_label("Token name").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("it is shown only once")).to_be_visible()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("caio_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert serious_violations(page) == []

    url = f"{live_server.url}/api/v1/contracts/"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(url, headers=headers).status_code == 200

    page.goto("/accounts/tokens/")  # the token is never shown again
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Revoke laptop").click()
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_text("was revoked")).to_be_visible()
    expect(page.get_by_text("revoked", exact=False).first).to_be_visible()
    assert httpx.get(url, headers=headers).status_code == 401
