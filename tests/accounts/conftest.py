"""Account-test fixtures. The root conftest gives each test a fresh cache namespace (so rate-limit
counters never leak); axes' lockout state lives in the database and is rolled back with it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _accounts_settings(settings):
    settings.SITE_URL = "http://testserver"
    # Fast hashing: the lockout tests sign in dozens of times (the hasher is not under test).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def link_to(message, fragment: str) -> str:
    """The path of the one link in `message` containing `fragment`."""
    found = [path_of(url) for url in links_in(message) if fragment in url]
    assert len(found) == 1, f"expected one {fragment!r} link in: {message.body}"
    return found[0]
