"""Hostile or odd contract texts through every endpoint that takes one: answers, never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts_app.models import Contract

pytestmark = pytest.mark.django_db

TEXTS = [
    "service_id: a-svc\nversion: 2024-01-01\nname: x\n",
    "service_id: a-svc\nname: .inf\np: .nan\nq: !!binary aGVsbG8=\nr: !!timestamp 2001-12-14\n",
    "a: &x [*x]\n",
    "? [a]\n: 1\n",
    "a: \x00\x01\n",
    'service_id: p-svc\nname: "a\\0b"\nversion: "1.0.0"\ncapabilities: [ocr]\n',
    "a: b\n" * 30000,
    "- - - - - - -\n" * 3,
    "service_id: p-svc\ncost:\n  per_request: 1e400\n",
    "service_id: p-svc\nversion: 1.0\ncapabilities: {a: 1}\n",
    "!!python/object/apply:os.system ['true']\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_odd_texts_get_answers_not_errors(anon_api, owner_api, text):
    validated = anon_api.post("/api/v1/integration/validate-contract", {"contract": text},
                              format="json")
    assert validated.status_code == 200, validated.content[:300]
    assert validated.json()["valid"] is False
    registered = owner_api.post("/api/v1/integration/register-service", {"contract": text},
                                format="json")
    assert registered.status_code == 422, registered.content[:300]
    assert registered.json()["diagnostics"]
    created = owner_api.post("/api/v1/contracts/", {"service_id": "p-svc", "text": text},
                             format="json")
    assert created.status_code in (201, 400, 422), created.content[:300]  # NUL: 400
    if created.status_code == 201:
        assert owner_api.get("/api/v1/contracts/p-svc/").status_code == 200
        saved = owner_api.post("/api/v1/contracts/p-svc/revisions/",
                               {"text": text + "\n# again", "base_number": 1}, format="json")
        assert saved.status_code == 201, saved.content[:300]
    uploaded = owner_api.post("/api/v1/integration/upload-contract", {
        "file": SimpleUploadedFile("c.yaml", text.encode()), "save": "true"}, format="multipart")
    assert uploaded.status_code in (200, 400, 404, 422), uploaded.content[:300]


def test_a_nul_character_is_reported_by_the_validator_and_never_stored(anon_api, owner_api):
    body = anon_api.post("/api/v1/integration/validate-contract", {"contract": "a: \x00"},
                         format="json").json()
    assert body["valid"] is False and body["diagnostics"][0]["line"] == 1
    response = owner_api.post("/api/v1/contracts/", {"service_id": "p-svc", "text": "a: \x00"},
                              format="json")
    assert response.status_code == 400
    assert not Contract.objects.exists()


@pytest.mark.smoke
def test_a_nul_written_as_a_yaml_escape_is_refused_by_the_api_and_never_stored(owner_api):
    text = 'service_id: p-svc\nname: "a\\0b"\nversion: "1.0.0"\ncapabilities: [ocr]\n'
    created = owner_api.post("/api/v1/contracts/", {"service_id": "p-svc", "text": text},
                             format="json")
    assert created.status_code == 422  # well-formed, but a text that cannot be stored
    assert "NUL" in created.json()["error"]["message"]
    registered = owner_api.post("/api/v1/integration/register-service", {"contract": text},
                                format="json")
    assert registered.status_code == 422
    assert registered.json()["diagnostics"][0]["code"] == "invalid-character"
    assert not Contract.objects.exists()


def test_an_infinite_number_is_refused_with_the_reason_not_a_crash(owner, owner_api):
    text = "service_id: p-svc\nname: x\nversion: \"1.0.0\"\np: .inf\n"
    response = owner_api.post("/api/v1/contracts/", {"service_id": "p-svc", "text": text},
                              format="json")
    assert response.status_code == 422
    assert "infinite or NaN" in response.json()["error"]["message"]
    assert not Contract.objects.exists()
