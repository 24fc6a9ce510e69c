"""Hostile and broken inputs: every one becomes diagnostics; nothing raises, nothing runs."""

from __future__ import annotations

import codecs
import os

import pytest
import yaml
import yaml.cyaml

from caio_integration.contracts import MAX_BYTES, loader, validate_file, validate_text

HEADER = "service_id: abc\nname: A\nversion: '1.0.0'\ncapabilities: [ocr]\n"


@pytest.fixture(params=["libyaml", "pure-python"])
def both_parsers(request, monkeypatch):
    """Run the test with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "libyaml":
        if not yaml.__with_libyaml__:
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(loader, "_Loader", yaml.cyaml.CParser)
    else:
        monkeypatch.setattr(loader, "_Loader", yaml.SafeLoader)
    return request.param


def codes(result):
    return [d.code for d in result.diagnostics]


def refused(result, code):
    assert not result.valid
    assert code in codes(result), result.diagnostics
    return next(d for d in result.diagnostics if d.code == code)


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.mkdir [{target}]",
    "!!python/object/new:os.mkdir [{target}]",
    "!!python/object/apply:os.mkdir {{args: [{target}]}}",
])
def test_python_tags_are_refused_and_never_constructed(tmp_path, both_parsers, payload):
    target = tmp_path / "pwned"
    text = HEADER + "description: " + payload.format(target=f"'{target}'") + "\n"
    diag = refused(validate_text(text), "unsupported-tag")
    assert diag.path == "/description" and diag.line == 5
    assert not target.exists()


@pytest.mark.parametrize("tagged", ["!!python/name:os.system", "!!python/module:os",
                                    "!!python/object:collections.OrderedDict {}",
                                    "!custom 1", "!!binary aGVsbG8=", "!!set {a, b}",
                                    "!!omap [{a: 1}]", "!!timestamp 2020-99-99",
                                    "!!timestamp 2020-01-01"])
def test_odd_tags_become_unsupported_tag_diagnostics(both_parsers, tagged):
    diag = refused(validate_text(HEADER + f"description: {tagged}\n"), "unsupported-tag")
    assert diag.line == 5


@pytest.mark.parametrize("value,code", [("!!int abc", "bad-scalar"), ("!!float x", "bad-scalar"),
                                        ("!!bool maybe", "bad-scalar"), (".inf", "not-finite"),
                                        ("-.inf", "not-finite"), (".nan", "not-finite"),
                                        ("1.0e+999", "not-finite")])
def test_numbers_that_cannot_be_read_or_are_not_finite_are_errors(both_parsers, value, code):
    text = HEADER + f"constraints:\n  max_tokens: {value}\n"
    diag = refused(validate_text(text), code)
    assert diag.path == "/constraints/max_tokens"
    assert codes(validate_text(text)).count(code) == 1


def test_a_huge_integer_is_a_diagnostic_not_a_crash(both_parsers):
    result = validate_text(HEADER + "constraints:\n  max_tokens: " + "9" * 20000 + "\n")
    refused(result, "bad-scalar")
    big = validate_text(HEADER + "constraints:\n  max_tokens: " + "9" * 40 + "\n")
    assert "maximum" in codes(big)


def test_a_billion_laughs_alias_bomb_is_refused(both_parsers):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    result = validate_text("\n".join(lines) + "\n")
    assert codes(result) == ["alias-expansion"]
    assert result.data is None


def test_too_many_aliases_are_refused_even_when_small(both_parsers):
    text = HEADER + "x: &x 1\ntags: [" + ", ".join(["*x"] * 150) + "]\n"
    assert codes(validate_text(text)) == ["too-many-aliases"]


def test_a_few_small_aliases_are_allowed():
    text = "service_id: abc\nname: &n A\nversion: '1.0.0'\ncapabilities: [ocr]\ndescription: *n\n"
    result = validate_text(text)
    assert result.valid and result.data["description"] == "A"


def test_an_alias_to_an_unknown_anchor_is_an_error(both_parsers):
    assert "unknown-alias" in codes(validate_text(HEADER + "description: *nowhere\n"))


@pytest.mark.parametrize("shape", ["flow-list", "flow-map", "block-list", "block-map-in-list"])
def test_twenty_thousand_levels_of_nesting_are_refused_without_recursion_error(both_parsers,
                                                                               shape):
    n = 20_000
    text = {
        "flow-list": "a: " + "[" * n + "]" * n,
        "flow-map": "a: " + "{a: " * n + "1" + "}" * n,
        "block-list": "a:\n" + "- " * n + "x\n",
        "block-map-in-list": "- a:\n" + "".join("  " * (i + 1) + "- a:\n" for i in range(200)),
    }[shape]
    result = validate_text(text)
    assert codes(result) == ["too-deep"], result.diagnostics
    assert result.diagnostics[0].line is not None


def test_nesting_up_to_the_limit_is_parsed():
    text = HEADER + "description: " + "[" * 60 + "]" * 60 + "\n"
    assert codes(validate_text(text)) == ["type"]


def test_a_five_megabyte_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "w") as handle:
        handle.write(HEADER)
        handle.write("description: '" + "x" * (5 * 1024 * 1024) + "'\n")
    result = validate_file(path)
    diag = refused(result, "too-large")
    assert (diag.line, diag.column) == (1, 1)
    assert codes(validate_text(path.read_bytes())) == ["too-large"]
    assert codes(validate_text(path.read_text())) == ["too-large"]


def test_the_size_cap_is_exact_and_adjustable():
    text = HEADER + "#" * (MAX_BYTES - len(HEADER) - 1) + "\n"
    assert len(text.encode()) == MAX_BYTES
    assert validate_text(text).valid
    assert validate_text(text.encode()).valid
    assert codes(validate_text(text + "\n")) == ["too-large"]
    assert codes(validate_text((text + "\n").encode())) == ["too-large"]
    assert codes(validate_text(HEADER, max_bytes=20)) == ["too-large"]
    assert codes(validate_text("\u00e9" * 140_000)) == ["too-large"]  # 280,000 bytes of UTF-8


def test_a_long_scalar_is_refused(both_parsers):
    result = validate_text(HEADER + "description: '" + "x" * 70_000 + "'\n")
    assert codes(result) == ["scalar-too-long"]


def test_a_huge_flat_list_is_refused_as_too_many_nodes(both_parsers):
    result = validate_text(HEADER + "tags: [" + ",".join(["1"] * 30_000) + "]\n")
    assert codes(result) == ["too-many-nodes"]


def test_latin_1_bytes_are_refused_at_the_bad_byte():
    raw = (HEADER + "description: Caf\u00e9 cr\u00e8me\n").encode("latin-1")
    diag = refused(validate_text(raw), "encoding")
    assert (diag.line, diag.column) == (5, 17)
    assert "0xE9" in diag.message


def test_utf_16_is_refused_but_a_utf_8_bom_is_accepted():
    assert codes(validate_text(HEADER.encode("utf-16"))) == ["encoding"]
    assert validate_text(codecs.BOM_UTF8 + HEADER.encode()).valid


def test_a_lone_surrogate_in_a_str_is_an_encoding_error():
    diag = refused(validate_text(HEADER + "description: \ud800\n"), "encoding")
    assert diag.line == 5


def test_control_characters_are_refused(both_parsers):
    diag = refused(validate_text(HEADER + "description: a\x00b\n"), "invalid-character")
    assert diag.line == 5


@pytest.mark.parametrize("escape", ["\\0", "\\x00", "\\u0000", "\\U00000000"])
def test_a_nul_written_as_an_escape_is_refused_at_its_value_or_key(both_parsers, escape):
    value = refused(validate_text(HEADER + f'description: "a{escape}b"\n'), "invalid-character")
    assert (value.path, value.line) == ("/description", 5)
    key = refused(validate_text(HEADER + f'"x{escape}": 1\n'), "invalid-character")
    assert (key.path, key.line, key.column) == ("/x\x00", 5, 1)


def test_a_nul_in_bare_data_is_refused():
    from caio_integration.contracts import validate_data

    data = {"service_id": "abc", "name": "A", "version": "1.0.0", "capabilities": ["ocr"],
            "tags": ["ok", "n\x00"]}
    assert refused(validate_data(data), "invalid-character").path == "/tags/1"


def test_a_lone_surrogate_escape_is_refused_by_either_parser(both_parsers):
    """libyaml refuses the escape itself (syntax); PyYAML's parser builds it, then the rule."""
    result = validate_text(HEADER + 'description: "a\\ud800b"\n')
    assert not result.valid
    assert {"syntax", "invalid-character"} & set(codes(result))
    from caio_integration.contracts import validate_data

    data = {"service_id": "abc", "name": "A\udfff", "version": "1.0.0", "capabilities": ["ocr"]}
    assert "lone surrogate" in refused(validate_data(data), "invalid-character").message


