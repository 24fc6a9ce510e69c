"""The contract form <-> YAML text, without losing comments, key order or indentation.

The form is derived from the SDK's schema (``caio_integration.contracts.field_specs()``), so it
cannot drift from the contract language: one :class:`FormField` per leaf field of the schema.

* YAML -> form: :func:`values_from_text` reads the text the way the validator does (YAML 1.1,
  through the SDK) and turns every field's value into the text shown in its input.
* form -> YAML: :func:`apply_values` edits the existing text with ruamel.yaml's round-trip mode.
  Only the fields whose shown text changed are written, so an untouched field keeps its node
  exactly as written. Strings that YAML 1.1 (the validator) or YAML 1.2 (ruamel) would read as
  another type (``no``, ``on``, ``yes``, ``1.10``, ``3.0``, ``2024-01-01``) are quoted; numbers
  are written as typed when YAML 1.1 reads them as numbers.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from caio_integration.contracts import FieldSpec, field_specs, validate_text
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_YAML11 = yaml.resolver.Resolver()
_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?$")
_SPLIT_RE = re.compile(r"[,\n]")


class YamlFormError(ValueError):
    """The text cannot be shown as a form (a syntax error, or not a mapping)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of the contract form, mapped to one leaf of the contract schema."""

    spec: FieldSpec
    name: str
    keys: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.spec.title

    @property
    def is_list(self) -> bool:
        return self.spec.type == "array"

    @property
    def is_number(self) -> bool:
        return self.spec.type in ("number", "integer")

    @property
    def multiline(self) -> bool:
        return self.spec.key == "description"


@cache
def _fields() -> tuple[FormField, ...]:
    out = []
    for spec in field_specs():
        keys = tuple(spec.path.strip("/").split("/"))
        out.append(FormField(spec=spec, name="__".join(keys), keys=keys))
    return tuple(out)


def form_fields() -> list[FormField]:
    """Every form field, in the schema's order."""
    return list(_fields())


@cache
def _by_pointer() -> dict[str, FormField]:
    return {f.spec.path: f for f in _fields()}


def field_for_pointer(pointer: str | None) -> FormField | None:
    """The form field a diagnostic's JSON pointer belongs to (``/capabilities/2`` -> capabilities)."""
    if not pointer:
        return None
    index = _by_pointer()
    while pointer:
        found = index.get(pointer)
        if found is not None:
            return found
        pointer = pointer[: pointer.rfind("/")]
    return None


# --- YAML -> form ---------------------------------------------------------------------------


def display(value: Any) -> str:
    """The text an input shows for one scalar value as the validator read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return f"{value:.1f}"
        text = repr(value)
        if "e" in text:
            text = f"{value:.15f}".rstrip("0")
        return text
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return str(value)


def _get(data: Any, keys: Iterable[str]) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def values_from_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Form values (text, or a list of texts for list fields) from parsed contract data."""
    values: dict[str, Any] = {}
    for field in _fields():
        value = _get(data or {}, field.keys)
        if field.is_list:
            if value is None:
                values[field.name] = []
            elif isinstance(value, list):
                values[field.name] = [display(item) for item in value]
            else:
                values[field.name] = [display(value)]
        else:
            values[field.name] = display(value)
    return values


def parse_for_form(text: str) -> dict[str, Any]:
    """The contract data as the validator reads it; YamlFormError when it is not a mapping."""
    if not text.strip():
        return {}
    result = validate_text(text)
    if result.data is None:
        blocking = next((d for d in result.diagnostics if d.is_error), None)
        if blocking is None:
            return {}
        where = f" on line {blocking.line}" if blocking.line else ""
        raise YamlFormError(
            f"The form cannot show this YAML: {blocking.message.rstrip('.')}{where}. "
            "Fix it in the YAML tab first.", blocking.line)
    return result.data


def values_from_text(text: str) -> dict[str, Any]:
    return values_from_data(parse_for_form(text))


def normalize(field: FormField, raw: Any) -> Any:
    """A submitted value, cleaned: stripped text, or a list of non-empty unique texts."""
    if field.is_list:
        items: list[str] = []
        if isinstance(raw, str):
            raw = [raw]
        for chunk in raw or []:
            for item in _SPLIT_RE.split(str(chunk)):
                item = item.strip()
                if item and item not in items:
                    items.append(item)
        return items
    text = "" if raw is None else str(raw)
    text = text.replace("\r\n", "\n")
    return text.strip() if not field.multiline else text.strip("\n").rstrip()


# --- form -> YAML ---------------------------------------------------------------------------


class _Number(str):
    """A number written exactly as the user typed it (already checked to read as a number)."""


