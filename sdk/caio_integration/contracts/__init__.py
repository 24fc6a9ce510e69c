"""Contract schema v1: parsing, validation, the typed model, templates and examples.

    >>> from caio_integration.contracts import validate_text
    >>> result = validate_text("service_id: demo\\n")
    >>> result.valid, [d.code for d in result.diagnostics]
    (False, ['required', 'required', 'required'])
"""

from .changes import BREAKING_KINDS, Change, breaking_changes, compare, is_breaking
from .diagnostics import ERROR, INFO, WARNING, Diagnostic, Severity, ValidationResult
from .diff import DiffLine, text_diff
from .fields import FieldSpec, field_specs
from .loader import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_SCALAR
from .model import (
    Accuracy,
    Availability,
    Constraints,
    Contract,
    Cost,
    Guarantees,
    Latency,
    load_contract,
)
from .resources import describe, examples, read_template, templates
from .schema import SCHEMA_ID, SCHEMA_VERSION, contract_schema, schema_text
from .semver import SEMVER, SEMVER_PATTERN, major_bumped, semver_key, version_refusal
from .validation import validate_data, validate_file, validate_text
from .vocab import CAPABILITIES, CAPABILITY_DESCRIPTIONS, CURRENCIES, LANGUAGES

__all__ = [
    "BREAKING_KINDS",
    "CAPABILITIES",
    "CAPABILITY_DESCRIPTIONS",
    "CURRENCIES",
    "ERROR",
    "INFO",
    "LANGUAGES",
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SCALAR",
    "SCHEMA_ID",
    "SEMVER",
    "SEMVER_PATTERN",
    "SCHEMA_VERSION",
    "WARNING",
    "Accuracy",
    "Availability",
    "Change",
    "Constraints",
    "Contract",
    "Cost",
    "Diagnostic",
    "DiffLine",
    "FieldSpec",
    "Guarantees",
    "Latency",
    "Severity",
    "ValidationResult",
    "breaking_changes",
    "compare",
    "contract_schema",
    "describe",
    "examples",
    "field_specs",
    "is_breaking",
    "load_contract",
    "major_bumped",
    "read_template",
    "schema_text",
    "semver_key",
    "version_refusal",
    "templates",
    "text_diff",
    "validate_data",
    "validate_file",
    "validate_text",
]
