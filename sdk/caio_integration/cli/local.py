"""The commands that need no portal: validate, templates, init, diff."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import yaml

from ..contracts import (
    MAX_BYTES,
    ValidationResult,
    compare,
    contract_schema,
    describe,
    examples,
    is_breaking,
    read_template,
    templates,
    validate_text,
    version_refusal,
)
from ..contracts.changes import MAJOR_BUMP_MISSING
from ..contracts.code_docs import DOCS_PATH, help_path, help_url
from . import exits
from .config import resolve

DEFAULT_TEMPLATE = "simple_service"


def read_input(path: str, max_bytes: int = MAX_BYTES) -> bytes:
    """A file's bytes ('-': standard input), at most ``max_bytes`` + 1 (so oversize shows)."""
    if path == "-":
        return sys.stdin.buffer.read(max_bytes + 1)
    with open(path, "rb") as handle:
        return handle.read(max_bytes + 1)


def cannot_open(path: str, exc: OSError) -> None:
    print(f"caio: cannot open {path}: {exc.strerror or type(exc).__name__}", file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _summary(results: list[tuple[str, ValidationResult]], unreadable: int) -> str:
    errors = sum(len(r.errors) for _, r in results)
    warnings = sum(len(r.warnings) for _, r in results)
    invalid = sum(1 for _, r in results if not r.valid)
    verdicts = [f"{invalid} invalid"] if invalid else []
    if unreadable:
        verdicts.append(f"{unreadable} could not be opened")
    verdict = ", ".join(verdicts) or "all valid"
    return (f"{_plural(len(results) + unreadable, 'file')} checked, {verdict}: "
            f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}.")


def _docs_link(code: str, portal: str | None) -> str:
    return help_url(code, portal) if portal else help_path(code)


def _code_links(results: list[tuple[str, ValidationResult]], portal: str | None) -> list[str]:
    """After the summary: where each code that came up is explained (the diagnostics reference
    of the portal from CAIO_URL or `caio login`; without one, the page's path and anchors)."""
    codes = list(dict.fromkeys(d.code for _, r in results for d in r.diagnostics))
    if not codes:
        return []
    head = ("What the codes mean:" if portal else
            f"What the codes mean: {DOCS_PATH} on your CAIO portal, at these anchors:")
    return [head, *(f"  {code}: {_docs_link(code, portal)}" for code in codes)]


def validate(args: argparse.Namespace) -> int:
    results: list[tuple[str, ValidationResult]] = []
    unreadable: list[tuple[str, str]] = []
    for path in args.paths:
        try:
            raw = read_input(path, args.max_bytes)
        except OSError as exc:
            cannot_open(path, exc)
            unreadable.append((path, exc.strerror or type(exc).__name__))
            continue
        results.append((path, validate_text(raw, max_bytes=args.max_bytes)))

    portal = resolve(None, None).url  # the portal the links point at (no request is made)
    if args.format == "json":
        out = [{"file": path, "valid": r.valid,
                "diagnostics": [{**d.to_dict(), "docs_url": _docs_link(d.code, portal)}
                                for d in r.diagnostics]}
               for path, r in results]
        # A file that cannot be opened is never valid.
        out += [{"file": path, "valid": False, "error": f"cannot open: {reason}",
                 "diagnostics": []} for path, reason in unreadable]
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for path, result in results:
            for diag in result.diagnostics:
                print(diag.format(path))
        for line in _code_links(results, portal):
            print(line)
        print(_summary(results, len(unreadable)))
    if unreadable:
        return exits.USAGE
    return exits.OK if all(r.valid for _, r in results) else exits.INVALID


def list_templates(_args: argparse.Namespace) -> int:
    for heading, names in (("Templates:", templates()), ("Examples:", examples())):
        print(heading)
        width = max(map(len, names), default=0)
        for name in names:
            title, summary = describe(name)
            print(f"  {name:<{width}}  {title} - {summary}")
    print("Write one with: caio init --template NAME [--service-id ID] [-o FILE]")
    return exits.OK




def with_value(text: str, key: str, value: str) -> str:
    """The template's text with its top-level ``key`` set to ``value``: the key's line, and the
    indented lines of a block scalar under it, become one line; every other line and comment
    stays. Plain when YAML reads the value back as the same text, else double-quoted (JSON)."""
    try:
        plain = yaml.safe_load(value) == value and "\n" not in value
    except yaml.YAMLError:
        plain = False
    written = value if plain else json.dumps(value)
    line = re.compile(rf"^{re.escape(key)}:.*(?:\n[ \t]+\S.*)*", re.MULTILINE)
    return line.sub(lambda _m: f"{key}: {written}", text, count=1)


def with_service_id(text: str, service_id: str) -> str:
    """The template's text with its top-level ``service_id`` set (comments kept)."""
    return with_value(text, "service_id", service_id)


def init(args: argparse.Namespace) -> int:
    name = args.template or DEFAULT_TEMPLATE
    try:
        text = read_template(name)
    except KeyError:
        names = ", ".join(templates() + examples())
        print(f"caio: unknown template {name!r}; choose one of: {names}", file=sys.stderr)
        return exits.USAGE
    if args.service_id is not None:
        pattern = contract_schema()["properties"]["service_id"]["pattern"]
        if not re.fullmatch(pattern, args.service_id):
            print(f"caio: {args.service_id!r} is not a service id: 3-63 lowercase letters, "
                  "digits and hyphens, starting with a letter", file=sys.stderr)
            return exits.USAGE
        text = with_service_id(text, args.service_id)
    for key in ("name", "description"):
        value = getattr(args, key, None)
        if value is not None:
            if not value.strip():
                print(f"caio: --{key} cannot be empty", file=sys.stderr)
                return exits.USAGE
            text = with_value(text, key, value.strip())
    output = args.output or "contract.yaml"
    if output == "-":
        sys.stdout.write(text)
        return exits.OK
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if args.force else os.O_EXCL)
    try:
        fd = os.open(output, flags, 0o644)
    except FileExistsError:
        print(f"caio: {output} already exists; use --force to overwrite it", file=sys.stderr)
        return exits.USAGE
    except OSError as exc:
        print(f"caio: cannot write {output}: {exc.strerror}", file=sys.stderr)
        return exits.USAGE
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    made = f" for {args.service_id}" if args.service_id else ""
    print(f"Wrote {output} from {name}{made}. Check it with: caio validate {output}")
    return exits.OK


