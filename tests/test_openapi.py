"""The OpenAPI schema generates with no warnings and no errors."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.smoke


@pytest.mark.django_db
def test_openapi_schema_generates_without_warnings(tmp_path, capsys):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")


@pytest.mark.django_db
def test_api_docs_pages_are_served(anonymous):
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/docs/").status_code == 200
    assert anonymous.get("/api/redoc/").status_code == 200
