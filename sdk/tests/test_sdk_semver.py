"""The one SemVer parser: the schema's pattern, and the precedence keys the portal stores."""

from __future__ import annotations

import pytest

from caio_integration.contracts import SEMVER_PATTERN, contract_schema, semver_key, version_refusal


def test_the_schema_accepts_exactly_the_versions_the_parser_reads():
    assert contract_schema()["properties"]["version"]["pattern"] == SEMVER_PATTERN


# The portal stores these keys (ServiceVersion.version_key, indexed): they must never change.
@pytest.mark.parametrize(("version", "key"), [
    ("1.0.0", "0000000001.0000000000.0000000000~"),
    ("0.9.0-beta.2", "0000000000.0000000009.0000000000-1beta.00000000002."),
    ("1.0.0-rc.1+build.5", "0000000001.0000000000.0000000000-1rc.00000000001."),
    ("12.34.56", "0000000012.0000000034.0000000056~"),
    ("2.0.0-alpha", "0000000002.0000000000.0000000000-1alpha."),
])
def test_stored_version_keys_stay_byte_identical(version, key):
    assert semver_key(version) == key


@pytest.mark.parametrize(("version", "current", "refused"), [
    ("1.0.0", None, None),
    ("1.0.1", "1.0.0", None),
    ("2.0.0-rc.1", "1.9.9", None),
    ("1.0.0", "1.0.0", "not higher than the current version 1.0.0"),
    ("1.0.0", "1.0.0-rc.1", None),
    ("1.0.0-rc.1", "1.0.0", "not higher"),
    ("1.0.0+build.7", "1.0.0", "not higher"),
    ("1.2", None, "not a SemVer version"),
    ("", "1.0.0", "has no version"),
    (None, None, "has no version"),
])
def test_a_version_must_be_semver_and_higher_than_the_registered_one(version, current, refused):
    answer = version_refusal(version, current=current)

    if refused is None:
        assert answer is None
    else:
        assert refused in answer
