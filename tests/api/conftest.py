"""API fixtures: tokens and bearer clients (contract texts and services: tests.factories)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.tokens import token_create


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def owner_token(owner):
    return token_create(user=owner, name="laptop")


@pytest.fixture
def owner_api(owner_token) -> APIClient:
    return bearer(owner_token[1])


@pytest.fixture
def other_api(other_developer) -> APIClient:
    return bearer(token_create(user=other_developer, name="ci")[1])


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()

