"""The breaking-change analysis, rule by rule (a pure function: no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.review import changes as c
from integrations.review.changes import compare, is_breaking, major_bumped, text_diff
from tests.factories import contract_data

pytestmark = pytest.mark.smoke


def old() -> dict:
    return contract_data("rules-demo")


# (rule, dotted changes applied to the new contract (version stays 1.x), expected kind, breaking)
RULES = [
    ("capability removed", {"capabilities": ["text_generation"]}, c.CAPABILITY_REMOVED, True),
    ("capability added", {"capabilities": ["text_generation", "code_generation", "translation"]},
     c.CAPABILITY_ADDED, False),
    ("p95 latency higher", {"guarantees.latency.p95_ms": 150}, c.GUARANTEE_WEAKENED, True),
    ("p99 latency higher", {"guarantees.latency.p99_ms": 250}, c.GUARANTEE_WEAKENED, True),
    ("p95 latency lower", {"guarantees.latency.p95_ms": 80}, c.GUARANTEE_IMPROVED, False),
    ("accuracy lower", {"guarantees.accuracy.min": 0.9}, c.GUARANTEE_WEAKENED, True),
    ("accuracy higher", {"guarantees.accuracy.min": 0.97}, c.GUARANTEE_IMPROVED, False),
    ("availability lower", {"guarantees.availability.target": 99.5}, c.GUARANTEE_WEAKENED, True),
    ("availability higher", {"guarantees.availability.target": 99.99}, c.GUARANTEE_IMPROVED,
     False),
    ("latency guarantee dropped", {"guarantees.latency.p99_ms": None}, c.GUARANTEE_DROPPED, True),
    ("accuracy guarantee dropped", {"guarantees.accuracy": None}, c.GUARANTEE_DROPPED, True),
    ("fewer languages", {"constraints.supported_languages": ["en", "de"]},
     c.CONSTRAINT_NARROWED, True),
    ("more languages", {"constraints.supported_languages": ["en", "de", "fr", "es"]},
     c.CONSTRAINT_WIDENED, False),
    ("lower max_tokens", {"constraints.max_tokens": 4096}, c.CONSTRAINT_NARROWED, True),
    ("higher max_tokens", {"constraints.max_tokens": 16384}, c.CONSTRAINT_WIDENED, False),
    ("lower max_images", {"constraints.max_images": 1}, c.CONSTRAINT_NARROWED, True),
    ("max_images limit removed", {"constraints.max_images": None}, c.CONSTRAINT_WIDENED, False),
    ("per-request price up", {"cost.per_request": 0.003}, c.PRICE_RAISED, True),
    ("per-token price up", {"cost.per_token": 0.0002}, c.PRICE_RAISED, True),
    ("per-image price up", {"cost.per_image": 0.02}, c.PRICE_RAISED, True),
    ("per-request price down", {"cost.per_request": 0.001}, c.PRICE_LOWERED, False),
    ("currency changed", {"cost.currency": "EUR"}, c.CURRENCY_CHANGED, True),
    ("name changed", {"name": "Renamed Service"}, c.FIELD_CHANGED, False),
    ("description changed", {"description": "Better words."}, c.FIELD_CHANGED, False),
    ("tags changed", {"tags": ["llm", "fast"]}, c.FIELD_CHANGED, False),
    ("endpoint changed", {"endpoint": "https://api2.example.com/v1"}, c.FIELD_CHANGED, False),
    ("documentation added", {"documentation_url": "https://docs.example.com"}, c.FIELD_ADDED,
     False),
]


@pytest.mark.parametrize(("rule", "edits", "kind", "breaking"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_flags_its_change_with_the_right_verdict(rule, edits, kind, breaking):
    new = contract_data("rules-demo", version="1.1.0", **edits)
    result = compare(old(), new)
    matching = [change for change in result if change.kind == kind]
    assert matching, f"{rule}: no {kind} in {result}"
    assert all(change.breaking is breaking for change in matching)
    assert is_breaking(result) is breaking
    # A breaking change under a minor bump also breaks the SemVer promise, and says so first.
    has_missing_bump = result[0].kind == c.MAJOR_BUMP_MISSING
    assert has_missing_bump is breaking


@pytest.mark.parametrize(("rule", "edits", "kind", "breaking"),
                         [r for r in RULES if r[3]], ids=[r[0] for r in RULES if r[3]])
def test_a_major_bump_keeps_the_change_breaking_but_satisfies_the_version_rule(
        rule, edits, kind, breaking):
    result = compare(old(), contract_data("rules-demo", version="2.0.0", **edits))
    assert is_breaking(result)
    assert c.MAJOR_BUMP_MISSING not in {change.kind for change in result}
    assert any(change.kind == c.VERSION_CHANGED and not change.breaking for change in result)


def test_the_missing_major_bump_is_a_breaking_change_of_its_own_naming_both_versions():
    result = compare(old(), contract_data("rules-demo", version="1.0.1",
                                          capabilities=["text_generation"]))
    bump = result[0]
    assert (bump.kind, bump.path, bump.old, bump.new, bump.breaking) == (
        c.MAJOR_BUMP_MISSING, "/version", "1.0.0", "1.0.1", True)
    assert "without a major version bump" in bump.message


@pytest.mark.parametrize(("before", "after", "bumped"), [
    ("1.0.0", "2.0.0", True), ("1.9.9", "2.0.0-beta.1", True), ("1.0.0", "1.1.0", False),
    ("1.0.0", "1.0.1", False), ("0.1.0", "0.2.0", True), ("0.1.0", "0.1.5", False),
    ("0.9.0", "1.0.0", True), ("2.0.0", "1.0.0", False), ("1.0.0", "not-semver", False),
    (None, "1.0.0", False),
])
def test_major_bump_follows_semver_with_minor_bumps_counting_before_1_0(before, after, bumped):
    assert major_bumped(before, after) is bumped


def test_identical_contracts_have_no_changes():
    assert compare(old(), old()) == []


def test_a_first_registration_has_nothing_to_compare():
    assert compare(None, old()) == []


def test_a_removed_capability_names_the_capability_and_its_path():
    result = compare(old(), contract_data("rules-demo", version="2.0.0",
                                          capabilities=["text_generation"]))
    removed = [change for change in result if change.kind == c.CAPABILITY_REMOVED]
    assert [(r.path, r.old, r.new) for r in removed] == [("/capabilities", "code_generation", None)]
    assert "code_generation" in removed[0].message


def test_a_limit_introduced_where_there_was_none_narrows_the_contract():
    before = contract_data("rules-demo", **{"constraints.max_tokens": None})
    after = contract_data("rules-demo", version="2.0.0")
    kinds = {(change.kind, change.path) for change in compare(before, after) if change.breaking}
    assert (c.CONSTRAINT_NARROWED, "/constraints/max_tokens") in kinds


def test_a_new_price_on_a_free_field_is_a_raise_and_a_stated_zero_is_not():
    before = contract_data("rules-demo", **{"cost.per_image": None})
    raised = compare(before, contract_data("rules-demo", version="2.0.0"))
    assert any(ch.kind == c.PRICE_RAISED and ch.path == "/cost/per_image" for ch in raised)
    free = compare(before, contract_data("rules-demo", version="1.1.0", **{"cost.per_image": 0}))
    assert not is_breaking(free)


def test_the_default_currency_is_usd_so_stating_it_changes_nothing():
    before = contract_data("rules-demo", **{"cost.currency": None})
    assert compare(before, contract_data("rules-demo")) == []


def test_changes_serialise_to_plain_dicts_for_the_catalogue_and_the_api():
    change = compare(old(), contract_data("rules-demo", version="2.0.0", **{"cost.currency": "EUR"}))
    as_dicts = [ch.to_dict() for ch in change]
    assert {"kind": c.CURRENCY_CHANGED, "path": "/cost/currency", "old": "USD", "new": "EUR",
            "breaking": True} .items() <= as_dicts[1].items()


def test_text_diff_numbers_added_removed_and_context_lines():
    lines = text_diff("a\nb\nc\n", "a\nB\nc\nd\n")
    assert [(line.kind, line.text, line.old_number, line.new_number) for line in lines] == [
        ("hunk", "@@ -1,3 +1,4 @@", None, None),
        ("ctx", "a", 1, 1), ("del", "b", 2, None), ("add", "B", None, 2),
        ("ctx", "c", 3, 3), ("add", "d", None, 4),
    ]
    assert text_diff("same\n", "same\n") == []


# Any JSON a revision could hold (the validator keeps invalid drafts' data too).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
contract_like = st.fixed_dictionaries({}, optional={
    "version": st.sampled_from(["1.0.0", "2.0.0", "0.1.0", "x"]) | json_values,
    "capabilities": st.lists(st.sampled_from(["a", "b", "c"]), max_size=3) | json_values,
    "guarantees": json_values, "constraints": json_values, "cost": json_values,
    "name": json_values,
})


@settings(max_examples=100, deadline=None)
@given(contract_like, contract_like)
def test_compare_never_fails_on_any_data_and_a_contract_never_breaks_itself(old_data, new_data):
    result = compare(old_data, new_data)
    assert all(isinstance(change.message, str) and change.path.startswith("/") for change in result)
    assert not is_breaking(compare(new_data, new_data))
