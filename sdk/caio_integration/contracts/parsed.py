"""What the loader learned about a text: data, node positions and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .diagnostics import ERROR, Diagnostic

#: At most this many diagnostics of the kinds that can repeat once per node or per error.
MAX_PROBLEMS = 200
_PER_NODE = frozenset({"duplicate-key", "unsupported-tag", "bad-scalar", "not-finite",
                       "ambiguous-scalar", "merge-key"})


@dataclass(slots=True)
class Parsed:
    """What the loader learned about a text."""

    data: Any = None
    ok: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: JSON pointer -> start mark of each value node (0-based line and column; see position()).
    positions: dict[str, Any] = field(default_factory=dict)
    #: JSON pointer -> start mark of the key that introduces the value.
    key_positions: dict[str, Any] = field(default_factory=dict)
    #: JSON pointer -> (source text, kind) of unquoted scalars YAML read as a non-string.
    implicit: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Pointers whose value is already reported (bad tag, bad number): no further type errors.
    reported: set[str] = field(default_factory=set)
    #: False when checking bare data (no source text): positions are then unknown (None).
    has_source: bool = True
    #: True when repeated problems were dropped after the first MAX_PROBLEMS.
    truncated: bool = False

    def position(self, pointer: str) -> tuple[int, int] | tuple[None, None]:
        """The 1-based (line, column) of ``pointer``, or of its nearest recorded ancestor."""
        if not self.has_source:
            return (None, None)
        positions = self.positions
        while True:
            mark = positions.get(pointer)
            if mark is not None:
                return (mark.line + 1, mark.column + 1)
            if not pointer:
                return (1, 1)
            pointer = pointer[: pointer.rfind("/")]

    def key_position(self, pointer: str) -> tuple[int, int] | tuple[None, None]:
        """The 1-based (line, column) of the key introducing ``pointer`` (else of its value)."""
        mark = self.key_positions.get(pointer) if self.has_source else None
        if mark is None:
            return self.position(pointer)
        return (mark.line + 1, mark.column + 1)

    def error(self, code: str, message: str, pointer: str, pos: tuple[int, int],
              hint: str | None = None) -> None:
        if code in _PER_NODE and len(self.diagnostics) >= MAX_PROBLEMS:
            self.truncated = True  # a hostile file can repeat a problem thousands of times
            return
        self.diagnostics.append(Diagnostic(ERROR, code, message, pointer, pos[0], pos[1], hint))


def escape(key: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key

def line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1

def mark_position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)
