"""GET /api/v1/me/: who the credentials belong to."""

from __future__ import annotations

import pytest
from caio_integration import Me
from rest_framework.test import APIClient

from portal.models import TokenScope
from portal.tokens import token_create, token_expiry, token_revoke
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


@pytest.mark.smoke
def test_a_token_says_whose_it_is_and_which_token_it_is(owner, owner_api, owner_token):
    token, plaintext = owner_token
    response = owner_api.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "email", "display_name", "is_staff", "email_verified")} == {
        "id": owner.pk, "email": "owner@example.com", "display_name": "Olivia Owner",
        "is_staff": False, "email_verified": True}
    assert set(body["token"]) == {"name", "prefix", "scope", "created_at", "expires_at",
                                  "last_used_at"}
    assert (body["token"]["scope"], body["token"]["expires_at"]) == ("read-write", None)
    assert body["token"]["name"] == "laptop" and plaintext.startswith(body["token"]["prefix"])
    assert body["token"]["last_used_at"] is not None  # this very request used it
    assert plaintext not in response.content.decode()


def test_a_signed_in_session_has_no_token(reviewer):
    client = APIClient()
    client.force_login(reviewer)
    body = client.get(ME).json()
    assert body["email"] == "reviewer@example.com" and body["is_staff"] is True
    assert body["token"] is None


def test_another_developers_token_answers_for_that_developer_only(other_developer, other_api):
    body = other_api.get(ME).json()
    assert body["id"] == other_developer.pk and body["email"] == "other@example.com"
    assert body["token"]["name"] == "ci"


def test_me_without_credentials_is_401_json(anon_api):
    response = anon_api.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_not_anyone(owner, owner_api, owner_token):
    token_revoke(token=owner_token[0], user=owner)
    response = owner_api.get(ME)
    assert response.status_code == 401 and response.json()["error"]["message"] == "Invalid token."


def test_me_cannot_be_written(owner_api):
    response = owner_api.post(ME, {}, format="json")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_the_sdk_reads_the_tokens_scope_and_expiry_from_a_real_answer(owner):
    token, plaintext = token_create(user=owner, name="monitor", scope=TokenScope.READ_ONLY,
                                    expires_at=token_expiry(days=7))
    me = Me.from_json(bearer(plaintext).get(ME).json())
    assert (me.token.name, me.token.scope) == ("monitor", "read-only")
    assert me.token.expires_at == token.expires_at
