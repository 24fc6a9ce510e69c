"""Every diagnostic code the validator can emit, with its severity and what it means.

This is the one list of codes: the SDK's README, the docs' diagnostics reference and the tests
read it (``sdk/tests/test_sdk_codes.py`` fails when the validator emits a code missing here).
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import ERROR, INFO, WARNING, Severity


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    summary: str


_TABLE: tuple[tuple[str, Severity, str], ...] = (
    # The schema.
    ("required", ERROR, "A required key is missing."),
    ("unknown-key", ERROR, "A key the schema does not know (often a typo)."),
    ("type", ERROR, "A value of the wrong type (text where a number is expected...)."),
    ("ambiguous-scalar", ERROR, "YAML would read the value as another type (3.10 is the "
                                "number 3.1, no is false); quote it."),
    ("pattern", ERROR, "A text not in the expected format (service ID, version, email...)."),
    ("min-length", ERROR, "A text shorter than allowed."),
    ("max-length", ERROR, "A text longer than allowed."),
    ("minimum", ERROR, "A number below the allowed minimum."),
    ("maximum", ERROR, "A number above the allowed maximum."),
    ("exclusive-minimum", ERROR, "A number not above the allowed lower bound."),
    ("exclusive-maximum", ERROR, "A number not below the allowed upper bound."),
    ("min-items", ERROR, "A list with fewer entries than allowed."),
    ("max-items", ERROR, "A list with more entries than allowed."),
    ("unique-items", ERROR, "A list that names the same entry twice."),
    ("enum", ERROR, "A value outside the allowed choices."),
    ("https-required", ERROR, "A URL that is not https."),
    # The rules the schema cannot express.
    ("invalid-url", ERROR, "A URL whose host name or port is not valid."),
    ("latency-order", ERROR, "Latency p95 is above p99."),
    ("unknown-language", ERROR, "A language that is not an ISO 639-1 code."),
    ("unknown-currency", ERROR, "A currency that is not an ISO 4217 code."),
    ("unknown-capability", WARNING, "A capability outside the CAIO vocabulary (harder to "
                                    "discover)."),
    ("placeholder-text", WARNING, "Text left over from a template (\"My AI Service\", an "
                                  "example.com address...) that would reach the catalogue."),
    ("default-currency", INFO, "Cost gives no currency, so the amounts are read as USD."),
    # Unreadable or hostile input.
    ("encoding", ERROR, "The file is not UTF-8 text."),
    ("too-large", ERROR, "The file is over the size limit (256 KiB)."),
    ("syntax", ERROR, "The text is not valid YAML."),
    ("invalid-character", ERROR, "A NUL or a lone surrogate, which a contract cannot hold."),
    ("empty", ERROR, "The contract is empty."),
    ("not-a-mapping", ERROR, "The contract is a list or a single value, not key: value lines."),
    ("multiple-documents", ERROR, "More than one YAML document (---) in the file."),
    ("duplicate-key", ERROR, "The same key twice in one mapping."),
    ("complex-key", ERROR, "A key that is a list or mapping instead of text."),
    ("merge-key", ERROR, "A YAML merge key (<<), which contracts do not use."),
    ("unsupported-tag", ERROR, "A YAML tag (!!python/... or a custom one)."),
    ("bad-scalar", ERROR, "A value YAML cannot read (a malformed date or number)."),
    ("not-finite", ERROR, "A number that is infinite or not a number (.inf, .nan)."),
    ("too-deep", ERROR, "Nesting deeper than the limit."),
    ("too-many-aliases", ERROR, "More YAML aliases than the limit."),
    ("alias-expansion", ERROR, "Aliases that would expand beyond the limit (a billion laughs)."),
    ("unknown-alias", ERROR, "An alias (*name) with no anchor (&name)."),
    ("too-many-nodes", ERROR, "More values than the limit."),
    ("scalar-too-long", ERROR, "A single value longer than the limit."),
    ("too-many-problems", INFO, "Only the first 200 problems of a kind are listed."),
    ("internal-error", ERROR, "The validator failed unexpectedly; please report the contract."),
)

DIAGNOSTIC_CODES: dict[str, Code] = {code: Code(code, severity, summary)
                                     for code, severity, summary in _TABLE}
