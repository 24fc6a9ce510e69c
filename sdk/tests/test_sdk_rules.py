"""One test per contract rule: each rule fires on a bad value and stays quiet on a good one."""

from __future__ import annotations

import pytest

from caio_integration.contracts import validate_text


def codes(result):
    return [d.code for d in result.diagnostics]


def only(result, code):
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, result.diagnostics
    return found[0]


def test_the_complete_valid_contract_has_no_diagnostics_at_all(contract_text):
    result = validate_text(contract_text())
    assert result.valid
    assert result.diagnostics == []


def test_missing_required_keys_are_each_reported_at_the_mapping_line():
    result = validate_text("# a comment\ndescription: only this\n")
    missing = sorted(d.path for d in result.diagnostics if d.code == "required")
    assert missing == ["/capabilities", "/name", "/service_id", "/version"]
    assert {(d.line, d.column) for d in result.diagnostics if d.code == "required"} == {(2, 1)}
    message = only(validate_text("name: x\nversion: '1.0.0'\ncapabilities: [ocr]\n"),
                   "required").message
    assert "Service ID (service_id) is required" in message


@pytest.mark.parametrize("service_id", ["ab", "1abc", "My-Service", "my_service", "a" * 64, ""])
def test_a_bad_service_id_is_a_pattern_error(contract_text, service_id):
    diag = only(validate_text(contract_text(service_id=service_id)), "pattern")
    assert diag.path == "/service_id"
    assert "Service ID" in diag.message and diag.hint


@pytest.mark.parametrize("service_id", ["abc", "a" * 63, "my-service-2"])
def test_a_good_service_id_passes(contract_text, service_id):
    assert validate_text(contract_text(service_id=service_id)).valid


def test_an_empty_name_is_too_short_and_a_long_name_too_long(contract_text):
    assert codes(validate_text(contract_text(name=""))) == ["min-length"]
    assert codes(validate_text(contract_text(name="x" * 101))) == ["max-length"]
    assert validate_text(contract_text(name="x" * 100)).valid


@pytest.mark.parametrize("version", ["1.0", "01.0.0", "1.0.0.0", "v1.0.0", "1.0.0-", "latest"])
def test_a_version_that_is_not_semver_is_rejected(contract_text, version):
    diag = only(validate_text(contract_text(version=version)), "pattern")
    assert diag.path == "/version"


@pytest.mark.parametrize("version", ["0.0.1", "1.0.0-alpha.1", "2.1.0-rc.1+build.5", "10.20.30"])
def test_a_semver_version_passes(contract_text, version):
    assert validate_text(contract_text(version=version)).valid


def test_an_unquoted_version_that_yaml_reads_as_a_number_says_to_quote_it():
    text = "service_id: abc\nname: A\nversion: 3.10\ncapabilities: [ocr]\n"
    diag = only(validate_text(text), "ambiguous-scalar")
    assert (diag.path, diag.line, diag.column) == ("/version", 3, 10)
    assert "3.1" in diag.message and '"3.10"' in diag.hint


@pytest.mark.parametrize("word", ["no", "on", "yes", "off", "NO", "true"])
def test_a_yaml_boolean_word_in_a_string_list_is_ambiguous(contract_text, word):
    text = contract_text().replace("  - es\n", f"  - {word}\n")
    diag = only(validate_text(text), "ambiguous-scalar")
    assert diag.path == "/constraints/supported_languages/1"
    assert "boolean" in diag.message and f'"{word}"' in diag.hint


def test_a_quoted_no_is_a_plain_language_code(contract_text):
    text = contract_text().replace("  - es\n", "  - 'no'\n")
    assert validate_text(text).valid


def test_an_empty_capability_list_is_an_error(contract_text):
    assert codes(validate_text(contract_text(capabilities=[]))) == ["min-items"]


def test_a_repeated_capability_is_reported_at_the_repeat():
    text = "service_id: abc\nname: A\nversion: '1.0.0'\ncapabilities:\n- ocr\n- reranking\n- ocr\n"
    diag = only(validate_text(text), "unique-items")
    assert (diag.path, diag.line) == ("/capabilities/2", 7)


def test_a_capability_that_is_not_snake_case_is_an_error(contract_text):
    diag = only(validate_text(contract_text(capabilities=["Text-Generation"])), "pattern")
    assert diag.path == "/capabilities/0"


def test_an_unknown_capability_is_only_a_warning_with_a_suggestion(contract_text):
    result = validate_text(contract_text(capabilities=["text_generaton", "quantum_magic"]))
    assert result.valid
    warnings = [d for d in result.diagnostics if d.code == "unknown-capability"]
    assert [d.severity for d in warnings] == ["warning", "warning"]
    assert "text_generation" in warnings[0].hint
    assert "CAPABILITIES" in warnings[1].hint


