"""validate_text / validate_file / validate_data: the one verdict on a contract."""

from __future__ import annotations

import os
from typing import Any

from .diagnostics import ERROR, INFO, Diagnostic, ValidationResult
from .loader import MAX_BYTES, parse
from .parsed import MAX_PROBLEMS, Parsed
from .rules import rule_diagnostics
from .schema import schema_diagnostics


def _check(data: Any, parsed: Parsed) -> ValidationResult:
    diagnostics = parsed.diagnostics
    if data is None:
        hint = "Start from a template: caio init --template simple_service."
        diagnostics.append(Diagnostic(ERROR, "empty", "The contract is empty.", "",
                                      *parsed.position(""), hint))
        return _result(parsed, None)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        message = f"The contract must be a mapping of keys to values, not {kind}."
        hint = "Write one 'key: value' per line, starting with service_id."
        diagnostics.append(Diagnostic(ERROR, "not-a-mapping", message, "",
                                      *parsed.position(""), hint))
        return _result(parsed, None)
    diagnostics.extend(schema_diagnostics(data, parsed))
    diagnostics.extend(rule_diagnostics(data, parsed))
    return _result(parsed, data)


def _result(parsed: Parsed, data: Any) -> ValidationResult:
    if parsed.truncated:
        parsed.diagnostics.append(Diagnostic(
            INFO, "too-many-problems", f"Only the first {MAX_PROBLEMS} problems of a kind are "
            "listed.", "", *parsed.position(""), "Fix these and validate again."))
    return ValidationResult(parsed.diagnostics, data)


def validate_text(text: str | bytes, *, max_bytes: int = MAX_BYTES) -> ValidationResult:
    """Validate a contract given as text (or raw bytes, which must be UTF-8).

    Never raises for any input string or byte string: every problem, including bad encoding,
    oversize input, YAML syntax errors and hostile documents, is a diagnostic.
    ``result.data`` is the parsed mapping whenever the YAML could be read as a mapping (even if
    the contract has errors), else ``None``.
    """
    try:
        parsed = parse(text, max_bytes=max_bytes)
        if not parsed.ok:
            return _result(parsed, None)
        return _check(parsed.data, parsed)
    except (TypeError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - a bug here must not turn into a crash for callers
        message = f"The validator failed unexpectedly ({type(exc).__name__})."
        return ValidationResult([Diagnostic(ERROR, "internal-error", message, "", 1, 1,
                                            "Please report this contract to CAIO.")])


def validate_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> ValidationResult:
    """Validate the contract file at ``path``. Raises ``OSError`` if it cannot be read.

    At most ``max_bytes + 1`` bytes are read, so a huge file is refused without loading it.
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must be zero or more")
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    return validate_text(raw, max_bytes=max_bytes)


def validate_data(data: Any) -> ValidationResult:
    """Validate an already-parsed contract (a dict, e.g. from JSON). Positions are ``None``."""
    parsed = Parsed(has_source=False)
    return _check(data, parsed)
