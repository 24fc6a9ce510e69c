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


def test_developer_makes_a_read_only_token_that_expires_and_it_cannot_write(page, live_server,
                                                                           owner):
    browser_login(page, owner.email)
    page.goto("/accounts/tokens/")
    page.get_by_label("Token name").fill("monitor")
    page.get_by_label("Read only").check()
    page.get_by_label("Expires").select_option(label="In 30 days")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    row = page.get_by_role("row", name="monitor")
    expect(row).to_contain_text("Read only")
    expect(row).not_to_contain_text("never expires")
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{live_server.url}/api/v1/me/", headers=headers).json()
    assert me["token"]["scope"] == "read-only" and me["token"]["expires_at"]
    write = httpx.post(f"{live_server.url}/api/v1/contracts/", headers=headers,
                       json={"service_id": "x-svc", "text": "service_id: x-svc\n"})
    assert write.status_code == 403 and write.json()["error"]["code"] == "read_only_token"


def test_the_password_change_page_offers_to_revoke_tokens_accessibly(page, live_server, owner):
    browser_login(page, owner.email)
    page.goto("/accounts/profile/password/")
    box = page.get_by_label("Also revoke my API tokens")
    expect(box).not_to_be_checked()
    assert serious_violations(page) == []