def test_p95_above_p99_is_an_error_on_the_p95_line():
    text = ("service_id: abc\nname: A\nversion: '1.0.0'\ncapabilities: [ocr]\nguarantees:\n"
            "  latency:\n    p95_ms: 300\n    p99_ms: 200\n")
    diag = only(validate_text(text), "latency-order")
    assert (diag.path, diag.line, diag.column) == ("/guarantees/latency/p95_ms", 7, 13)


def test_equal_p95_and_p99_are_fine(contract_text):
    assert validate_text(contract_text(at={"guarantees.latency.p95_ms": 200})).valid


@pytest.mark.parametrize("value,code", [(0, "exclusive-minimum"), (-5, "exclusive-minimum"),
                                        (10**9, "maximum"), ("fast", "type")])
def test_latency_must_be_a_positive_number(contract_text, value, code):
    result = validate_text(contract_text(at={"guarantees.latency.p99_ms": value}))
    assert code in codes(result)
    assert not result.valid


@pytest.mark.parametrize("value,code", [(1.5, "maximum"), (-0.1, "minimum"), (True, "type")])
def test_accuracy_min_must_be_between_zero_and_one(contract_text, value, code):
    assert codes(validate_text(contract_text(at={"guarantees.accuracy.min": value}))) == [code]


@pytest.mark.parametrize("value", [0, 1, 0.5])
def test_accuracy_bounds_are_inclusive(contract_text, value):
    assert validate_text(contract_text(at={"guarantees.accuracy.min": value})).valid


@pytest.mark.parametrize("value,code", [(0, "exclusive-minimum"), (100.5, "maximum")])
def test_availability_target_is_in_zero_exclusive_to_hundred(contract_text, value, code):
    assert codes(validate_text(contract_text(at={"guarantees.availability.target": value}))) == [
        code
    ]
    assert validate_text(contract_text(at={"guarantees.availability.target": 100})).valid


@pytest.mark.parametrize("field", ["max_tokens", "max_images"])
@pytest.mark.parametrize("value,code", [(0, "minimum"), (-1, "minimum"), (2.5, "type")])
def test_limits_are_positive_whole_numbers(contract_text, field, value, code):
    assert codes(validate_text(contract_text(at={f"constraints.{field}": value}))) == [code]


def test_an_unknown_iso_639_1_code_is_an_error(contract_text):
    diag = only(validate_text(contract_text(at={"constraints.supported_languages": ["en", "xx"]})),
                "unknown-language")
    assert diag.path == "/constraints/supported_languages/1"


@pytest.mark.parametrize("code", ["EN", "en-US", "eng", "e"])
def test_a_language_code_in_the_wrong_shape_is_a_pattern_error(contract_text, code):
    diag = only(validate_text(contract_text(at={"constraints.supported_languages": [code]})),
                "pattern")
    assert diag.path == "/constraints/supported_languages/0"
    if code in ("EN", "en-US"):
        assert "'en'" in diag.hint


@pytest.mark.parametrize("field", ["per_request", "per_token", "per_image"])
def test_costs_cannot_be_negative_but_can_be_zero(contract_text, field):
    assert codes(validate_text(contract_text(at={f"cost.{field}": -0.01}))) == ["minimum"]
    assert validate_text(contract_text(at={f"cost.{field}": 0})).valid


def test_a_currency_must_be_a_real_iso_4217_code(contract_text):
    assert codes(validate_text(contract_text(at={"cost.currency": "XYZ"}))) == ["unknown-currency"]
    diag = only(validate_text(contract_text(at={"cost.currency": "eur"})), "pattern")
    assert "'EUR'" in diag.hint
    assert validate_text(contract_text(at={"cost.currency": "JPY"})).valid


def test_a_missing_currency_defaults_to_usd_with_an_info_note(contract_text):
    result = validate_text(contract_text(at={"cost.currency": None}))
    assert result.valid
    assert [(d.severity, d.code) for d in result.diagnostics] == [("info", "default-currency")]


@pytest.mark.parametrize("field", ["endpoint", "documentation_url"])
@pytest.mark.parametrize("url", ["http://example.com", "javascript:alert(1)", "ftp://x.org",
                                 "data:text/html,hi", "//example.com", "HTTP://example.com"])
def test_urls_must_be_https(contract_text, field, url):
    diag = only(validate_text(contract_text(**{field: url})), "https-required")
    assert diag.path == f"/{field}"


@pytest.mark.parametrize("url", ["https://", "https://exa mple.com", "https://-bad-.com/x",
                                 "https://api.example.com:99999/", "https://user@example.com/",
                                 "https://a..b/"])
def test_malformed_https_urls_are_rejected(contract_text, url):
    result = validate_text(contract_text(endpoint=url))
    assert not result.valid
    assert set(codes(result)) <= {"invalid-url", "pattern"}, result.diagnostics


