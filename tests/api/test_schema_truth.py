"""What the OpenAPI schema promises about requests, and the API holding to it (schemathesis runs
every check in test_schemathesis.py; these pin the rules one by one)."""

from __future__ import annotations

import json

import pytest
from caio_integration.contracts import contract_schema
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("schema") / "openapi.json"
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    return json.loads(out.read_text())


def operation(schema: dict, path: str, method: str = "get") -> dict:
    return schema["paths"][path][method]


def component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_public_operations_declare_anonymous_access_and_private_ones_do_not(schema):
    for path, method in (("/api/v1/services/", "get"), ("/api/v1/services/{service_id}/", "get"),
                         ("/api/v1/integration/validate-contract", "post"),
                         ("/api/v1/integration/discover-services", "post")):
        assert {} in operation(schema, path, method)["security"], path
    for path, method in (("/api/v1/me/", "get"), ("/api/v1/contracts/", "post"),
                         ("/api/v1/integration/register-service", "post")):
        assert {} not in operation(schema, path, method)["security"], path


def test_every_operation_documents_its_refusals_in_the_one_error_shape(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"401", "429"} <= codes, (method, path)
            if "requestBody" in op:
                assert {"400", "403", "413", "415"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith(("/ApiError", "/ContractInvalidError")), (path, code)


def test_request_objects_refuse_unknown_fields_as_the_server_does(schema):
    body = operation(schema, "/api/v1/integration/discover-services", "post")["requestBody"]
    request = component(schema, body["content"]["application/json"]["schema"])
    assert request["additionalProperties"] is False
    assert component(schema, request["properties"]["guarantees"])["additionalProperties"] is False


def test_request_fields_that_mirror_contract_fields_take_the_sdk_patterns(schema):
    contract = contract_schema()["properties"]
    body = operation(schema, "/api/v1/integration/discover-services", "post")["requestBody"]
    request = component(schema, body["content"]["application/json"]["schema"])
    assert request["properties"]["capabilities"]["items"]["pattern"] == (
        contract["capabilities"]["items"]["pattern"])
    constraints = component(schema, request["properties"]["constraints"])
    assert constraints["properties"]["supported_languages"]["items"]["pattern"] == (
        contract["constraints"]["properties"]["supported_languages"]["items"]["pattern"])
    path_parameter = operation(schema, "/api/v1/services/{service_id}/")["parameters"][0]
    assert path_parameter["schema"]["pattern"] == contract["service_id"]["pattern"]


def test_pages_document_their_bounds(schema):
    parameters = {p["name"]: p["schema"] for p in operation(schema, "/api/v1/contracts/")[
        "parameters"]}
    assert parameters["limit"]["minimum"] == 1 and parameters["offset"]["minimum"] == 0


@pytest.mark.parametrize("query", [
    "max_p95=1.0", "max_p95=%D9%A3", "min_accuracy=%200.5", "min_accuracy=NaN", "max_price=1e-3",
    "max_price=%2B1", "sort=", "currency=usd", "capability=", "q=" + "x" * 201,
])
def test_catalogue_filters_are_read_only_as_their_documented_type(anon_api, query):
    response = anon_api.get(f"/api/v1/services/?{query}")
    assert response.status_code == 400, response.json()
