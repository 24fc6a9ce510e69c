"""Contract schema v1: the JSON Schema file, its compiled validator and friendly diagnostics.

The schema (``caio_integration/schemas/contract-v1.json``) is the single source of truth for the
fields, their titles and descriptions, and every rule JSON Schema can express. The jsonschema
library checks it; this module only turns jsonschema's errors into stable, human diagnostics.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from .diagnostics import ERROR, Diagnostic
from .parsed import MAX_PROBLEMS, Parsed, escape
from .vocab import CURRENCIES, LANGUAGES

SCHEMA_VERSION = "1"
SCHEMA_FILE = "contract-v1.json"
SCHEMA_ID = "https://caio.dev/schemas/contract/v1.json"

# Keywords that only annotate: the validation copy of the schema drops them (it is faster).
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "format", "$comment"})

_TYPE_HINTS = {
    "array": "Write a list: one '- item' per line, indented under the key, or [a, b].",
    "object": "Write its keys on the following lines, indented under it.",
    "number": "Write a plain number such as 100 or 0.5, without units or quotes.",
    "integer": "Write a whole number such as 4096, without units or quotes.",
}

_EXPECTED = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "empty",
}


def schema_text() -> str:
    """The contract schema v1, as JSON text (as shipped in the package)."""
    return (files("caio_integration") / "schemas" / SCHEMA_FILE).read_text(encoding="utf-8")


@cache
def _schema() -> dict[str, Any]:
    return json.loads(schema_text())


def contract_schema() -> dict[str, Any]:
    """A fresh copy of the contract schema v1 (JSON Schema 2020-12) as a dict."""
    return json.loads(schema_text())


def _strip(node: Any, names: bool = False) -> Any:
    """Drop annotation keywords; ``names`` marks a ``properties`` map (its keys are fields)."""
    if isinstance(node, dict):
        return {
            k: _strip(v, k == "properties" and not names)
            for k, v in node.items()
            if names or (k not in _ANNOTATIONS and not k.startswith("x-"))
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _is_type(self: Any, instance: Any, type: str) -> bool:  # noqa: A002 - jsonschema's name
    """JSON Schema's seven types, with the same answers as jsonschema's 2020-12 type checker.

    Type checks are the most frequent call in a validation pass; this skips the checker's
    per-call indirection (a persistent-map lookup and an extra call).
    """
    if type == "string":
        return isinstance(instance, str)
    if type == "object":
        return isinstance(instance, dict)
    if type == "number":
        return isinstance(instance, int | float) and not isinstance(instance, bool)
    if type == "array":
        return isinstance(instance, list)
    if type == "integer":
        if isinstance(instance, float):
            return instance.is_integer()
        return isinstance(instance, int) and not isinstance(instance, bool)
    if type == "boolean":
        return isinstance(instance, bool)
    if type == "null":
        return instance is None
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, type)


# jsonschema's own Draft 2020-12 validator, extended (its documented extension point) into a
# class of our own whose ``is_type`` takes the fast path above. Keyword semantics are untouched;
# a test checks that it agrees with the stock validator on the full schema.
ContractValidator = validators.extend(Draft202012Validator)
ContractValidator.is_type = _is_type  # type: ignore[method-assign]


@cache
def validator() -> Draft202012Validator:
    """The compiled validator (built once). It checks the annotation-free copy of the schema."""
    Draft202012Validator.check_schema(_schema())
    return ContractValidator(_strip(_schema()))


def _annotated(error: ValidationError) -> dict[str, Any]:
    """The full (annotated) subschema in which the failing keyword sits."""
    node: Any = _schema()
    for part in list(error.absolute_schema_path)[:-1]:
        node = node[part]
    return node


def title_of(schema: dict[str, Any], fallback: str) -> str:
    return schema.get("title") or fallback


def describe(value: Any) -> str:
    """A short human description of a YAML value, for messages."""
    if value is None:
        return "empty"
    if value is True or value is False:
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - the loader builds nothing else


def _show(value: Any) -> str:
    if value is True or value is False:
        return str(value).lower()
    return "null" if value is None else str(value)


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def _close(word: str, options: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


def schema_diagnostics(data: Any, parsed: Parsed, limit: int = MAX_PROBLEMS) -> list[Diagnostic]:
    """Check ``data`` against the schema: one diagnostic per problem, all in one pass.

    A hostile document can hold thousands of problems: after ``limit`` the list is cut and
    ``parsed.truncated`` is set (the verdict, "invalid", is already certain by then).
    """
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for error in validator().iter_errors(data):
        for diag in _convert(error, parsed):
            key = (diag.code, diag.path)
            if diag.path in parsed.reported and diag.code not in ("unknown-key", "required"):
                continue  # the value itself is already reported (bad tag, bad number, date)
            if key not in seen:
                seen.add(key)
                out.append(diag)
                if len(out) >= limit:
                    parsed.truncated = True
                    return out
    return out


def _diag(code: str, message: str, pointer: str, pos: Any, hint: str | None = None) -> Diagnostic:
    return Diagnostic(ERROR, code, message, pointer, pos[0], pos[1], hint)


def _convert(error: ValidationError, parsed: Parsed) -> Iterator[Diagnostic]:  # noqa: C901
    kw = error.validator
    pointer = _pointer(error.absolute_path)
    schema = _annotated(error)
    title = title_of(schema, pointer.rsplit("/", 1)[-1] or "The contract")
    instance = error.instance
    value = error.validator_value
    pos = parsed.position(pointer)

    if kw == "required":
        props = schema.get("properties", {})
        where = f" in {title}" if pointer else ""
        for name in value:
            if isinstance(instance, dict) and name not in instance:
                sub = props.get(name, {})
                example = (sub.get("examples") or ["..."])[0]
                example = example if isinstance(example, str) else json.dumps(example)
                yield _diag("required", f"{title_of(sub, name)} ({name}) is required{where}.",
                            f"{pointer}/{escape(name)}", pos, f"Add a line such as '{name}: "
                            f"{example}'.")
        return
    if kw == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        where = f"in {title}" if pointer else "at the top level"
        for key in instance:
            if key in allowed:
                continue
            child = f"{pointer}/{escape(str(key))}"
            kpos = parsed.key_position(child)
            guess = _close(str(key), allowed)
            hint = f"Did you mean '{guess}'?" if guess else f"Allowed keys: {', '.join(allowed)}."
            yield _diag("unknown-key", f"Unknown key '{key}' {where}.", child, kpos, hint)
        return
    if kw == "type":
        implicit = parsed.implicit.get(pointer)
        if value == "string" and implicit is not None and implicit[0] != "":
            raw, kind = implicit
            yield _diag("ambiguous-scalar", f"{title} is written as {raw}, which YAML reads as "
                        f"the {kind} {_show(instance)}, not as text.", pointer, pos,
                        f"Put it in quotes: \"{raw}\".")
        elif instance is None:
            yield _diag("type", f"{title} has no value; it must be {_EXPECTED[value]}.", pointer,
                        pos, "Write a value after the colon, or remove the key.")
        elif value == "integer" and isinstance(instance, float):
            yield _diag("type", f"{title} must be a whole number, not {instance}.", pointer, pos)
        else:
            yield _diag("type", f"{title} must be {_EXPECTED.get(value, value)}, not "
                        f"{describe(instance)}.", pointer, pos, _TYPE_HINTS.get(value))
        return
    if kw == "pattern":
        yield _pattern(title, schema, pointer, instance, pos)
        return
    if kw == "minLength":
        if value == 1:
            yield _diag("min-length", f"{title} must not be empty.", pointer, pos)
        else:
            yield _diag("min-length", f"{title} must be at least {value} characters long.",
                        pointer, pos)
        return
    if kw == "maxLength":
        yield _diag("max-length", f"{title} is {len(instance)} characters long; the limit is "
                    f"{value}.", pointer, pos)
        return
    if kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        text = {
            "minimum": f"at least {_show(value)}",
            "maximum": f"at most {_show(value)}",
            "exclusiveMinimum": f"greater than {_show(value)}",
            "exclusiveMaximum": f"less than {_show(value)}",
        }[kw]
        code = {"exclusiveMinimum": "exclusive-minimum", "exclusiveMaximum": "exclusive-maximum"}
        # codes: minimum maximum exclusive-minimum exclusive-maximum
        yield _diag(code.get(kw, kw), f"{title} must be {text}, not {_show(instance)}.",
                    pointer, pos, schema.get("x-hint"))
        return
    if kw == "minItems":
        what = "at least one item" if value == 1 else f"at least {value} items"
        yield _diag("min-items", f"{title} must list {what}.", pointer, pos)
        return
    if kw == "maxItems":
        yield _diag("max-items", f"{title} lists {len(instance)} items; the limit is {value}.",
                    pointer, pos)
        return
    if kw == "uniqueItems":
        earlier: list[Any] = []
        found = False
        for index, item in enumerate(instance):
            if item in earlier:
                found = True
                child = f"{pointer}/{index}"
                yield _diag("unique-items", f"{title} lists {_show(item)!r} more than once.",
                            child, parsed.position(child), "Remove the repeated entry.")
            earlier.append(item)
        if not found:  # pragma: no cover - jsonschema and == agree on the values we build
            yield _diag("unique-items", f"{title} lists an item more than once.", pointer, pos)
        return
    if kw in ("enum", "const"):
        yield _diag("enum", f"{title} must be one of: {', '.join(map(str, value))}.", pointer,
                    pos)
        return
    code = "".join("-" + c.lower() if c.isupper() else c for c in kw)  # pragma: no cover
    yield _diag(code, f"{title}: {error.message}.", pointer, pos)  # pragma: no cover


def _pattern(title: str, schema: dict[str, Any], pointer: str, value: str, pos: Any) -> Diagnostic:
    hint = schema.get("x-hint")
    shown = value if len(value) <= 60 else value[:57] + "..."
    if schema.get("format") == "uri":
        if not value.lower().startswith("https://"):
            return _diag("https-required", f"{title} must be an https:// URL, not {shown!r}.",
                         pointer, pos, hint)
        return _diag("invalid-url", f"{title} {shown!r} is not a valid https URL.", pointer, pos,
                     hint)
    if pointer == "/cost/currency" and value.strip().upper() in CURRENCIES:
        hint = f"Did you mean '{value.strip().upper()}'? {hint}"
    if pointer.startswith("/constraints/supported_languages/"):
        guess = value.strip().lower().replace("_", "-").split("-")[0]
        if guess in LANGUAGES:
            hint = f"Did you mean '{guess}'? {hint}"
    return _diag("pattern", f"{title} {shown!r} is not in the expected format.", pointer, pos,
                 hint)