@pytest.mark.parametrize("url", ["https://api.example.com", "https://localhost:8443/v1?x=1#y",
                                 "https://[::1]:8443/", "https://xn--bcher-kva.example/"])
def test_good_https_urls_pass(contract_text, url):
    assert validate_text(contract_text(endpoint=url)).valid


@pytest.mark.parametrize("email", ["nope", "a@b", "a b@c.com", "@example.com", "a@@b.com"])
def test_contact_must_be_an_email_address(contract_text, email):
    assert codes(validate_text(contract_text(contact=email))) == ["pattern"]


def test_tags_are_unique_short_lowercase_words(contract_text):
    assert codes(validate_text(contract_text(tags=["a", "a"]))) == ["unique-items"]
    assert codes(validate_text(contract_text(tags=["Bad Tag"]))) == ["pattern"]
    assert codes(validate_text(contract_text(tags=[f"t{i}" for i in range(21)]))) == ["max-items"]


def test_an_unknown_key_gets_a_did_you_mean_hint():
    text = "service_id: abc\nname: A\nversion: '1.0.0'\ncapabilites: [ocr]\n"
    result = validate_text(text)
    diag = only(result, "unknown-key")
    assert (diag.path, diag.line, diag.column) == ("/capabilites", 4, 1)
    assert diag.hint == "Did you mean 'capabilities'?"


def test_a_nested_unknown_key_is_named_with_its_section(contract_text):
    text = contract_text().replace("    p99_ms: 200\n", "    p99_ms: 200\n    p50ms: 20\n")
    diag = only(validate_text(text), "unknown-key")
    assert diag.path == "/guarantees/latency/p50ms"
    assert "Latency" in diag.message and "p95_ms" in diag.hint or "p99_ms" in diag.hint


def test_an_unknown_key_unlike_any_field_lists_the_allowed_keys(contract_text):
    diag = only(validate_text(contract_text() + "zzzz: 1\n"), "unknown-key")
    assert diag.hint.startswith("Allowed keys: service_id, name")


def test_a_value_of_the_wrong_type_names_the_field_and_what_was_found(contract_text):
    diag = only(validate_text(contract_text(guarantees="fast")), "type")
    assert diag.message == "Guarantees must be a mapping of keys to values, not the text 'fast'."


def test_an_empty_value_says_it_has_no_value():
    diag = only(validate_text("service_id: abc\nname:\nversion: '1.0.0'\ncapabilities: [ocr]\n"),
                "type")
    assert (diag.path, diag.line) == ("/name", 2)
    assert "has no value" in diag.message


def test_a_number_where_text_is_expected_says_to_quote_it():
    diag = only(validate_text("service_id: abc\nname: 42\nversion: '1.0.0'\ncapabilities: [ocr]\n"),
                "ambiguous-scalar")
    assert diag.hint == 'Put it in quotes: "42".'


def test_every_problem_is_reported_in_one_pass_sorted_by_position():
    text = (
        "service_id: Bad_Id\n"
        "name: ''\n"
        "version: 1.0\n"
        "capabilites: [ocr]\n"
        "guarantees:\n  latency: {p95_ms: 9, p99_ms: 1}\n  accuracy: {min: 2}\n"
        "constraints: {supported_languages: [xx]}\n"
        "cost: {per_token: -1, currency: ABC}\n"
        "endpoint: http://x.acme.io\n"
    )
    result = validate_text(text)
    assert codes(result) == [
        "required", "pattern", "min-length", "ambiguous-scalar", "unknown-key",
        "latency-order", "maximum", "unknown-language", "minimum", "unknown-currency",
        "https-required",
    ]
    positions = [(d.line, d.column) for d in result.diagnostics]
    assert positions == sorted(positions)


def test_diagnostics_serialise_to_plain_dicts(contract_text):
    result = validate_text(contract_text(name=""))
    assert result.to_dict() == {
        "valid": False,
        "diagnostics": [{
            "severity": "error", "code": "min-length", "message": "Name must not be empty.",
            "path": "/name", "line": 2, "column": 7, "hint": None,
        }],
    }


@pytest.mark.parametrize("field,value", [
    ("capabilities", [["text_generation"], {"a": 1}, None, 3]),
    ("constraints", {"supported_languages": [["en"], {"x": 1}, None]}),
    ("cost", {"currency": ["USD"]}),
    ("guarantees", {"latency": {"p95_ms": [1], "p99_ms": {"a": 1}}}),
    ("endpoint", {"url": "https://x.example"}),
])
def test_values_of_the_wrong_shape_inside_lists_and_sections_are_reported_not_crashed(
        contract_text, field, value):
    result = validate_text(contract_text(**{field: value}))
    assert not result.valid
    assert "internal-error" not in codes(result)
    assert set(codes(result)) <= {"type", "ambiguous-scalar"}, result.diagnostics
