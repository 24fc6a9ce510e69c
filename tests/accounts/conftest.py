"""Account-test fixtures. Each test gets its own cache namespace (real Redis when REDIS_URL is
set), so rate-limit counters never leak between tests or runs; axes state lives in the database
and is rolled back with it."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings as django_settings
from django.test import Client

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    caches = {alias: dict(config) for alias, config in django_settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-accounts-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
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