def _represent_number(representer, value: _Number):
    tag = _FLOAT_TAG if "." in value else _INT_TAG
    return representer.represent_scalar(tag, str(value))


def _guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, sequence dash offset) as written in ``text``."""
    mapping = None
    seq_offset = None
    seq_indent = None
    previous_key_indent = None
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("- "):
            if seq_offset is None and previous_key_indent is not None:
                seq_offset = max(indent - previous_key_indent, 0)
                rest = stripped[2:]
                seq_indent = seq_offset + 2 + (len(rest) - len(rest.lstrip(" ")))
            continue
        if previous_key_indent is not None and mapping is None and indent > previous_key_indent:
            mapping = indent - previous_key_indent
        if re.match(r"^[^\s#][^:#]*:\s*(#.*)?$", stripped):
            previous_key_indent = indent
        else:
            previous_key_indent = None if indent == 0 else previous_key_indent
    mapping = mapping or 2
    if seq_offset is None:
        seq_offset, seq_indent = 2, 4
    return mapping, max(seq_indent or 2, seq_offset + 2), seq_offset


def _yaml(text: str) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.allow_duplicate_keys = True
    mapping, sequence, offset = _guess_indent(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    y.representer.add_representer(_Number, _represent_number)
    return y


def _ambiguous(text: str) -> bool:
    """True when YAML 1.1 (the validator) or YAML 1.2 (ruamel) would not read it as a string."""
    if _YAML11.resolve(yaml.ScalarNode, text, (True, False)) != _STR_TAG:
        return True
    return text != text.strip() or text == ""


def _number(text: str) -> _Number | None:
    """The number as YAML 1.1 reads it, written as typed when possible; None if not a number."""
    if _INT_RE.match(text):
        return _Number(str(int(text)))  # "010" would be octal in YAML 1.1
    if _FLOAT_RE.match(text):
        return _Number(text)
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or text.strip() != text:
        return None
    written = repr(number)
    if "e" in written and "." not in written.split("e")[0]:
        mantissa, exponent = written.split("e")
        written = f"{mantissa}.0e{exponent}"
    return _Number(written)


# What YAML allows unescaped in a stream (YAML 1.1, 5.1); anything else needs "\x.." escapes.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _string(text: str, old: Any) -> Any:
    if _NOT_PRINTABLE.search(text):
        return DoubleQuotedScalarString(text)  # the emitter escapes control characters
    if "\n" in text:
        return LiteralScalarString(text)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    if isinstance(old, DoubleQuotedScalarString) or _ambiguous(text):
        return DoubleQuotedScalarString(text)
    return text


def _scalar(field: FormField, text: str, old: Any) -> Any:
    if field.is_number or (field.is_list and field.spec.item_type in ("number", "integer")):
        number = _number(text)
        if number is not None:
            return number
    return _string(text, old)


def _tail(node: Any) -> tuple[Any, Any, int] | None:
    """Where the comment after ``node``'s last line lives: (container, key, slot)."""
    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        if isinstance(node[key], (CommentedMap, CommentedSeq)) and node[key]:
            return _tail(node[key])
        return node, key, 2
    if isinstance(node, CommentedSeq) and node:
        index = len(node) - 1
        if isinstance(node[index], (CommentedMap, CommentedSeq)) and node[index]:
            return _tail(node[index])
        return node, index, 0
    return None


def _take_comment(where: tuple[Any, Any, int] | None) -> str:
    """Remove and return the comment text at ``where`` (without its end-of-line part)."""
    if where is None:
        return ""
    container, key, slot = where
    entry = container.ca.items.get(key)
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None:
        return ""
    entry[slot] = None
    value = token.value
    return value[value.index("\n"):] if value.startswith("#") and "\n" in value else value


def _give_comment(where: tuple[Any, Any, int] | None, text: str) -> None:
    """Append comment lines (text starting with a newline) after the node at ``where``."""
    if where is None or not text.strip("\n"):
        return
    container, key, slot = where
    size = 4 if isinstance(container, CommentedMap) else 2
    entry = container.ca.items.setdefault(key, [None] * size)
    token = entry[slot]
    if token is None:
        entry[slot] = CommentToken(text if text.startswith("\n") else "\n" + text,
                                   CommentMark(0), None)
    else:
        token.value = token.value.rstrip("\n") + "\n" + text.lstrip("\n") \
            if not text.startswith("\n\n") else token.value.rstrip("\n") + text


def _drop_line_comment(entry: list | None, slot: int) -> None:
    """Drop the end-of-line comment in ``entry[slot]``: it stated the value the form just
    changed (``p95_ms: 150  # answers within 100 ms``). Comment lines below it stay."""
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None or not token.value.startswith("#"):
        return
    rest = token.value[token.value.index("\n"):] if "\n" in token.value else ""
    if rest.strip("\n"):
        token.value = rest
    else:
        entry[slot] = None


