"""Hypothesis properties: valid contracts round-trip; no input makes the validator raise."""

from __future__ import annotations

import json
import math

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from caio_integration.contracts import (
    CAPABILITIES,
    CURRENCIES,
    LANGUAGES,
    Contract,
    contract_schema,
    validate_text,
)
from caio_integration.contracts.schema import validator as compiled_validator

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# YAML 1.1 treats NEL, LS and PS as line breaks, so a dumped string holding one does not come
# back unchanged from any YAML parser; they are left out of generated text. So are NUL (dumped
# as the escape "\0") and lone surrogates (Cs): no valid contract holds one (invalid-character).
text_chars = st.characters(blacklist_categories=("Cs",),
                           blacklist_characters="\x00\x85\u2028\u2029")
positive = st.floats(min_value=0.001, max_value=1e6, allow_nan=False, allow_infinity=False)
money = st.floats(min_value=0, max_value=1e3, allow_nan=False, allow_infinity=False)
semver = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-{pre}" if pre else ""),
    st.integers(0, 999), st.integers(0, 999), st.integers(0, 999),
    st.one_of(st.none(), st.from_regex(r"\A(alpha|beta|rc)\.(0|[1-9][0-9]{0,2})\Z")),
)


@st.composite
def latency(draw):
    a, b = sorted([draw(positive), draw(positive)])
    out = {}
    if draw(st.booleans()):
        out["p95_ms"] = a
    if draw(st.booleans()):
        out["p99_ms"] = b
    return out


def optional(strategies: dict) -> st.SearchStrategy:
    """A dict with any subset of the given keys."""
    return st.fixed_dictionaries({}, optional=strategies)


contracts = st.fixed_dictionaries(
    {
        "service_id": st.from_regex(r"\A[a-z][a-z0-9-]{2,62}\Z"),
        "name": st.text(text_chars, min_size=1, max_size=100),
        "version": semver,
        "capabilities": st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=6,
                                 unique=True),
    },
    optional={
        "description": st.text(text_chars, max_size=300),
        "guarantees": optional({
            "latency": latency(),
            "accuracy": optional({"min": st.floats(0, 1)}),
            "availability": optional({"target": st.floats(0.001, 100)}),
        }),
        "constraints": optional({
            "max_tokens": st.integers(1, 2**31 - 1),
            "max_images": st.integers(1, 1000),
            "supported_languages": st.lists(st.sampled_from(sorted(LANGUAGES)), unique=True,
                                            max_size=8),
        }),
        "cost": optional({
            "per_request": money, "per_token": money, "per_image": money,
            "currency": st.sampled_from(sorted(CURRENCIES)),
        }),
        "endpoint": st.from_regex(r"\Ahttps://[a-z]{1,10}\.acme\.io(/[a-z0-9]{0,8}){0,3}\Z"),
        "documentation_url": st.just("https://docs.acme.io/x"),
        "contact": st.from_regex(r"\A[a-z0-9.]{1,10}@[a-z]{1,8}\.(com|org|dev)\Z"),
        "tags": st.lists(st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,10}\Z"), unique=True,
                         max_size=5),
    },
)


@SETTINGS
@given(contracts, st.booleans(), st.booleans())
def test_any_valid_contract_round_trips_through_yaml(data, flow, unicode):
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=flow, allow_unicode=unicode)
    result = validate_text(text)
    assert [d for d in result.diagnostics
            if d.severity != "info" and d.code != "placeholder-text"] == []
    assert result.data == data
    assert result.data == yaml.safe_load(text)
    assert Contract.from_data(result.data).service_id == data["service_id"]


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_byte_string_gives_a_result_and_never_raises(raw):
    result = validate_text(raw)
    assert isinstance(result.diagnostics, list)
    assert result.valid == (not result.errors)
    if not result.valid:
        assert result.errors
    json.dumps(result.to_dict())


yamlish = st.text(st.sampled_from(list("{}[]:-,?&*!|>'\"#%@`~ \n\t\\abyn01.e+<=_/")), max_size=300)


@SETTINGS
@given(st.one_of(yamlish, st.text(max_size=500)))
def test_any_text_gives_positioned_diagnostics_and_never_raises(text):
    result = validate_text(text)
    lines = text.count("\n") + 2
    for diag in result.diagnostics:
        assert diag.severity in ("error", "warning", "info")
        assert diag.code and diag.code == diag.code.lower() and " " not in diag.code
        assert diag.message.endswith((".", "?"))
        assert diag.path == "" or diag.path.startswith("/")
        assert diag.line is not None and 1 <= diag.line <= lines
        assert diag.column is not None and diag.column >= 1
    if result.valid:
        assert isinstance(result.data, dict)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**12) | st.text(max_size=12)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["service_id", "name", "version", "capabilities",
                                       "guarantees", "latency", "p95_ms", "cost", "currency",
                                       "constraints", "max_tokens", "tags", "other"]),
                      children, max_size=5),
    max_leaves=20,
)


@SETTINGS
@given(st.one_of(json_values, contracts))
def test_the_fast_annotation_free_validator_agrees_with_the_full_schema(instance):
    full = Draft202012Validator(contract_schema())
    fast = compiled_validator()

    def summary(v):
        return sorted((list(e.absolute_path), e.validator) for e in v.iter_errors(instance))

    assert summary(fast) == summary(full)


@settings(SETTINGS, max_examples=100)
@given(contracts, st.sampled_from(["service_id", "name", "version", "capabilities"]))
def test_dropping_a_required_key_is_always_reported(data, key):
    del data[key]
    result = validate_text(yaml.safe_dump(data))
    assert [d.path for d in result.errors] == [f"/{key}"]
    assert math.isfinite(result.errors[0].line)