def _contract_data(path: str) -> dict | None:
    """The parsed contract in ``path`` (as the portal stores it), or None after saying why."""
    try:
        raw = read_input(path)
    except OSError as exc:
        cannot_open(path, exc)
        return None
    result = validate_text(raw)
    if not isinstance(result.data, dict):
        for diag in result.errors:
            print(diag.format(path), file=sys.stderr)
        print(f"caio: {path} cannot be read as a contract", file=sys.stderr)
        return None
    if not result.valid:
        print(f"caio: warning: {path} has {_plural(len(result.errors), 'error')} "
              f"(see caio validate {path}); compared anyway", file=sys.stderr)
    return result.data


def diff(args: argparse.Namespace) -> int:
    old, new = _contract_data(args.old), _contract_data(args.new)
    if old is None or new is None:
        return exits.USAGE
    changes = compare(old, new)
    missing_bump = any(c.kind == MAJOR_BUMP_MISSING for c in changes)
    if args.format == "json":
        print(json.dumps({
            "old": {"file": args.old, "version": old.get("version")},
            "new": {"file": args.new, "version": new.get("version")},
            "breaking": is_breaking(changes), "major_bump_missing": missing_bump,
            "changes": [c.to_dict() for c in changes],
        }, indent=2, ensure_ascii=False, default=str))
    else:
        _print_changes(args, old, new, changes, missing_bump)
    refusal = version_refusal(new.get("version"), current=old.get("version")
                              if isinstance(old.get("version"), str) else None)
    if refusal and changes:
        print(f"caio: note: {refusal}", file=sys.stderr)
    return exits.INVALID if missing_bump else exits.OK


def _print_changes(args, old: dict, new: dict, changes, missing_bump: bool) -> None:
    breaking = sum(1 for c in changes if c.breaking)
    print(f"{args.old} ({old.get('version')}) -> {args.new} ({new.get('version')}): "
          f"{_plural(len(changes), 'change')}, {breaking} breaking.")
    width = max((len(c.kind) for c in changes), default=0)
    for change in changes:
        flag = "BREAKING" if change.breaking else "        "
        print(f"  {flag}  {change.kind:<{width}}  {change.path}: {change.message}")
    if missing_bump:
        print("Breaking changes need a major version bump (exit status 1).")
    elif breaking:
        print("Breaking changes, released under a major version bump.")
