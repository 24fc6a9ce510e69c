"""Token scope (read-only or read-write) and expiry: what each token may do, and when it stops."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from contracts_app.models import Contract, ContractRevision
from integrations.models import ServiceOperation, Submission
from portal.models import ApiToken, TokenScope
from portal.tokens import MAX_ACTIVE_TOKENS, TokenError, token_create, token_expiry
from tests.api.conftest import bearer
from tests.factories import contract_text, make_contract, publish

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def read_only(owner) -> APIClient:
    return bearer(token_create(user=owner, name="dashboard", scope=TokenScope.READ_ONLY)[1])


def expired_token(owner) -> str:
    token, plaintext = token_create(user=owner, name="old",
                                    expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return plaintext


# --- one answer for every token that does not work -------------------------------------------

def test_unknown_revoked_and_expired_tokens_get_the_same_answer(owner, owner_token):
    token, revoked = owner_token
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    answers = [bearer(plaintext).get(API + "me/")
               for plaintext in (revoked, expired_token(owner), "caio_" + "x" * 43)]
    assert {response.status_code for response in answers} == {401}
    assert {response.content for response in answers} == {answers[0].content}
    assert answers[0].json()["error"] == {"code": "authentication_failed",
                                          "message": "Invalid token.", "details": None}


def test_an_expired_token_is_refused_even_on_a_public_endpoint(owner):
    response = bearer(expired_token(owner)).get(API + "services/")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_works_until_it_expires(owner):
    token, plaintext = token_create(user=owner, name="ci", expires_at=token_expiry(days=30))
    assert bearer(plaintext).get(API + "me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert bearer(plaintext).get(API + "me/").status_code == 401


def test_expired_tokens_do_not_count_towards_the_active_limit(owner):
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(user=owner, name=f"t{n}", expires_at=token_expiry(days=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert token_create(user=owner, name="fresh")[0].is_active


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_an_expiry_outside_one_day_to_ten_years_is_refused(days):
    with pytest.raises(TokenError, match="1 to 3650 days"):
        token_expiry(days=days)


def test_an_expiry_in_the_past_or_an_unknown_scope_is_refused(owner):
    with pytest.raises(TokenError, match="in the future"):
        token_create(user=owner, name="x", expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(TokenError, match="scope"):
        token_create(user=owner, name="x", scope="admin")
    assert not ApiToken.objects.exists()


def test_me_shows_the_tokens_scope_and_expiry(owner):
    token, plaintext = token_create(user=owner, name="ci", scope=TokenScope.READ_ONLY,
                                    expires_at=token_expiry(days=7))
    body = bearer(plaintext).get(API + "me/").json()["token"]
    assert body["scope"] == "read-only"
    assert body["expires_at"] == token.expires_at.isoformat().replace("+00:00", "Z")
    never = bearer(token_create(user=owner, name="rw")[1]).get(API + "me/").json()["token"]
    assert (never["scope"], never["expires_at"]) == ("read-write", None)


# --- a read-only token reads ------------------------------------------------------------------

def test_a_read_only_token_reads_its_owners_things(owner, read_only):
    make_contract(owner, "my-svc")
    assert read_only.get(API + "me/").status_code == 200
    assert [c["service_id"] for c in read_only.get(API + "contracts/").json()["results"]] == [
        "my-svc"]
    assert read_only.get(API + "contracts/my-svc/revisions/").status_code == 200
    assert read_only.get(API + "submissions/").status_code == 200
    assert read_only.head(API + "contracts/").status_code == 200
    assert read_only.options(API + "contracts/").status_code == 200


def test_a_read_only_token_may_validate_and_discover(owner, read_only):
    publish("chat-bot", owner=owner)
    valid = read_only.post(API + "integration/validate-contract",
                           {"contract": contract_text("my-svc")}, format="json")
    assert valid.status_code == 200 and valid.json()["valid"] is True
    found = read_only.post(API + "integration/discover-services", {}, format="json")
    assert found.status_code == 200


def _upload(client):
    upload = SimpleUploadedFile("svc.yaml", contract_text("my-svc").encode(), "application/x-yaml")
    return client.post(API + "integration/upload-contract", {"file": upload, "save": "true"},
                       format="multipart")


WRITES = {
    "create a contract": lambda c: c.post(API + "contracts/", {
        "service_id": "new-svc", "text": contract_text("new-svc")}, format="json"),
    "save a revision": lambda c: c.post(API + "contracts/my-svc/revisions/", {
        "text": contract_text("my-svc", version="1.1.0"), "base_number": 1}, format="json"),
    "upload and save": _upload,
    "register": lambda c: c.post(API + "integration/register-service", {
        "contract": contract_text("my-svc", version="2.0.0")}, format="json"),
    "deprecate": lambda c: c.post(API + "services/my-svc/deprecate/", {}, format="json"),
    "withdraw": lambda c: c.post(API + "services/my-svc/withdraw/", {}, format="json"),
    "cancel a submission": lambda c: c.post(
        API + f"submissions/{Submission.objects.get().pk}/cancel/", {}, format="json"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_read_only_token_is_refused_every_write_and_nothing_changes(owner, read_only, write):
    service = publish("my-svc", owner=owner)
    Submission.objects.create(contract=service.contract,
                              revision=service.contract.latest_revision, submitter=owner,
                              status="pending_review")
    before = (Contract.objects.count(), ContractRevision.objects.count(),
              Submission.objects.filter(status="pending_review").count())
    response = write(read_only)
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "read_only_token"
    assert "read-only" in response.json()["error"]["message"]
    assert (Contract.objects.count(), ContractRevision.objects.count(),
            Submission.objects.filter(status="pending_review").count()) == before
    assert not ServiceOperation.objects.exists()


def test_a_read_write_token_and_a_session_may_write(owner, owner_api):
    publish("my-svc", owner=owner)
    assert owner_api.post(API + "services/my-svc/deprecate/", {}, format="json").status_code == 202
    session = APIClient()
    session.force_login(owner)
    response = session.post(API + "services/my-svc/withdraw/", {}, format="json")
    assert response.status_code == 409  # the deprecation is still in progress: not a 403


def test_no_credentials_still_get_401_before_any_scope_check(anon_api):
    response = anon_api.post(API + "contracts/", {}, format="json")
    assert response.status_code == 401