def test_a_nul_repeated_through_aliases_is_reported_without_blowing_up(both_parsers):
    text = HEADER + 'tags: &t ["\\0", "\\0"]\nextra: [*t, *t, *t, *t]\n'
    result = validate_text(text)
    assert codes(result).count("invalid-character") == 2


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n", "~\n", "null\n"])
def test_an_empty_document_is_an_error(both_parsers, text):
    assert codes(validate_text(text)) == ["empty"]
    assert codes(validate_text(text.encode())) == ["empty"]


def test_several_documents_are_refused_at_the_second(both_parsers):
    diag = refused(validate_text(HEADER + "---\n" + HEADER), "multiple-documents")
    assert diag.line == 5


@pytest.mark.parametrize("text,kind", [("- a\n- b\n", "a list"), ("just text\n", "a single value"),
                                       ("42\n", "a single value")])
def test_a_top_level_that_is_not_a_mapping_is_refused(both_parsers, text, kind):
    diag = refused(validate_text(text), "not-a-mapping")
    assert kind in diag.message


def test_a_duplicate_key_is_reported_at_the_duplicates_line(both_parsers):
    diag = refused(validate_text(HEADER + "name: B\n"), "duplicate-key")
    assert (diag.path, diag.line, diag.column) == ("/name", 5, 1)
    assert "line 2" in diag.message


