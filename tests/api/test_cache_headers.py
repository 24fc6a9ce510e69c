"""Cache-Control and Vary on API answers: private ones are never stored and vary on the token."""

import pytest
from django.test import Client

from tests.factories import make_contract, publish

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def varies_on(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", ["me/", "contracts/", "contracts/my-svc/",
                                  "contracts/my-svc/revisions/", "submissions/"])
def test_private_answers_are_not_stored_and_vary_on_authorization(owner, owner_api, path):
    make_contract(owner, "my-svc")
    response = owner_api.get(API + path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "authorization" in varies_on(response)


def test_a_private_answer_to_a_session_is_private_too(owner_client):
    response = owner_client.get(API + "me/")
    assert {"private", "no-store"} <= directives(response)
    assert {"authorization", "cookie"} <= varies_on(response)


def test_refusals_of_private_endpoints_are_private(anon_api, owner, owner_api):
    assert {"private", "no-store"} <= directives(anon_api.get(API + "me/"))
    missing = owner_api.get(API + "contracts/nobody/")
    assert missing.status_code == 404 and "no-store" in directives(missing)
    write = owner_api.post(API + "contracts/", {}, format="json")
    assert write.status_code == 400 and "no-store" in directives(write)


@pytest.mark.parametrize("path", ["services/", "services/chat-bot/", "services/chat-bot/versions/"])
def test_public_catalogue_answers_keep_their_headers_with_or_without_a_token(owner, owner_api,
                                                                           anon_api, path):
    publish("chat-bot", owner=owner)
    for client in (anon_api, owner_api):
        response = client.get(API + path)
        assert response.status_code == 200
        assert "no-store" not in directives(response) and "private" not in directives(response)
        assert "authorization" not in varies_on(response)


def test_the_schema_is_public(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 200 and "no-store" not in directives(response)


def test_an_unknown_api_path_is_private(anon_api):
    response = anon_api.get(API + "no-such-thing/")
    assert response.status_code == 404 and "no-store" in directives(response)
