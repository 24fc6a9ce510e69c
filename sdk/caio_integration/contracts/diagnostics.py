"""Diagnostics: one finding about a contract, pinned to a line and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

ERROR: Severity = "error"
WARNING: Severity = "warning"
INFO: Severity = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem (or remark) about a contract.

    ``path`` is a JSON pointer into the contract ("" is the whole document); ``line`` and
    ``column`` are 1-based and locate the offending node in the source text (``None`` only when
    the contract was checked as data, without source text).
    """

    severity: Severity
    code: str
    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }

    def format(self, filename: str = "<contract>") -> str:
        """Render like a compiler: ``PATH:LINE:COL: severity code: message``."""
        line = self.line if self.line is not None else 1
        column = self.column if self.column is not None else 1
        text = f"{filename}:{line}:{column}: {self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def _sort_key(d: Diagnostic) -> tuple[int, int, str, str]:
    return (d.line or 0, d.column or 0, d.path, d.code)


@dataclass(slots=True)
class ValidationResult:
    """The verdict on one contract. ``valid`` is true when there is no error diagnostic."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    data: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.diagnostics.sort(key=_sort_key)

    @property
    def valid(self) -> bool:
        return not any(d.severity == ERROR for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
