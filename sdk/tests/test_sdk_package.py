"""Templates, examples, the schema file, field_specs, the typed Contract and AIUCPService."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import caio_integration
from caio_integration import AIUCPService, ContractValidationError, ServiceInitializationError
from caio_integration.contracts import (
    CAPABILITIES,
    CAPABILITY_DESCRIPTIONS,
    CURRENCIES,
    LANGUAGES,
    SCHEMA_ID,
    Contract,
    contract_schema,
    examples,
    field_specs,
    load_contract,
    read_template,
    templates,
    validate_text,
)

EXAMPLES = ["anthropic_compatible", "code_generation", "custom_llm", "embedding_service",
            "openai_compatible_chat"]


def test_the_package_ships_both_templates_and_all_five_examples():
    assert templates() == ["advanced_service", "simple_service"]
    assert examples() == EXAMPLES


@pytest.mark.parametrize("name", ["simple_service", "advanced_service", *EXAMPLES])
def test_every_template_and_example_validates_with_only_placeholder_warnings(name):
    result = validate_text(read_template(name))
    assert result.valid
    assert {d.code for d in result.diagnostics} <= {"placeholder-text"}, result.diagnostics
    assert Contract.from_data(result.data).service_id == result.data["service_id"]


def test_read_template_refuses_names_that_are_not_shipped():
    for name in ["nope", "../schemas/contract-v1", "/etc/passwd", "simple_service.yaml", ""]:
        with pytest.raises(KeyError):
            read_template(name)


def test_the_schema_is_valid_json_schema_2020_12_with_a_stable_id():
    schema = contract_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == "https://caio.dev/schemas/contract/v1.json"
    raw = (files("caio_integration") / "schemas" / "contract-v1.json").read_text()
    assert json.loads(raw) == schema


def _properties(node, path=""):
    for key, child in node.get("properties", {}).items():
        yield f"{path}/{key}", child
        yield from _properties(child, f"{path}/{key}")
        if "items" in child:
            yield f"{path}/{key}/items", child["items"]


def test_every_schema_field_has_a_title_and_a_description_and_no_extra_keys():
    schema = contract_schema()
    fields = list(_properties(schema))
    assert len(fields) > 25
    for path, node in fields:
        assert node.get("title") and node.get("description"), path
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, path
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["service_id", "name", "version", "capabilities"]


def test_field_specs_flatten_the_schema_in_document_order():
    specs = field_specs()
    paths = [s.path for s in specs]
    assert paths[:4] == ["/service_id", "/name", "/version", "/description"]
    assert paths.index("/guarantees/latency/p95_ms") < paths.index("/constraints/max_tokens")
    assert len(paths) == len(set(paths)) == 20
    by_path = {s.path: s for s in specs}
    p95 = by_path["/guarantees/latency/p95_ms"]
    assert (p95.title, p95.type, p95.required) == ("Latency p95 (ms)", "number", False)
    assert p95.section == ("Guarantees", "Latency")
    assert p95.constraints == {"exclusiveMinimum": 0, "maximum": 86400000}
    assert by_path["/service_id"].required and by_path["/service_id"].hint
    caps = by_path["/capabilities"]
    assert (caps.type, caps.item_type, caps.vocabulary) == ("array", "string", CAPABILITIES)
    assert by_path["/constraints/supported_languages"].vocabulary == tuple(LANGUAGES)
    assert by_path["/cost/currency"].default == "USD"
    assert by_path["/endpoint"].format == "uri"
    json.dumps([s.to_dict() for s in specs])


def test_the_vocabularies_are_public_and_sane():
    assert {"text_generation", "text_embedding", "image_generation", "code_generation",
            "speech_to_text", "text_to_speech", "translation", "classification",
            "reranking"} <= set(CAPABILITIES)
    assert all(CAPABILITY_DESCRIPTIONS[c] for c in CAPABILITIES)
    assert caio_integration.CAPABILITIES is CAPABILITIES
    assert len(LANGUAGES) == 183 and LANGUAGES["de"] == "German"
    assert {"USD", "EUR", "GBP", "JPY"} <= CURRENCIES and "XXX" not in CURRENCIES


def test_load_contract_returns_a_typed_frozen_contract(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(read_template("advanced_service"))
    contract = load_contract(path)
    assert contract.service_id == "advanced-service"
    assert contract.capabilities[0] == "text_generation"
    assert contract.guarantees.latency.p95_ms == 50
    assert contract.guarantees.availability.target == 99.9
    assert contract.constraints.supported_languages == ("en", "es", "fr", "de")
    assert contract.cost.currency == "USD"
    with pytest.raises(dataclasses.FrozenInstanceError):
        contract.name = "other"  # type: ignore[misc]
    assert Contract.from_data(contract.to_data()) == contract


def test_a_missing_currency_becomes_usd_in_the_typed_contract(valid_data):
    del valid_data["cost"]["currency"]
    assert Contract.from_data(valid_data).cost.currency == "USD"


def test_load_contract_raises_with_every_diagnostic(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("service_id: X\nname: A\nversion: 1.0\ncapabilities: [ocr]\n")
    with pytest.raises(ContractValidationError) as caught:
        load_contract(path)
    assert [d.code for d in caught.value.diagnostics] == ["pattern", "ambiguous-scalar"]
    text = str(caught.value)
    assert f"{path}:1:13: error pattern:" in text and f"{path}:3:10: error ambiguous-scalar" in text


def test_contract_from_data_validates_without_positions(valid_data):
    valid_data["guarantees"]["latency"]["p95_ms"] = 500
    with pytest.raises(ContractValidationError) as caught:
        Contract.from_data(valid_data)
    (diag,) = caught.value.errors
    assert (diag.code, diag.line, diag.column) == ("latency-order", None, None)
    with pytest.raises(ContractValidationError):
        Contract.from_data(["not", "a", "mapping"])


class EchoService(AIUCPService):
    def setup(self, contract):
        if contract.service_id == "explodes":
            raise RuntimeError("no GPU")

    async def execute(self, request, context=None):
        return {"echo": request}

    async def verify_guarantees(self, result, contract):
        return {"guarantees_met": True, "service_id": contract.service_id}


def test_aiucp_service_is_abstract():
    with pytest.raises(TypeError):
        AIUCPService()  # type: ignore[abstract]


def test_a_service_initialises_from_a_valid_contract_and_runs(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(read_template("simple_service"))
    service = EchoService()
    assert service.get_health_status() == {"status": "uninitialized"}
    service.initialize(path)
    assert service.get_health_status()["status"] == "healthy"
    assert asyncio.run(service.execute({"q": 1})) == {"echo": {"q": 1}}
    proof = asyncio.run(service.verify_guarantees({}, service.contract))
    assert proof == {"guarantees_met": True, "service_id": "my-service"}


def test_a_service_refuses_an_invalid_or_missing_contract_or_a_failing_setup(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("service_id: x\n")
    with pytest.raises(ContractValidationError):
        EchoService().initialize(bad)
    with pytest.raises(ServiceInitializationError):
        EchoService().initialize(tmp_path / "missing.yaml")
    boom = tmp_path / "boom.yaml"
    boom.write_text(read_template("simple_service").replace("my-service", "explodes"))
    with pytest.raises(ServiceInitializationError, match="no GPU"):
        EchoService().initialize(boom)


def test_the_top_level_package_exports_the_public_api():
    for name in ["AIUCPService", "CAIOClient", "validate_text", "validate_file", "load_contract",
                 "ContractValidationError", "CAPABILITIES", "__version__"]:
        assert hasattr(caio_integration, name), name
    assert caio_integration.__version__ == "1.0.0"


def test_the_readme_field_table_is_generated_from_the_schema():
    from caio_integration.contracts.fields import markdown_table

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme


def test_the_echo_service_example_runs():
    example = Path(__file__).parents[1] / "examples" / "echo_service.py"
    run = subprocess.run([sys.executable, str(example)], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert b"HELLO, CAIO" in run.stdout and b"'guarantees_met': True" in run.stdout


def test_the_contracts_module_docstring_example_is_true():
    import doctest

    import caio_integration.contracts as module

    assert doctest.testmod(module).failed == 0


def test_the_package_version_is_the_one_in_pyproject():
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text())["project"]["version"]

    assert caio_integration.__version__ == declared
