"""POST /api/v1/integration/{validate-contract,upload-contract,register-service,discover-services}."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.throttling import ScopedRateThrottle

from contracts_app.models import Contract
from integrations.models import Submission
from tests.factories import UserFactory, contract_text, publish

pytestmark = pytest.mark.django_db
API = "/api/v1/integration/"


def error(response) -> dict:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


# --- validate-contract ---------------------------------------------------------------------

@pytest.mark.smoke
def test_anyone_can_validate_a_contract(anon_api):
    response = anon_api.post(API + "validate-contract", {"contract": contract_text("my-svc")},
                             format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["data"]["service_id"] == "my-svc"
    assert all(d["severity"] != "error" for d in body["diagnostics"])


def test_validation_warns_about_template_placeholder_text_without_failing(anon_api):
    from caio_integration.contracts import read_template

    body = anon_api.post(API + "validate-contract", {"contract": read_template("simple_service")},
                         format="json").json()
    found = [d for d in body["diagnostics"] if d["code"] == "placeholder-text"]
    assert body["valid"] is True
    assert [(d["severity"], d["path"], d["line"]) for d in found] == [
        ("warning", "/service_id", 7), ("warning", "/name", 8), ("warning", "/description", 11)]


def test_validation_reports_problems_with_line_and_column(anon_api):
    text = contract_text("my-svc").replace("version: 1.0.0", "version: 3.10")
    body = anon_api.post(API + "validate-contract", {"contract": text}, format="json").json()
    assert body["valid"] is False
    problem = next(d for d in body["diagnostics"] if d["code"] == "ambiguous-scalar")
    assert problem["line"] == 3 and problem["column"] == 10 and problem["path"] == "/version"


def test_validation_also_answers_the_plans_is_valid_and_errors(anon_api):
    good = anon_api.post(API + "validate-contract", {"contract": contract_text("my-svc")},
                         format="json").json()
    assert good["is_valid"] is True and good["errors"] == []
    text = contract_text("my-svc").replace("version: 1.0.0", "version: 3.10")
    bad = anon_api.post(API + "validate-contract", {"contract": text}, format="json").json()
    assert bad["is_valid"] is bad["valid"] is False
    assert bad["errors"] == [d["message"] for d in bad["diagnostics"] if d["severity"] == "error"]
    assert bad["errors"]


def test_a_raw_yaml_body_is_validated_too(anon_api):
    response = anon_api.generic("POST", API + "validate-contract",
                                contract_text("my-svc").encode(), content_type="text/yaml")
    assert response.status_code == 200 and response.json()["valid"] is True


def test_an_empty_raw_yaml_body_is_an_empty_contract(anon_api):
    response = anon_api.generic("POST", API + "validate-contract", b"", content_type="text/plain")
    assert response.status_code == 200
    assert response.json()["diagnostics"][0]["code"] == "empty"


def test_non_utf8_yaml_body_is_a_diagnostic_not_a_crash(anon_api):
    response = anon_api.generic("POST", API + "validate-contract", b"name: \xff\xfe",
                                content_type="text/yaml")
    assert response.status_code == 200
    assert response.json()["diagnostics"][0]["code"] == "encoding"


@pytest.mark.parametrize(("body", "content_type"), [
    (b"{not json", "application/json"),
    (b"\xff\xfe{}", "application/json"),
    (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    (b'{"contract": NaN}', "application/json"),
    (b'["a list"]', "application/json"),
    (b'{"contract": 12}', "application/json"),
    (b'{"contract": ["x"]}', "application/json"),
    (b'{"contract": "x", "contract_path": "/etc/passwd"}', "application/json"),
    (b"{}", "application/json"),
    (b"contract=x", "application/x-www-form-urlencoded"),
])
def test_bad_bodies_get_a_clear_400(anon_api, body, content_type):
    response = anon_api.generic("POST", API + "validate-contract", body, content_type=content_type)
    assert response.status_code in (400, 415), response.content[:300]
    assert error(response)["message"]


def test_a_server_side_path_is_never_read(anon_api):
    response = anon_api.post(API + "validate-contract", {"contract_path": "/etc/passwd"},
                             format="json")
    assert response.status_code == 400
    assert "contract_path" in error(response)["details"]


def test_a_huge_body_is_refused_with_413(anon_api):
    big = json.dumps({"contract": "x" * (3 * 1024 * 1024)})
    response = anon_api.generic("POST", API + "validate-contract", big,
                                content_type="application/json")
    assert response.status_code == 413
    assert error(response)["code"] == "payload_too_large"


def test_an_oversized_contract_is_a_too_large_diagnostic(anon_api):
    text = contract_text("my-svc") + "#" * (300 * 1024)
    body = anon_api.post(API + "validate-contract", {"contract": text}, format="json").json()
    assert body["valid"] is False and body["diagnostics"][0]["code"] == "too-large"


def test_anonymous_validation_is_throttled(anon_api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "contract-validate", "2/min")
    for _ in range(2):
        assert anon_api.post(API + "validate-contract", {"contract": "a: 1"},
                             format="json").status_code == 200
    response = anon_api.post(API + "validate-contract", {"contract": "a: 1"}, format="json")
    assert response.status_code == 429
    assert error(response)["code"] == "throttled" and "Retry-After" in response


# --- upload-contract -------------------------------------------------------------------------

def upload(client, name: str, content: bytes, **extra):
    return client.post(API + "upload-contract",
                       {"file": SimpleUploadedFile(name, content, "application/x-yaml"), **extra},
                       format="multipart")


def test_uploading_a_file_validates_it(owner_api):
    response = upload(owner_api, "svc.yaml", contract_text("my-svc").encode())
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["saved_revision"] is None


def test_uploading_with_save_adds_a_revision_to_my_contract(owner, owner_api):
    contract = Contract.objects.create(owner=owner, service_id="my-svc")
    response = upload(owner_api, "svc.yml", contract_text("my-svc").encode(), save="true")
    assert response.status_code == 200, response.json()
    assert response.json()["saved_revision"] == 1
    assert contract.revisions.get().author == owner


def test_upload_save_conflict_is_409_with_the_current_revision(owner, owner_api):
    contract = Contract.objects.create(owner=owner, service_id="my-svc")
    upload(owner_api, "svc.yml", contract_text("my-svc").encode(), save="true")
    response = upload(owner_api, "svc.yml", contract_text("my-svc", version="1.1.0").encode(),
                      save="true", base_number="0")
    assert response.status_code == 409
    assert error(response)["details"] == {"current_revision": 1}
    assert contract.revisions.count() == 1


def test_upload_cannot_save_into_another_developers_contract(other_developer, owner_api):
    Contract.objects.create(owner=other_developer, service_id="their-svc")
    response = upload(owner_api, "svc.yml", contract_text("their-svc").encode(), save="true")
    assert response.status_code == 404


def test_upload_needs_authentication(anon_api):
    assert upload(anon_api, "svc.yaml", b"a: 1").status_code == 401


@pytest.mark.parametrize(("name", "content", "status"), [
    ("svc.txt", b"a: 1", 422),
    ("svc.yaml", b"x" * (257 * 1024), 413),
])
def test_upload_refuses_wrong_types_and_large_files(owner_api, name, content, status):
    response = upload(owner_api, name, content)
    assert response.status_code == status
    assert error(response)["message"]


def test_upload_without_a_file_is_400(owner_api):
    response = owner_api.post(API + "upload-contract", {"save": "true"}, format="multipart")
    assert response.status_code == 400 and "file" in error(response)["details"]


# --- register-service ------------------------------------------------------------------------

def register(client, text: str, **headers):
    return client.post(API + "register-service", {"contract": text}, format="json", **headers)


@pytest.mark.smoke
def test_registering_creates_my_contract_and_submits_it(owner, owner_api):
    response = register(owner_api, contract_text("new-svc"))
    assert response.status_code == 201, response.json()
    body = response.json()
    submission = Submission.objects.get(pk=body["id"])
    assert submission.contract.owner == owner and submission.contract.service_id == "new-svc"
    assert body["status"] == "pending_review" and body["version"] == "1.0.0"
    assert body["links"]["self"] == f"/api/v1/submissions/{submission.pk}/"
    assert "cancel" in body["links"]


def test_registering_again_saves_a_new_revision_of_my_contract(owner, owner_api, owner_token):
    publish("my-svc", owner=owner)
    response = register(owner_api, contract_text("my-svc", version="1.1.0"))
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get(service_id="my-svc")
    assert contract.revisions.count() == 2
    assert Submission.objects.get().revision.number == 2


def test_registering_another_owners_service_id_is_refused(other_developer, owner_api):
    Contract.objects.create(owner=other_developer, service_id="their-svc")
    response = register(owner_api, contract_text("their-svc"))
    assert response.status_code == 409
    assert error(response)["code"] == "service_id_taken"
    assert "another developer" in error(response)["message"]
    assert not Submission.objects.exists()


def test_registering_an_invalid_contract_returns_422_with_diagnostics(owner_api):
    response = register(owner_api, "service_id: bad-svc\nname: x\n")
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid_contract"
    assert any(d["code"] == "required" for d in body["diagnostics"])
    assert body["diagnostics"] == body["error"]["details"]["diagnostics"]
    assert not Contract.objects.exists()


@pytest.mark.parametrize("case", ["unverified", "open", "not_higher"])
def test_pipeline_refusals_are_409_with_the_reason(owner, owner_api, case):
    if case == "unverified":
        owner.email_verified = False
        owner.save()
        expected = "Verify your email"
        text = contract_text("my-svc")
    elif case == "open":
        assert register(owner_api, contract_text("my-svc")).status_code == 201
        expected = "already has an open submission"
        text = contract_text("my-svc", version="1.0.1")
    else:
        publish("my-svc", owner=owner, version="2.0.0")
        expected = "not higher than the current version"
        text = contract_text("my-svc", version="1.5.0")
    response = register(owner_api, text)
    assert response.status_code == 409
    assert expected in error(response)["message"]
    assert error(response)["code"] == "submission_refused"


def test_register_needs_authentication(anon_api):
    response = register(anon_api, contract_text("my-svc"))
    assert response.status_code == 401
    assert not Contract.objects.exists()


def test_same_idempotency_key_returns_the_same_submission(owner_api):
    first = register(owner_api, contract_text("my-svc"), HTTP_IDEMPOTENCY_KEY="k-1")
    again = register(owner_api, contract_text("my-svc"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Submission.objects.count() == 1


def test_an_idempotency_key_is_per_user(owner_api, other_api):
    register(owner_api, contract_text("my-svc"), HTTP_IDEMPOTENCY_KEY="shared")
    response = register(other_api, contract_text("other-svc"), HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Submission.objects.count() == 2


def test_register_refuses_a_reserved_service_id(owner_api):
    response = register(owner_api, contract_text("admin"))
    assert response.status_code in (400, 422)
    assert not Contract.objects.exists()


# --- discover-services -------------------------------------------------------------------------

@pytest.fixture
def catalogue(owner):
    other = UserFactory(display_name="Second Dev")
    # What the discovery tests below ask for: latency, languages and price.
    declared = {"guarantees.latency.p95_ms": 500, "guarantees.latency.p99_ms": 1000,
                "constraints.supported_languages": ["en", "de"], "cost.per_request": 0.001}
    publish("fast-svc", owner=owner, **declared)
    publish("slow-svc", owner=other, **{**declared, "guarantees.latency.p95_ms": 900,
                                        "guarantees.latency.p99_ms": 2000})
    publish("vision-svc", owner=other, capabilities=["image_understanding"], **declared)


def discover(client, body):
    return client.post(API + "discover-services", body, format="json")


@pytest.mark.smoke
def test_discovery_finds_matches_and_says_why(anon_api, catalogue):
    response = discover(anon_api, {"capabilities": ["text_generation"],
                                   "guarantees": {"latency": {"p95_ms": 600}}})
    assert response.status_code == 200
    body = response.json()
    assert [s["service_id"] for s in body["services"]] == ["fast-svc"] and body["count"] == 1
    why = {r["field"]: r for r in body["services"][0]["why"]}
    assert why["guarantees.latency.p95_ms"] == {"field": "guarantees.latency.p95_ms", "op": "<=",
                                                "requested": 600, "declared": 500}
    assert body["services"][0]["owner"] == "Olivia Owner"
    assert "owner@example.com" not in response.content.decode()


def test_discovery_filters_languages_budget_and_constraints(anon_api, catalogue):
    body = discover(anon_api, {
        "capabilities": ["text_generation"],
        "constraints": {"supported_languages": ["de"], "max_tokens": 4000},
        "budget": {"per_request": "0.001", "currency": "USD"},
        "sort": "latency", "limit": 5}).json()
    assert [s["service_id"] for s in body["services"]] == ["fast-svc", "slow-svc"]
    assert discover(anon_api, {"budget": {"per_request": "0.001", "currency": "EUR"}}
                    ).json()["count"] == 0
    assert discover(anon_api, {"constraints": {"supported_languages": ["fr"]}}).json()["count"] == 0


@pytest.mark.parametrize("body", [
    {"capabilities": "text_generation"},
    {"capabilities": ["x"] * 21},
    {"guarantees": {"latency": {"p95": 5}}},
    {"guarantees": {"latency": {"p95_ms": -1}}},
    {"guarantees": {"latency": {"p95_ms": "1e999"}}},
    {"guarantees": []},
    {"budget": {"per_request": "NaN"}},
    {"budget": {"currency": "DOLLARS"}},
    {"budget": {"currency": "12$"}},
    {"budget": {"currency": "usd"}},
    {"budget": {"per_request": True}},
    {"capabilities": ["Text Generation"]},
    {"constraints": {"supported_languages": ["EN"]}},
    {"guarantees": {"accuracy": {"min": True}}},
    {"include_deprecated": 1},
    {"limit": "5"},
    {"sort": "random"},
    {"limit": 0},
    {"limit": 10_000},
    {"include_deprecated": "maybe"},
    {"capabilites": ["text_generation"]},
])
def test_bad_discovery_queries_get_a_400_naming_the_field(anon_api, catalogue, body):
    response = discover(anon_api, body)
    assert response.status_code == 400, response.json()
    assert error(response)["message"]


def test_discovery_is_throttled(anon_api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "service-discover", "1/min")
    assert discover(anon_api, {}).status_code == 200
    assert discover(anon_api, {}).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(anon_api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "service-discover", "1/min")
    assert discover(anon_api, {}).status_code == 200
    response = anon_api.post(API + "discover-services", {}, format="json",
                             HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429
