"""The ``caio`` command: validate contracts, list and write templates.

Exit codes: 0 every file is valid (warnings allowed); 1 some file has an error (including bad
encoding, an oversized file or a YAML syntax error); 2 usage error or a path that cannot be
opened.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from . import __version__
from .contracts import (
    MAX_BYTES,
    ValidationResult,
    examples,
    read_template,
    templates,
    validate_text,
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, as we want
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="caio", description="CAIO Integration SDK command line.")
    parser.add_argument("--version", action="version", version=f"caio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    validate = sub.add_parser(
        "validate", help="validate contract files",
        description="Validate contract files against schema v1.",
        epilog="Exit status: 0 every file is valid (warnings allowed); 1 some file has an error "
        "(including bad encoding, an oversized file or a YAML syntax error); 2 usage error or "
        "a path that cannot be opened.")
    validate.add_argument("paths", nargs="+", metavar="PATH",
                          help="contract YAML file ('-' for stdin)")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="output format (default: text)")
    validate.add_argument("--max-bytes", type=_positive, default=MAX_BYTES,
                          help=argparse.SUPPRESS)

    sub.add_parser("templates", help="list the templates and examples",
                   description="List the contract templates and examples shipped with the SDK.")

    init = sub.add_parser("init", help="write a template or example to a file",
                          description="Write a contract template or example.")
    init.add_argument("--template", "-t", required=True, metavar="NAME",
                      help="a name from 'caio templates'")
    init.add_argument("-o", "--output", metavar="FILE", default=None,
                      help="where to write it (default: contract.yaml; '-' for stdout)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _read(path: str, max_bytes: int) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read(max_bytes + 1)
    with open(path, "rb") as handle:
        return handle.read(max_bytes + 1)


def _summary(results: list[tuple[str, ValidationResult]]) -> str:
    errors = sum(len(r.errors) for _, r in results)
    warnings = sum(len(r.warnings) for _, r in results)
    invalid = sum(1 for _, r in results if not r.valid)
    files = len(results)
    verdict = "all valid" if not invalid else f"{invalid} invalid"
    return (f"{files} file{'s' * (files != 1)} checked, {verdict}: {errors} "
            f"error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}.")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive number of bytes")
    return value


def _validate(args: argparse.Namespace) -> int:
    results: list[tuple[str, ValidationResult]] = []
    unreadable = False
    for path in args.paths:
        try:
            raw = _read(path, args.max_bytes)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            print(f"caio: cannot open {path}: {reason}", file=sys.stderr)
            unreadable = True
            continue
        results.append((path, validate_text(raw, max_bytes=args.max_bytes)))

    if args.format == "json":
        out = [{"file": path, "valid": r.valid, "diagnostics": [d.to_dict() for d in r.diagnostics]}
               for path, r in results]
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for path, result in results:
            for diag in result.diagnostics:
                print(diag.format(path))
        print(_summary(results))
    if unreadable:
        return EXIT_USAGE
    return EXIT_OK if all(r.valid for _, r in results) else EXIT_INVALID


def _templates() -> int:
    print("Templates:")
    for name in templates():
        print(f"  {name}")
    print("Examples:")
    for name in examples():
        print(f"  {name}")
    print("Write one with: caio init --template NAME [-o FILE]")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    try:
        text = read_template(args.template)
    except KeyError:
        names = ", ".join(templates() + examples())
        print(f"caio: unknown template {args.template!r}; choose one of: {names}", file=sys.stderr)
        return EXIT_USAGE
    output = args.output or "contract.yaml"
    if output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if args.force else os.O_EXCL)
    try:
        fd = os.open(output, flags, 0o644)
    except FileExistsError:
        print(f"caio: {output} already exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"caio: cannot write {output}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"Wrote {output} from {args.template}. Check it with: caio validate {output}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "templates":
            return _templates()
        return _init(args)
    except BrokenPipeError:  # e.g. `caio templates | head -1`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