def _set(tree: CommentedMap, field: FormField, value: Any) -> None:
    node = tree
    for key in field.keys[:-1]:
        child = node.get(key)
        if not isinstance(child, CommentedMap):
            child = CommentedMap()
            node[key] = child
        node = child
    last = field.keys[-1]
    old = node.get(last)
    if field.is_list:
        if isinstance(old, CommentedSeq):
            items = [
                old[i] if i < len(old) and display(old[i]) == item else _scalar(field, item, None)
                for i, item in enumerate(value)
            ]
            if list(old) == items:
                return
            # In place, so flow style survives; the comment after the list follows its last item.
            comments = dict(old.ca.items)
            before = list(old)
            after = _take_comment(_tail(old))
            del old[:]
            old.extend(items)
            old.ca.items.update({i: c for i, c in comments.items() if i < len(items) - 1})
            for i in old.ca.items:
                if i >= len(before) or before[i] is not items[i]:
                    _drop_line_comment(old.ca.items[i], 0)  # it spoke of another value
            _give_comment(_tail(old), after)
        else:
            node[last] = CommentedSeq(_scalar(field, item, None) for item in value)
    elif old is None or isinstance(old, (dict, list)) or display(old) != value:
        new = node[last] = _scalar(field, value, old)
        block = (LiteralScalarString, FoldedScalarString)
        entry = node.ca.items.get(last)
        _drop_line_comment(entry, 2)
        token = entry[2] if entry and len(entry) > 2 else None
        if token is not None and isinstance(new, block) and not isinstance(old, block):
            # A block scalar ends its own line; the comment's first newline would add a blank.
            if token.value.startswith("\n"):
                token.value = token.value[1:]


def _tail_of_key(mapping: CommentedMap, key: str) -> tuple[Any, Any, int] | None:
    value = mapping[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and value:
        return _tail(value)
    return mapping, key, 2


def _delete(tree: CommentedMap, field: FormField) -> None:
    parents = [tree]
    for key in field.keys[:-1]:
        child = parents[-1].get(key)
        if not isinstance(child, CommentedMap):
            return
        parents.append(child)
    depth = len(parents) - 1
    if field.keys[-1] not in parents[depth]:
        return
    # A section the removal would leave empty goes with it (the outermost such section).
    while depth > 0 and len(parents[depth]) == 1:
        depth -= 1
    container, key = parents[depth], field.keys[depth]
    # Keep the comment lines that followed the removed value (often the next section's title).
    after = _take_comment(_tail_of_key(container, key))
    order = list(container)
    index = order.index(key)
    container.pop(key)
    if index > 0:
        _give_comment(_tail_of_key(container, order[index - 1]), after)


def changed_fields(text: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose submitted value differs from what ``text`` holds, normalized."""
    shown = values_from_text(text)
    changes: dict[str, Any] = {}
    for field in _fields():
        if field.name not in values:
            continue
        new = normalize(field, values[field.name])
        if new != normalize(field, shown[field.name]):
            changes[field.name] = new
    return changes


def apply_values(text: str, values: Mapping[str, Any], *, force: bool = False) -> str:
    """``text`` with the form ``values`` written into it (only the fields that changed).

    With ``force`` every submitted field is written again (the round-trip tests use it).
    Raises :class:`YamlFormError` when the text cannot be edited as a form.
    """
    if force:
        parse_for_form(text)
        changes = {f.name: normalize(f, values[f.name]) for f in _fields() if f.name in values}
    else:
        changes = changed_fields(text, values)
    if not changes:
        return text
    y = _yaml(text)
    try:
        tree = y.load(text) if text.strip() else None
    except RuamelError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise YamlFormError("The form cannot edit this YAML; fix it in the YAML tab first.",
                            line) from None
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, CommentedMap):
        raise YamlFormError("The contract must be a mapping of keys to values.", 1)
    by_name = {f.name: f for f in _fields()}
    for name, value in changes.items():
        field = by_name[name]
        if value in ("", []):
            _delete(tree, field)
        else:
            _set(tree, field, value)
    out = io.StringIO()
    try:
        y.dump(tree, out)
    except Exception as exc:  # noqa: BLE001 - never a 500 for a text ruamel cannot write back
        raise YamlFormError("The form could not write its changes into this YAML "
                            f"({type(exc).__name__}); edit it in the YAML tab.") from None
    result = out.getvalue()
    if not text.endswith("\n") and result.endswith("\n") and text.strip():
        result = result[:-1]
    return result
