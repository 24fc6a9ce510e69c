"""API tokens: the service functions, Bearer authentication and the /accounts/tokens/ page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from portal.models import ApiToken
from portal.tokens import token_create, token_revoke
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db
ME = "/api/v1/contracts/"


def test_token_is_shown_once_and_only_its_hash_is_stored(owner):
    token, plaintext = token_create(user=owner, name="laptop")
    assert plaintext.startswith("caio_") and len(plaintext) > 40
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(token.prefix) and len(token.prefix) < 16
    assert plaintext not in str(ApiToken.objects.filter(pk=token.pk).values().first())


def test_only_the_owner_can_revoke_a_token(owner, other_developer):
    token, _ = token_create(user=owner, name="laptop")
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, user=other_developer)
    assert token_revoke(token=token, user=owner).revoked_at is not None


@pytest.mark.smoke
def test_valid_token_authenticates_and_records_last_use(owner_token):
    token, plaintext = owner_token
    assert token.last_used_at is None
    response = bearer(plaintext).get(ME)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(owner_token):
    token, plaintext = owner_token
    recent = timezone.now() - timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    bearer(plaintext).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    bearer(plaintext).get(ME)
    token.refresh_from_db()
    assert token.last_used_at > old


def test_revoked_token_is_refused(owner, owner_token):
    token, plaintext = owner_token
    token_revoke(token=token, user=owner)
    response = bearer(plaintext).get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid token."  # as for an unknown one
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [
    "Bearer caio_wrong", "Bearer", "Bearer a b", "Bearer " + "x" * 500, "Bearer caio_\u00e9",
])
def test_wrong_or_malformed_token_is_refused(db, header):
    response = Client().get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_missing_token_asks_for_credentials(db):
    response = Client().get(ME)
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]["message"]


def test_token_of_a_disabled_account_is_refused(owner, owner_token):
    owner.is_active = False
    owner.save()
    assert bearer(owner_token[1]).get(ME).status_code == 401


# --- the page ----------------------------------------------------------------------------------

def test_tokens_page_requires_sign_in(anonymous):
    response = anonymous.get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.smoke
def test_creating_a_token_shows_it_once(owner, owner_client):
    response = owner_client.post("/accounts/tokens/", {"name": "my laptop"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=owner)
    html = response.content.decode()
    start = html.index('value="caio_') + len('value="')
    plaintext = html[start:html.index('"', start)]
    assert hashlib.sha256(plaintext.encode()).hexdigest() == token.token_hash
    assert "shown only once" in html and "Copy" in html
    assert "no-store" in response["Cache-Control"]
    again = owner_client.get("/accounts/tokens/").content.decode()
    assert plaintext not in again and token.prefix in again and "my laptop" in again
    assert bearer(plaintext).get(ME).status_code == 200


def test_the_page_creates_a_read_only_token_that_expires(owner, owner_client):
    response = owner_client.post("/accounts/tokens/", {"name": "dashboard", "scope": "read-only",
                                                       "expires": "30"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=owner)
    assert token.scope == "read-only"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    listed = owner_client.get("/accounts/tokens/").content.decode()
    assert "Read only" in listed and f"{token.expires_at:%Y-%m-%d}" in listed


def test_a_token_made_with_only_a_name_reads_and_writes_and_never_expires(owner, owner_client):
    owner_client.post("/accounts/tokens/", {"name": "laptop"})
    token = ApiToken.objects.get(user=owner)
    assert (token.scope, token.expires_at) == ("read-write", None)


@pytest.mark.parametrize("form", [{"scope": "admin"}, {"expires": "12"}, {"expires": "x"}])
def test_an_unknown_scope_or_expiry_on_the_page_is_refused(owner, owner_client, form):
    response = owner_client.post("/accounts/tokens/", {"name": "laptop", **form})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_listed_as_expired_and_can_still_be_revoked(owner, owner_client):
    token, _ = token_create(user=owner, name="old", expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = owner_client.get("/accounts/tokens/").content.decode()
    assert ">expired<" in page and "Revoke<span" in page


def test_token_name_is_required_and_escaped(owner, owner_client):
    assert owner_client.post("/accounts/tokens/", {"name": "  "}).status_code == 400
    response = owner_client.post("/accounts/tokens/", {"name": "<script>x</script>"})
    assert "<script>x</script>" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


def test_revoking_asks_for_confirmation_then_revokes(owner, owner_client, owner_token):
    token, plaintext = owner_token
    url = f"/accounts/tokens/{token.pk}/revoke/"
    confirm = owner_client.get(url)
    assert confirm.status_code == 200 and "Revoke token" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = owner_client.post(url, follow=True)
    assert "was revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(plaintext).get(ME).status_code == 401


def test_another_users_token_is_not_found(other_client, owner_token):
    token, _ = owner_token
    assert other_client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert other_client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.prefix not in other_client.get("/accounts/tokens/").content.decode()


def test_token_forms_need_a_csrf_token(owner, owner_token):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    token, _ = owner_token
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.filter(user=owner).count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_nav_links_to_the_tokens_page_when_signed_in(owner_client, anonymous):
    assert 'href="/accounts/tokens/"' in owner_client.get("/dashboard/").content.decode()
    assert 'href="/accounts/tokens/"' not in anonymous.get("/").content.decode()


def test_a_developer_has_at_most_twenty_active_tokens(owner, owner_client):
    from portal.tokens import MAX_ACTIVE_TOKENS, TokenError

    for n in range(MAX_ACTIVE_TOKENS):
        token_create(user=owner, name=f"t{n}")
    with pytest.raises(TokenError):
        token_create(user=owner, name="one too many")
    response = owner_client.post("/accounts/tokens/", {"name": "one too many"})
    assert response.status_code == 400 and "revoke one first" in response.content.decode()


@pytest.mark.smoke
def test_openapi_documents_the_bearer_scheme_and_every_endpoint(anonymous):
    import yaml

    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": "A personal API token (caio_...) from /accounts/tokens/."}
    paths = set(schema["paths"])
    for name in ("validate-contract", "upload-contract", "register-service", "discover-services"):
        assert f"/api/v1/integration/{name}" in paths
    for path in ("/api/v1/services/", "/api/v1/services/{service_id}/",
                 "/api/v1/services/{service_id}/versions/", "/api/v1/contracts/",
                 "/api/v1/contracts/{service_id}/", "/api/v1/contracts/{service_id}/revisions/",
                 "/api/v1/submissions/", "/api/v1/submissions/{id}/",
                 "/api/v1/submissions/{id}/cancel/", "/api/v1/me/",
                 "/api/v1/services/{service_id}/deprecate/",
                 "/api/v1/services/{service_id}/withdraw/"):
        assert path in paths
    assert not any("contract_path" in str(op) for op in schema["paths"].values())
