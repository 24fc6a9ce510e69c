"""Every contract in the OpenAPI schema's request examples passes the SDK's validator with nothing
to report: what Swagger UI offers to "Try it out" is a contract the portal accepts as it is."""

from __future__ import annotations

import json

import pytest
from caio_integration.contracts import validate_text
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def request_examples(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            for media_type, content in (body or {}).get("content", {}).items():
                for name, example in content.get("examples", {}).items():
                    yield f"{method.upper()} {path} {media_type} {name}", example["value"]


_ADDRESSES = {("placeholder-text", f"/{key}") for key in ("endpoint", "documentation_url",
                                                         "contact")}


def test_every_contract_in_a_request_example_validates_with_no_diagnostic_but_its_addresses(
        tmp_path):
    out = tmp_path / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    checked = []
    for where, value in request_examples(json.loads(out.read_text())):
        if isinstance(value, dict) and isinstance(value.get("contract"), str):
            result = validate_text(value["contract"])
            # The SDK's examples keep to the domains reserved for examples (RFC 2606), which
            # the validator rightly names as placeholders; nothing else may be reported.
            assert [d.to_dict() for d in result.diagnostics
                    if (d.code, d.path) not in _ADDRESSES] == [], where
            assert result.valid, where
            checked.append(where)
    assert any("/validate" in where for where in checked), checked
