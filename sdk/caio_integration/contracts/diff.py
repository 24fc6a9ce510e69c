"""A line diff of two contract texts, as rows a page or a terminal renders."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "ctx", "hunk"
    text: str
    old_number: int | None = None
    new_number: int | None = None


def text_diff(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """A line diff of two texts (difflib), as rows a template renders (escaped)."""
    out: list[DiffLine] = []
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(DiffLine("hunk", f"@@ -{first[1] + 1},{last[2] - first[1]} "
                                    f"+{first[3] + 1},{last[4] - first[3]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    out.append(DiffLine("ctx", old_lines[i1 + k], i1 + k + 1, j1 + k + 1))
                continue
            for k in range(i1, i2):
                out.append(DiffLine("del", old_lines[k], k + 1, None))
            for k in range(j1, j2):
                out.append(DiffLine("add", new_lines[k], None, k + 1))
    return out
