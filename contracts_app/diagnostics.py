"""Counting a revision's diagnostics by severity: the one place that does it (the editor, the
contract pages, the dashboard, and the validator's verdict in contracts_app/services.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SEVERITIES = ("error", "warning", "info")


def severity_counts(diagnostics: Iterable[dict[str, Any]] | None) -> dict[str, int]:
    """{"error": n, "warning": n, "info": n}; a diagnostic without a severity counts as an error."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for diagnostic in diagnostics or ():
        severity = diagnostic.get("severity", "error")
        counts[severity] = counts.get(severity, 0) + 1
    return counts


def counts_phrase(counts: dict[str, int]) -> str:
    """"no errors", "1 error", "2 errors and 1 warning": a count said as the editor says it."""
    parts = [f"{n} {word}{'' if n == 1 else 's'}"
             for word, n in (("error", counts.get("error", 0)),
                             ("warning", counts.get("warning", 0))) if n]
    return " and ".join(parts) if parts else "no errors"
