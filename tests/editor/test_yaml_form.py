"""YAML -> form -> YAML keeps the data, the comments, the key order and the indentation."""

import re

import pytest
from caio_integration.contracts import examples, read_template, templates, validate_text

from contracts_app.yaml_form import (
    YamlFormError,
    apply_values,
    field_for_pointer,
    form_fields,
    values_from_text,
)

STARTERS = templates() + examples()


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


@pytest.mark.smoke
@pytest.mark.parametrize("name", STARTERS)
def test_every_template_and_example_round_trips_through_the_form(name):
    text = read_template(name)
    values = values_from_text(text)
    rewritten = apply_values(text, values, force=True)
    assert validate_text(rewritten).data == validate_text(text).data
    assert comments(rewritten) == comments(text)
    untouched = apply_values(text, values)
    assert untouched == text


@pytest.mark.parametrize("name", STARTERS)
def test_editing_one_field_keeps_every_comment_and_the_other_lines(name):
    text = read_template(name)
    values = values_from_text(text)
    values["name"] = "Renamed Service"
    out = apply_values(text, values)
    assert validate_text(out).data["name"] == "Renamed Service"
    assert comments(out) == comments(text)
    changed = [a for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and changed[0].startswith("name:")


@pytest.mark.smoke
@pytest.mark.parametrize("value", ["no", "on", "yes", "off", "1.10", "3.0", "2024-01-01", "null", "~"])
def test_values_yaml_1_1_would_retype_are_quoted_and_read_back_as_text(value):
    text = read_template("simple_service")
    values = values_from_text(text)
    values["name"] = value
    values["tags"] = [value]
    values["description"] = value
    out = apply_values(text, values)
    data = validate_text(out).data
    assert data["name"] == value
    assert data["tags"] == [value]
    assert data["description"] == value
    assert values_from_text(out)["name"] == value


def test_contract_holding_no_on_and_1_10_round_trips_unchanged():
    text = (
        "# a contract whose values look like booleans and numbers\n"
        "service_id: quirky-values\n"
        "name: 'no'            # really the text no\n"
        'version: "1.10.0"\n'
        'description: "1.10"\n'
        "capabilities:\n"
        "  - text_generation\n"
        "tags:\n"
        "  - 'on'\n"
        '  - "yes"\n'
    )
    values = values_from_text(text)
    assert values["name"] == "no" and values["description"] == "1.10"
    assert values["tags"] == ["on", "yes"]
    for force in (False, True):
        out = apply_values(text, values, force=force)
        assert validate_text(out).data == validate_text(text).data
        assert comments(out) == comments(text)
    values["tags"] = ["on", "yes", "no"]
    out = apply_values(text, values)
    assert validate_text(out).data["tags"] == ["on", "yes", "no"]
    assert "really the text no" in out


def test_numbers_are_written_as_typed_and_read_as_numbers():
    text = read_template("simple_service")
    values = values_from_text(text)
    values["guarantees__latency__p95_ms"] = "0.000002"
    values["constraints__max_tokens"] = "010"
    values["cost__per_request"] = "1e-6"
    data = validate_text(apply_values(text, values)).data
    assert data["guarantees"]["latency"]["p95_ms"] == 0.000002
    assert data["constraints"]["max_tokens"] == 10
    assert data["cost"]["per_request"] == 1e-6


def test_text_typed_into_a_number_field_is_kept_for_the_validator_to_report():
    text = read_template("simple_service")
    values = values_from_text(text)
    values["guarantees__latency__p99_ms"] = "fast"
    out = apply_values(text, values)
    result = validate_text(out)
    assert result.data["guarantees"]["latency"]["p99_ms"] == "fast"
    assert any(d.path == "/guarantees/latency/p99_ms" for d in result.diagnostics)


def test_emptying_a_field_removes_it_and_an_emptied_section_but_keeps_the_next_comment():
    text = read_template("simple_service")
    values = values_from_text(text)
    values["guarantees__accuracy__min"] = ""
    out = apply_values(text, values)
    data = validate_text(out).data
    assert "accuracy" not in data["guarantees"]
    assert "# Limits of a single request." in out
    assert out.index("p99_ms") < out.index("# Limits of a single request.") < out.index("constraints:")


def test_adding_a_field_to_a_contract_keeps_its_indentation_style():
    text = "service_id: four-space\nguarantees:\n    latency:\n        p95_ms: 10\ncapabilities:\n  - ocr\n"
    values = values_from_text(text)
    values["guarantees__latency__p99_ms"] = "20"
    values["capabilities"] = ["ocr", "translation"]
    out = apply_values(text, values)
    assert "        p99_ms: 20\n" in out
    assert "  - translation\n" in out


def test_a_yaml_syntax_error_cannot_become_a_form_and_names_its_line():
    with pytest.raises(YamlFormError) as info:
        values_from_text("service_id: x\nname: [unclosed\n")
    assert info.value.line is not None
    assert re.search(r"line \d", info.value.message)


def test_the_form_has_a_field_for_every_schema_leaf_with_its_documented_label():
    labels = {f.label for f in form_fields()}
    for expected in ("Service ID", "Name", "Version", "Description", "Capabilities",
                     "Latency p95 (ms)", "Latency p99 (ms)", "Minimum accuracy",
                     "Availability target (%)", "Maximum tokens", "Maximum images",
                     "Supported languages", "Cost per request", "Cost per token",
                     "Cost per image", "Currency", "Endpoint URL", "Contact email",
                     "Documentation URL", "Tags"):
        assert expected in labels


def test_diagnostic_pointers_map_to_their_form_field():
    assert field_for_pointer("/capabilities/3").name == "capabilities"
    assert field_for_pointer("/guarantees/latency/p95_ms").name == "guarantees__latency__p95_ms"
    assert field_for_pointer("") is None
    assert field_for_pointer("/unknown_key") is None


def test_a_changed_value_loses_the_comment_that_stated_the_old_one_and_keeps_the_next_lines():
    text = ("guarantees:\n  latency:\n    p95_ms: 100  # 95% of requests answer within 100 ms\n"
            "    p99_ms: 200  # must be >= p95_ms\n# Limits of a single request.\n"
            "constraints:\n  max_tokens: 4096  # tokens\n")
    values = values_from_text(text)
    values["guarantees__latency__p95_ms"] = "150"
    values["constraints__max_tokens"] = "8192"
    out = apply_values(text, values)
    assert "p95_ms: 150\n" in out and "within 100 ms" not in out
    assert "p99_ms: 200  # must be >= p95_ms\n# Limits of a single request.\n" in out
    assert out.endswith("max_tokens: 8192\n")
    assert validate_text(out).data["guarantees"]["latency"] == {"p95_ms": 150, "p99_ms": 200}


def test_a_comment_followed_by_a_section_title_keeps_the_title_when_its_value_changes():
    text = "cost:\n  per_token: 0.0001  # 1 cent per 100 tokens\n# Links.\nendpoint: https://a.io\n"
    values = values_from_text(text)
    values["cost__per_token"] = "0.0002"
    out = apply_values(text, values)
    assert out == "cost:\n  per_token: 0.0002\n# Links.\nendpoint: https://a.io\n"


def test_a_changed_list_item_loses_its_comment_and_unchanged_items_keep_theirs():
    text = "constraints:\n  supported_languages:\n    - en  # English\n    - es  # Spanish\n" \
           "    - fr\n"
    values = values_from_text(text)
    values["constraints__supported_languages"] = "en, de, fr"
    out = apply_values(text, values)
    assert "- en  # English\n" in out and "Spanish" not in out
    assert validate_text(out).data["constraints"]["supported_languages"] == ["en", "de", "fr"]
