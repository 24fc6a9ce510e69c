"""The generated parts of the user docs, so that they cannot drift from the code.

Each part sits between ``<!-- generated:NAME -->`` and ``<!-- /generated -->`` in its Markdown
file; ``python manage.py docs_generate`` rewrites them, ``--check`` fails on a difference (as
tests/docs/test_docs_generated.py does). The parts:

- ``sdk-api`` (SDK_REFERENCE.md): signatures and docstrings of the SDK's public classes and
  functions, by ``inspect``;
- ``cli-help`` (CLI_REFERENCE.md): ``caio --help`` and every ``caio COMMAND --help``, as runnable
  console blocks (the docs runner checks them again against the installed wheel);
- ``api-endpoints`` and ``api-schemas`` (API_REFERENCE.md): the operations of the OpenAPI schema
  the portal serves, and the fields of their request and answer bodies.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from portal.docs_blocks import ROOT

COLUMNS = "100"
MARKER_RE = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated -->)",
                       re.S)


def _rst_to_md(text: str) -> str:
    text = re.sub(r":(?:meth|class|func|attr|exc):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _docstring(obj: object) -> str:
    """A docstring as Markdown: inline code kept, indented lines (Raises: ...) as list items."""
    doc = inspect.getdoc(obj) or ""
    lines = []
    for line in _rst_to_md(doc).splitlines():
        if line.startswith("    ") and line.strip():
            lines.append(f"- {line.strip()}" if re.match(r"\s+\w+:", line) else line.strip())
        else:
            lines.append(line)
    return "\n".join(lines).strip()


def _signature(name: str, obj: Callable) -> str:
    try:
        signature = str(inspect.signature(obj))
    except (TypeError, ValueError):
        signature = "(...)"
    signature = signature.replace("'", "").replace("(self, ", "(").replace("(self)", "()")
    prefix = "async " if inspect.iscoroutinefunction(obj) else ""
    return f"{prefix}{name}{signature}"


def _public_methods(cls: type) -> Iterator[tuple[str, Callable]]:
    for name, member in cls.__dict__.items():
        if name.startswith("_") and name != "__init__":
            continue
        if callable(member) or isinstance(member, (staticmethod, classmethod)):
            yield name, getattr(cls, name)


def _class_entry(cls: type, *, methods: bool = True) -> list[str]:
    bases = ", ".join(b.__name__ for b in cls.__bases__ if b is not object)
    out = [f"#### `class {cls.__name__}{f'({bases})' if bases else ''}`", ""]
    doc = _docstring(cls)
    if doc:
        out += [doc, ""]
    if dataclasses.is_dataclass(cls):
        names = [f"`{f.name}` ({str(f.type).replace('|', 'or')})" for f in dataclasses.fields(cls)
                 if not f.name.startswith("_")]
        out += [f"Fields: {', '.join(names)}.", ""]
    properties = [name for name, member in vars(cls).items()
                  if isinstance(member, property) and not name.startswith("_")]
    if properties:
        out += [f"Properties: {', '.join(f'`{name}`' for name in properties)}.", ""]
    if not methods:
        return out
    for name, method in _public_methods(cls):
        shown = cls.__name__ if name == "__init__" else f"{cls.__name__}.{name}"
        out += [f"- `{_signature(shown, method)}`"]
        doc = _docstring(method)
        if doc and name != "__init__":
            out += ["", "  " + doc.replace("\n", "\n  "), ""]
    return out + [""]


def sdk_api() -> str:
    import caio_integration as sdk
    from caio_integration import client, contracts, exceptions, results

    out = ["### The service interface", ""]
    out += _class_entry(sdk.AIUCPService)
    out += ["### The clients", ""]
    out += _class_entry(client.CAIOClient)
    out += [f"`SyncCAIOClient` has the same methods, blocking (use `with`): "
            f"{', '.join(f'`{n}`' for n, _ in _public_methods(client.SyncCAIOClient))}.", ""]
    out += ["### Contract validation", ""]
    for name in ("validate_text", "validate_file", "load_contract", "field_specs",
                 "contract_schema", "templates", "examples", "read_template"):
        function = getattr(contracts, name)
        out += [f"- `{_signature(name, function)}`", "", "  " +
                _docstring(function).replace("\n", "\n  "), ""]
    for cls in (contracts.ValidationResult, contracts.Diagnostic):
        out += _class_entry(cls, methods=False)
    out += ["### Results", ""]
    for cls in (results.Submission, results.Service, results.ServiceList,
                results.ServiceVersion, results.Operation, results.Me):
        out += _class_entry(cls, methods=False)
    out += ["### Errors", ""]
    for name in exceptions.__all__ if hasattr(exceptions, "__all__") else dir(exceptions):
        cls = getattr(exceptions, name)
        if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == \
                exceptions.__name__:
            out += _class_entry(cls, methods=False)
    return "\n".join(out).rstrip() + "\n"


def _help(argv: list[str]) -> str:
    from caio_integration.cli import main

    buffer = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = COLUMNS
    try:
        with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
            main(argv)
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return buffer.getvalue().rstrip() + "\n"


def cli_help() -> str:
    from caio_integration.cli import _build_parser

    parser = _build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    out = []
    for argv in [[], *([name] for name in commands)]:
        title = " ".join(["caio", *argv]) if argv else "caio"
        out += [f"### `{title}`", "", "```console run", f"$ {title} --help",
                _help([*argv, "--help"]).rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _openapi() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _auth(operation: dict) -> str:
    security = operation.get("security") or []
    return "anyone" if {} in security else "a token"


def api_endpoints(schema: dict | None = None) -> str:
    schema = schema or _openapi()
    out = ["| method and path | who | what | answers |", "|---|---|---|---|"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = ", ".join(sorted(operation.get("responses", {})))
            out.append(f"| [`{method.upper()} {path}`](#{anchor(method, path)}) | "
                       f"{_auth(operation)} | {operation.get('summary', '')} | {statuses} |")
    return "\n".join(out) + "\n"


def anchor(method: str, path: str) -> str:
    """The anchor of a hand-written endpoint section (its heading is `METHOD PATH`)."""
    return re.sub(r"[^a-z0-9 _-]", "", f"{method} {path}".lower()).replace(" ", "-")


def _type(prop: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "allOf" in prop:
        return " & ".join(_type(p) for p in prop["allOf"])
    if "oneOf" in prop or "anyOf" in prop:
        return " or ".join(_type(p) for p in prop.get("oneOf") or prop.get("anyOf"))
    kind = prop.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"] if v is not None) or kind
    return kind + (" or null" if prop.get("nullable") else "")


def _referenced(schema: dict) -> list[str]:
    text = str(schema["paths"])
    names = list(dict.fromkeys(re.findall(r"#/components/schemas/(\w+)", text)))
    components = schema["components"]["schemas"]
    index = 0
    while index < len(names):  # schemas referenced by those schemas, too
        for name in re.findall(r"#/components/schemas/(\w+)", str(components.get(names[index]))):
            if name not in names:
                names.append(name)
        index += 1
    return names


def api_schemas(schema: dict | None = None) -> str:
    schema = schema or _openapi()
    components = schema["components"]["schemas"]
    out = []
    for name in _referenced(schema):
        component = components[name]
        out += [f"#### `{name}`", ""]
        description = _rst_to_md(" ".join((component.get("description") or "").split()))
        if description:
            out += [description, ""]
        props = component.get("properties")
        if not props:
            out += [f"Type: {_type(component)}.", ""]
            continue
        required = set(component.get("required", []))
        out += ["| field | type | required | description |", "|---|---|---|---|"]
        for field, prop in props.items():
            text = _rst_to_md(" ".join((prop.get("description") or "").split()))
            text = text.replace("|", "\\|")
            out.append(f"| `{field}` | {_type(prop)} | {'yes' if field in required else ''} "
                       f"| {text} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


PARTS: dict[str, tuple[str, Callable[[], str]]] = {
    "sdk-api": ("sdk/docs/SDK_REFERENCE.md", sdk_api),
    "cli-help": ("sdk/docs/CLI_REFERENCE.md", cli_help),
    "api-endpoints": ("sdk/docs/API_REFERENCE.md", api_endpoints),
    "api-schemas": ("sdk/docs/API_REFERENCE.md", api_schemas),
}


def regenerate(*, root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """{file: (current text, regenerated text)} for every file with a generated part."""
    files: dict[str, tuple[str, str]] = {}
    rendered = {name: make() for name, (_, make) in PARTS.items()}
    for relative in dict.fromkeys(file for file, _ in PARTS.values()):
        current = (root / relative).read_text(encoding="utf-8")
        found = {m["name"] for m in MARKER_RE.finditer(current)}
        missing = {n for n, (f, _) in PARTS.items() if f == relative} - found
        if missing:
            raise ValueError(f"{relative} has no <!-- generated:{sorted(missing)[0]} --> marker")
        new = MARKER_RE.sub(lambda m: m[1] + rendered[m["name"]] + m[4], current)
        files[relative] = (current, new)
    return files
