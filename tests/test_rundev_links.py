"""`make run` on another port: the links in emails open the portal it serves, not port 8000."""

import subprocess
import sys
from pathlib import Path

from portal.management.commands.rundev import Command, child_environment, email_hint

ROOT = Path(__file__).resolve().parents[1]
# Every account email builds its links with absolute_url (the verification link needs a stored
# token, so a database; the base is what this test is about).
RENDER_LINK = """
import django; django.setup()
from django.urls import reverse
from portal.accounts.services import absolute_url
print(absolute_url(reverse("accounts:password_reset")))
"""


def _addr_from_portal_addr(monkeypatch, value: str) -> str:
    monkeypatch.setenv("PORTAL_ADDR", value)
    return Command().create_parser("manage.py", "rundev").parse_args([]).addr


def test_email_link_rendered_by_a_child_of_make_run_points_at_portal_addr(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    env = child_environment(_addr_from_portal_addr(monkeypatch, "127.0.0.1:8101"))
    assert env["SITE_URL"] == "http://127.0.0.1:8101"
    link = subprocess.run([sys.executable, "-c", RENDER_LINK], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()
    assert link.startswith("http://127.0.0.1:8101/accounts/")


def test_an_explicit_site_url_is_kept_for_the_children():
    env = child_environment("127.0.0.1:8101", {"SITE_URL": "https://portal.example.org"})
    assert env["SITE_URL"] == "https://portal.example.org"


def test_a_wildcard_or_bare_port_address_gives_links_a_browser_can_open():
    assert child_environment("0.0.0.0:8101", {})["SITE_URL"] == "http://127.0.0.1:8101"
    assert child_environment("8101", {"SITE_URL": ""})["SITE_URL"] == "http://127.0.0.1:8101"


def test_banner_says_the_verification_link_is_printed_in_the_output_with_the_console_backend(
        settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    hint = email_hint("http://127.0.0.1:8101")
    assert "verification link" in hint and "printed in this output" in hint
    assert "http://127.0.0.1:8101/" in hint
