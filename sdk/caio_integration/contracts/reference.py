"""Generates the diagnostics reference (``sdk/docs/DIAGNOSTICS.md``) from ``code_docs.py``.

``python -m caio_integration.contracts.reference > sdk/docs/DIAGNOSTICS.md`` writes it; a test
regenerates it and fails when the committed page differs.
"""

from __future__ import annotations

import sys

from .code_docs import CODE_DOCS, CodeDoc

_INTRO = """\
# Diagnostics reference

Every problem the validator finds has a code, such as `unknown-key`. The editor, the REST API
(each diagnostic's `docs_url`) and `caio validate` link each code to its entry here: what it
means, a contract that triggers it, and the fix. The validator is the same everywhere, so the
same contract gets the same codes in the editor, from the API and from the CLI.

Severities: an **error** makes the contract invalid (it cannot be registered); a **warning**
and a **note** (`info`) do not.

This page is generated from `caio_integration/contracts/code_docs_entries.py` by
`python -m caio_integration.contracts.reference`; change the entries there, not this page.
"""

_SEVERITY = {"error": "Error", "warning": "Warning", "info": "Note"}


def _entry(doc: CodeDoc) -> str:
    parts = [f"## `{doc.code}`", "", f"**{_SEVERITY[doc.severity]}: {doc.title}.** {doc.meaning}",
             ""]
    if doc.example is None:
        parts += [f"There is no example: {doc.no_example}", ""]
    else:
        shortened = " (shortened: the real input is too long to show)" if doc.build else ""
        parts += [f"A contract that triggers it{shortened}:", "",
                  f"```yaml norun: an invalid contract, to show {doc.code}",
                  doc.example.rstrip("\n"), "```", ""]
    parts += [f"**Fix:** {doc.fix}", ""]
    return "\n".join(parts)


def diagnostics_markdown() -> str:
    """The whole reference page, as Markdown."""
    rows = ["| code | severity | what it means |", "|---|---|---|"]
    rows += [f"| [`{doc.code}`](#{doc.anchor}) | {doc.severity} | {doc.title} |"
             for doc in CODE_DOCS.values()]
    entries = [_entry(doc) for doc in CODE_DOCS.values()]
    return "\n".join([_INTRO, *rows, "", *entries]).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover - exercised through the test's regeneration
    sys.stdout.write(diagnostics_markdown())
