"""Each diagnostic the API answers carries `docs_url`: its code's entry in the diagnostics
reference, on the portal the request came to."""

from __future__ import annotations

import pytest
from caio_integration.contracts.code_docs import CODE_DOCS
from django.conf import settings

from tests.factories import contract_text, make_contract

pytestmark = pytest.mark.django_db
API = "/api/v1/integration/"


def test_each_validate_diagnostic_links_to_its_entry_on_this_portal(anon_api):
    text = contract_text("my-svc").replace("version: 1.0.0", "version: 3.10")
    body = anon_api.post(API + "validate-contract", {"contract": text}, format="json").json()
    problem = next(d for d in body["diagnostics"] if d["code"] == "ambiguous-scalar")
    assert problem["docs_url"] == "http://testserver/docs/diagnostics/#ambiguous-scalar"
    assert all(d["docs_url"].endswith(f"#{d['code']}") and d["code"] in CODE_DOCS
               for d in body["diagnostics"])


def test_a_raw_yaml_body_gets_the_links_too(anon_api):
    response = anon_api.post(API + "validate-contract", b"- a list\n", content_type="text/yaml")
    (diagnostic,) = response.json()["diagnostics"]
    assert diagnostic["docs_url"] == "http://testserver/docs/diagnostics/#not-a-mapping"


def test_a_refused_registration_links_each_diagnostic(owner_api):
    response = owner_api.post(API + "register-service", {"contract": "service_id: bad-svc\n"},
                              format="json")
    assert response.status_code == 422
    diagnostics = response.json()["diagnostics"]
    assert diagnostics and all(d["docs_url"] == f"http://testserver/docs/diagnostics/#{d['code']}"
                               for d in diagnostics)


def test_a_saved_revisions_diagnostics_link_to_the_reference(owner, owner_api):
    make_contract(owner, "linked-svc", capabilities=["text_generaton"])
    body = owner_api.get("/api/v1/contracts/linked-svc/").json()
    (warning,) = [d for d in body["latest_revision"]["diagnostics"]
                  if d["code"] == "unknown-capability"]
    assert warning["docs_url"] == f"{settings.SITE_URL}/docs/diagnostics/#unknown-capability"


def test_another_developers_contract_and_its_diagnostics_stay_hidden(owner, other_api):
    make_contract(owner, "linked-svc", capabilities=["text_generaton"])
    assert other_api.get("/api/v1/contracts/linked-svc/").status_code == 404