def test_a_nested_duplicate_key_is_reported_too(both_parsers):
    text = HEADER + "guarantees:\n  latency:\n    p95_ms: 1\n    p99_ms: 2\n    p95_ms: 3\n"
    diag = refused(validate_text(text), "duplicate-key")
    assert (diag.path, diag.line, diag.column) == ("/guarantees/latency/p95_ms", 9, 5)


def test_a_duplicate_key_in_a_flow_mapping_is_reported(both_parsers):
    diag = refused(validate_text(HEADER + "cost: {per_token: 1, per_token: 2}\n"), "duplicate-key")
    assert (diag.line, diag.column) == (5, 22)


@pytest.mark.parametrize("text,line", [("a: [1, 2\n", 2), ("a: b: c\n", 1), ("a:\n\tb: 1\n", 2),
                                       ("{a: 1\n", 2), ("a: 'open\n", 2), ("- a\nb: 1\n", 2)])
def test_syntax_errors_are_pinned_to_a_line(both_parsers, text, line):
    result = validate_text(text)
    assert codes(result) == ["syntax"]
    assert result.diagnostics[0].line == line


def test_complex_and_merge_keys_are_refused(both_parsers):
    assert "complex-key" in codes(validate_text("? [a, b]\n: 1\n"))
    assert "complex-key" in codes(validate_text("{[a]: 1}\n"))
    text = "base: &b {name: A}\n<<: *b\n" + HEADER
    assert "merge-key" in codes(validate_text(text))


def test_typos_in_many_keys_are_all_reported_with_hints():
    text = "servce_id: abc\nnmae: A\nversoin: '1.0.0'\ncapabilites: [ocr]\n"
    result = validate_text(text)
    hints = {d.path: d.hint for d in result.diagnostics if d.code == "unknown-key"}
    assert hints == {
        "/servce_id": "Did you mean 'service_id'?",
        "/nmae": "Did you mean 'name'?",
        "/versoin": "Did you mean 'version'?",
        "/capabilites": "Did you mean 'capabilities'?",
    }


def test_keys_that_look_like_other_types_stay_text():
    result = validate_text(HEADER + "1: a\nyes: b\nnull: c\n")
    assert {d.path for d in result.diagnostics} == {"/1", "/yes", "/null"}


def test_validate_file_reads_only_a_bounded_prefix(tmp_path):
    path = tmp_path / "sparse.yaml"
    with open(path, "wb") as handle:
        handle.truncate(1 << 30)  # 1 GiB sparse file
    result = validate_file(path)
    assert codes(result) == ["too-large"]
    os.remove(path)


def test_validate_text_rejects_non_text_arguments_loudly():
    with pytest.raises(TypeError):
        validate_text(12)  # type: ignore[arg-type]


@pytest.mark.parametrize("tail", [
    "".join(f"key_{i}: {i}\n" for i in range(5000)),
    "tags: [" + ",".join(["a"] * 5000) + "]\n",
    "guarantees:\n" + "  latency: 1\n" * 5000,
    "description: [" + ",".join(["!!binary x"] * 5000) + "]\n",
])
def test_thousands_of_repeated_problems_are_capped_with_a_note(tail):
    result = validate_text(HEADER + tail)
    assert not result.valid
    assert 200 <= len(result.diagnostics) <= 202
    assert "too-many-problems" in codes(result)


@pytest.mark.parametrize("field,value", [
    ("version", "1.0.0-" + "1" * 60000 + "!"),
    ("version", "1.0.0-" + "1." * 30000 + "!"),
    ("endpoint", "https://" + "a." * 30000 + "!"),
    ("contact", "a@" + "b." * 30000),
    ("service_id", "a" * 60000 + "!"),
])
def test_long_strings_built_to_make_regexes_backtrack_are_answered(field, value):
    fields = {"service_id": "abc", "name": "A", "version": "'1.0.0'", "capabilities": "[ocr]",
              field: f"'{value}'"}
    result = validate_text("".join(f"{k}: {v}\n" for k, v in fields.items()))
    assert not result.valid
    assert set(codes(result)) <= {"pattern", "max-length", "required"}, result.diagnostics


def test_an_anchor_on_a_key_can_be_aliased_as_a_value():
    result = validate_text(HEADER + "&k description: *k\n")
    assert result.valid and result.data["description"] == "description"
