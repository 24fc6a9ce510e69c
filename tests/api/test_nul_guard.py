"""The NUL guard (portal/nul_guard.py) on the API: a NUL in a path, query string, header, cookie or
body is a 404 or 400 in the one error shape, never a 500, and nothing is written.

PostgreSQL refuses NUL in text (a DataError, a 500, before the guard); CI runs these there too.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from contracts_app.models import Contract, ContractRevision
from integrations.models import ServiceOperation, Submission
from portal.nul_guard import NUL_REPORTED_BY_VALIDATOR
from tests.factories import contract_text, make_contract, publish
from tests.support.errors import error_of, nul_refusal

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.mark.parametrize("url", [
    "/api/v1/services/%00/",
    "/api/v1/contracts/%00/",
    "/api/v1/services/a%00b/versions/",
    "/api/v1/contracts/p-svc%00/revisions/",
    "/api/v1/%00",
])
def test_a_nul_in_an_api_path_is_a_json_404(owner_api, owner, url):
    make_contract(owner, "p-svc")
    error = error_of(owner_api.get(url), 404, "not_found")
    assert "NUL" in error["message"]


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/services/?q=%00", "q"),
    ("/api/v1/services/?capability=chat%00", "capability"),
    ("/api/v1/services/?limit=1&status=%00active", "status"),
    ("/api/v1/contracts/?x%00=1", "x\\u0000"),
    ("/api/v1/submissions/?status=queued%00", "status"),
])
def test_a_nul_in_an_api_query_string_is_a_json_400(owner_api, url, field):
    nul_refusal(owner_api.get(url), "query", field)


def test_a_service_deprecated_with_a_nul_in_its_successor_is_refused_and_nothing_is_queued(
        owner, owner_api):
    publish("old-svc", owner=owner)
    response = owner_api.post("/api/v1/services/old-svc/deprecate/", {"successor": "x\x00"},
                              format="json")
    nul_refusal(response, "json", "successor")
    assert not ServiceOperation.objects.exists()


@pytest.mark.parametrize("body", [
    {"service_id": "p-svc\x00", "text": "service_id: p-svc\n"},
    {"service_id": "p-svc", "text": "service_id: p-svc\nname: a\x00\n"},
    {"service_id": "p-svc", "text": "service_id: p-svc\n", "odd\x00key": 1},
])
def test_a_contract_created_with_a_nul_in_a_json_value_or_key_is_refused(owner_api, body):
    # APIClient's JSON encoder writes NUL as the escape \u0000: no raw NUL byte is sent.
    raw = json.dumps(body).encode()
    assert b"\x00" not in raw and b"\\u0000" in raw
    response = owner_api.post("/api/v1/contracts/", raw, content_type="application/json")
    nul_refusal(response, "json")
    assert not Contract.objects.exists()


def test_a_nul_deep_in_a_json_body_is_found_and_named(anon_api):
    body = {"capabilities": ["chat"], "constraints": {"supported_languages": ["en", "d\x00e"]}}
    response = anon_api.post("/api/v1/integration/discover-services", body, format="json")
    nul_refusal(response, "json", "constraints.supported_languages[1]")


@pytest.mark.parametrize(("line", "escaped"), [
    ("description: 'a \\u0000 escape, written out'\n", b"\\\\u0000"),  # backslash, u0000
    ("description: \U0001F600\n", b"\\ud83d\\ude00"),  # a surrogate pair: one character
])
def test_escapes_that_write_no_nul_and_no_lone_surrogate_pass(owner_api, line, escaped):
    """The guard decodes the JSON; it does not grep its bytes."""
    text = contract_text("p-svc") + line
    raw = json.dumps({"service_id": "p-svc", "text": text}).encode()
    assert escaped in raw
    response = owner_api.post("/api/v1/contracts/", raw, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert ContractRevision.objects.get().text == text


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/integration/validate-contract", {"contract": "a: 1\n", "\ud800": 1}, "\\ud800"),
    ("/api/v1/integration/discover-services",
     {"capabilities": ["ocr"], "guarantees": {"x\udfff": 1}}, "guarantees.x\\udfff"),
    ("/api/v1/contracts/", {"service_id": "p-svc", "text": "a: \ud83d\n"}, "text"),
])
def test_a_lone_surrogate_in_a_json_body_is_a_400_not_a_500(owner_api, url, body, field):
    """JSON's escapes can write half a surrogate pair, which no text encodes: an answer quoting
    an unknown key could not be sent, and the database could not store it."""
    error = error_of(owner_api.post(url, json.dumps(body).encode(),
                                    content_type="application/json"), 400, "lone_surrogate")
    assert error["details"] == {"location": "json", "field": field}
    assert not Contract.objects.exists()


def test_a_revision_with_a_nul_is_refused_and_not_saved(owner, owner_api):
    contract = make_contract(owner, "p-svc")
    response = owner_api.post("/api/v1/contracts/p-svc/revisions/",
                              {"text": "service_id: p-svc\x00\n", "base_number": 1}, format="json")
    nul_refusal(response, "json", "text")
    assert contract.revisions.count() == 1


def test_a_nul_in_a_deeply_nested_json_body_is_a_400_not_a_recursion_error(owner_api):
    raw = ("[" * 20000 + '"\\u0000"' + "]" * 20000).encode()
    response = owner_api.post("/api/v1/contracts/", raw, content_type="application/json")
    error_of(response, 400)


@pytest.mark.parametrize("headers", [
    {"HTTP_USER_AGENT": "curl\x00"},
    {"HTTP_IDEMPOTENCY_KEY": "key\x00"},
    {"HTTP_X_ANYTHING": "\x00"},
])
def test_a_nul_in_a_header_is_a_json_400(owner_api, headers):
    response = owner_api.post("/api/v1/integration/register-service",
                              {"contract": contract_text("p-svc")}, format="json", **headers)
    nul_refusal(response, "header")
    assert not Submission.objects.exists()


def test_a_nul_in_a_bearer_token_is_a_json_400(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer caio_\x00abc")
    nul_refusal(client.get("/api/v1/me/"), "header", "HTTP_AUTHORIZATION")


def test_a_session_cookie_spelling_nul_as_an_octal_escape_is_a_400_not_a_lookup(owner):
    # A quoted cookie value may write NUL as \000; Django's cookie parser decodes it, and the
    # session key would go into a query on the session table.
    client = APIClient(HTTP_COOKIE='sessionid="\\000abcdefghijklmnop"')
    nul_refusal(client.get("/api/v1/me/"), "cookie", "sessionid")


def test_an_upload_with_a_nul_in_a_form_field_or_a_field_name_is_refused(owner, owner_api):
    make_contract(owner, "p-svc")
    field = owner_api.post("/api/v1/integration/upload-contract", {
        "file": SimpleUploadedFile("c.yaml", contract_text("p-svc").encode()),
        "save": "true", "base_number": "1\x00"}, format="multipart")
    nul_refusal(field, "form", "base_number")
    named = owner_api.post("/api/v1/integration/upload-contract", {
        "file\x00": SimpleUploadedFile("c.yaml", contract_text("p-svc").encode()),
        "save": "true"}, format="multipart")
    nul_refusal(named, "form", "file\\u0000")
    assert ContractRevision.objects.count() == 1


def test_an_uploaded_file_with_nul_bytes_gets_the_validators_answer_and_is_not_saved(
        owner, owner_api):
    """File contents are contracts_app's and the validator's: the line of the NUL is named."""
    make_contract(owner, "p-svc")
    response = owner_api.post("/api/v1/integration/upload-contract", {
        "file": SimpleUploadedFile("c.yaml", contract_text("p-svc").encode() + b"x: \x00\n"),
        "save": "true"}, format="multipart")
    error_of(response, 422, "invalid_contract")
    assert response.json()["diagnostics"][0]["code"] == "invalid-character"
    assert ContractRevision.objects.count() == 1


def test_a_raw_body_with_a_nul_byte_is_refused_where_the_validator_does_not_read_it(owner_api):
    response = owner_api.post("/api/v1/contracts/", b"service_id: p\x00", content_type="text/yaml")
    nul_refusal(response, "body")
    assert not Contract.objects.exists()


def test_the_validator_still_reports_a_nul_in_a_contract_it_only_checks(anon_api):
    """validate-contract writes nothing: its diagnostic names the line, a friendlier answer."""
    for response in (
        anon_api.post("/api/v1/integration/validate-contract", {"contract": "a: 1\nb: \x00\n"},
                      format="json"),
        anon_api.post("/api/v1/integration/validate-contract", b"a: 1\nb: \x00\n",
                      content_type="text/yaml"),
    ):
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert body["valid"] is False and body["diagnostics"][0]["line"] == 2


def test_register_answers_a_nul_with_diagnostics_and_saves_nothing(owner_api):
    text = contract_text("p-svc") + "description: \x00\n"
    response = owner_api.post("/api/v1/integration/register-service", {"contract": text},
                              format="json")
    assert response.status_code == 422, response.content[:300]
    assert response.json()["diagnostics"][0]["code"] == "invalid-character"
    assert not Contract.objects.exists() and not Submission.objects.exists()


def test_the_validator_exemption_covers_the_contract_text_only(anon_api, owner_api):
    other_key = anon_api.post("/api/v1/integration/validate-contract",
                              {"contract": "a: 1\n", "x\x00": "1"}, format="json")
    nul_refusal(other_key, "json")
    header = owner_api.post("/api/v1/integration/register-service",
                            {"contract": "a: \x00\n"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="\x00")
    nul_refusal(header, "header")


def test_every_exempt_view_is_a_real_url_name():
    for name in NUL_REPORTED_BY_VALIDATOR:
        kwargs = {"service_id": "svc"} if name.startswith("contracts:") else {}
        assert reverse(name, kwargs=kwargs)

