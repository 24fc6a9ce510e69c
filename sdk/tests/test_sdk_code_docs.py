"""The diagnostics reference covers exactly the codes the validator can emit, and its page is
generated from it.

The codes are read from the validator's source (no list written by hand here): every call that
makes a diagnostic (``Diagnostic(...)``, ``_diag(...)``, ``Parsed.error(...)``) names its code
as a string literal, passes on its own ``code`` parameter, or carries a ``# codes: a b c``
comment on the line above saying which codes the expression can be.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from caio_integration.contracts import Diagnostic, validate_text
from caio_integration.contracts.code_docs import CODE_DOCS, DOCS_PATH, help_path, help_url
from caio_integration.contracts.reference import diagnostics_markdown

PACKAGE = Path(__file__).resolve().parents[1] / "caio_integration" / "contracts"
PAGE = Path(__file__).resolve().parents[1] / "docs" / "DIAGNOSTICS.md"
NOT_VALIDATOR = {"codes.py", "code_docs.py", "code_docs_entries.py", "reference.py"}


def _code_positions(tree: ast.Module) -> dict[str, int]:
    """Function name -> position of its ``code`` argument (``self`` not counted)."""
    positions = {"Diagnostic": [f.name for f in dataclasses.fields(Diagnostic)].index("code")}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args if a.arg != "self"]
            if "code" in names:
                positions[node.name] = names.index("code")
    return positions


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def emitted_codes() -> dict[str, list[str]]:
    """Every code the validator's source can emit -> where ("file:line")."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"))
             for path in sorted(PACKAGE.glob("*.py")) if path.name not in NOT_VALIDATOR}
    shared = _code_positions(trees[PACKAGE / "parsed.py"])  # Diagnostic(...), Parsed.error(...)
    found: dict[str, list[str]] = {}
    unexplained: list[str] = []
    for path, tree in trees.items():
        positions = {**shared, **_code_positions(tree)}  # a module's own _diag wins
        lines = path.read_text(encoding="utf-8").splitlines()
        params = {id(call): fn for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
                  for call in ast.walk(fn) if isinstance(call, ast.Call)}
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _called_name(call)
            if name not in positions or name == "field":
                continue
            where = f"{path.name}:{call.lineno}"
            arg = next((k.value for k in call.keywords if k.arg == "code"), None)
            if arg is None and len(call.args) > positions[name]:
                arg = call.args[positions[name]]
            if arg is None:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append(where)
                continue
            enclosing = params.get(id(call))
            if (isinstance(arg, ast.Name) and enclosing is not None
                    and arg.id in [a.arg for a in enclosing.args.args]):
                continue  # passes on its caller's code
            above = lines[call.lineno - 2].strip()
            if above.startswith("# codes:"):
                for code in above.removeprefix("# codes:").split():
                    found.setdefault(code, []).append(where)
            elif "pragma: no cover" not in lines[call.lineno - 1]:
                unexplained.append(where)
    assert not unexplained, (
        f"These calls make a diagnostic whose code is not a string literal: {unexplained}. "
        "Write the code as a literal, or put '# codes: a b c' on the line above the call.")
    return found


def test_the_scan_finds_the_codes_of_every_part_of_the_validator():
    codes = emitted_codes()
    assert {"syntax", "duplicate-key", "encoding", "empty", "unknown-key", "minimum",
            "exclusive-minimum", "latency-order", "unknown-capability"} <= set(codes)


def test_every_code_the_validator_can_emit_has_an_entry_in_the_diagnostics_reference():
    missing = {code: where for code, where in emitted_codes().items() if code not in CODE_DOCS}
    assert not missing, (
        "These diagnostic codes have no entry in the diagnostics reference: "
        + "; ".join(f"{code!r} (emitted at {', '.join(where)})" for code, where in missing.items())
        + ". Add an entry (meaning, example, fix) to"
        " sdk/caio_integration/contracts/code_docs_entries.py,"
        " then regenerate the page: python -m caio_integration.contracts.reference"
        " > sdk/docs/DIAGNOSTICS.md")


def test_the_diagnostics_reference_has_no_entry_for_a_code_the_validator_never_emits():
    stale = sorted(set(CODE_DOCS) - set(emitted_codes()))
    assert stale == [], f"Entries for codes the validator no longer emits: {stale}"


@pytest.mark.parametrize("code", [c for c, doc in CODE_DOCS.items() if doc.example is not None])
def test_the_example_of_each_entry_triggers_its_code_with_its_severity(code):
    doc = CODE_DOCS[code]
    result = validate_text(doc.example_input())
    assert (code, doc.severity) in {(d.code, d.severity) for d in result.diagnostics}


def test_an_entry_without_an_example_says_why():
    for doc in CODE_DOCS.values():
        assert doc.example is not None or doc.no_example, doc.code
        assert doc.meaning and doc.fix and doc.title, doc.code
        assert doc.severity in ("error", "warning", "info"), doc.code


def test_the_committed_diagnostics_reference_is_what_the_generator_writes():
    assert PAGE.read_text(encoding="utf-8") == diagnostics_markdown(), (
        "sdk/docs/DIAGNOSTICS.md is out of date; regenerate it with: "
        "python -m caio_integration.contracts.reference > sdk/docs/DIAGNOSTICS.md")


def test_every_code_has_a_heading_and_an_anchor_on_the_page():
    page = diagnostics_markdown()
    for code in CODE_DOCS:
        assert f"\n## `{code}`\n" in page
        assert f"(#{code})" in page


def test_help_links_point_at_the_code_anchor_on_the_portal():
    assert help_path("unknown-key") == f"{DOCS_PATH}#unknown-key"
    assert help_path("unknown-key") == "/docs/diagnostics/#unknown-key"
    assert help_url("type", "https://portal.test/") == "https://portal.test/docs/diagnostics/#type"
