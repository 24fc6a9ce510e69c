"""Safe, bounded YAML parsing with a JSON-pointer -> (line, column) map.

The text is read once, as an event stream from libyaml (``CSafeLoader``'s parser, or PyYAML's
pure-Python parser when libyaml is missing). The Python data is built here, directly from the
events, so that:

* no tag is ever constructed into an object (only str, int, float, bool and null scalars,
  mappings and sequences are built; any other tag is a diagnostic);
* nesting depth, alias count, alias expansion and scalar length are checked while streaming,
  before anything large is built, so a billion-laughs or a 20,000-deep document is refused
  early and no recursion is involved;
* a duplicate key is reported at the duplicate's line;
* the position of every node is recorded under its JSON pointer.

Every exception from the YAML library becomes a diagnostic; nothing escapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.resolver import Resolver

from .diagnostics import ERROR, Diagnostic

try:  # libyaml, when PyYAML was built with it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100
MAX_NODES = 20_000
MAX_SCALAR = 64 * 1024

_Y = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_Y + "str", _Y + "int", _Y + "float", _Y + "bool", _Y + "null")
_TIMESTAMP, _MERGE = _Y + "timestamp", _Y + "merge"
_MAP_TAGS = frozenset(("!", _Y + "map"))
_SEQ_TAGS = frozenset(("!", _Y + "seq"))
_KEY_TAGS = frozenset(("!", _STR))
_DISCARD = object()  # the pending "key" of a refused merge key: its value is dropped
_RESOLVERS = Resolver.yaml_implicit_resolvers
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_KIND = {_INT: "number", _FLOAT: "number", _BOOL: "boolean", _NULL: "null", _TIMESTAMP: "date"}


class _Abort(Exception):
    """Stop reading: the document is refused (the diagnostic is already recorded)."""


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

    def error(self, code: str, message: str, pointer: str, pos: tuple[int, int], hint=None):
        self.diagnostics.append(Diagnostic(ERROR, code, message, pointer, pos[0], pos[1], hint))


def escape(key: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def decode(source: str | bytes, max_bytes: int, out: Parsed) -> str | None:
    """Check size and encoding; return the text, or None after recording the diagnostic."""
    hint = "Save the file as UTF-8."
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
        if len(raw) > max_bytes:
            out.error("too-large", f"The file is {len(raw)} bytes; the limit is {max_bytes} bytes.",
                      "", (1, 1))
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            good = raw[: exc.start].decode("utf-8")
            out.error("encoding", f"The file is not valid UTF-8: byte 0x{raw[exc.start]:02X} "
                      "cannot be decoded.", "", _line_col(good, len(good)), hint)
            return None
    elif isinstance(source, str):
        text = source
        if len(text) > max_bytes or (len(text) * 4 > max_bytes and not text.isascii()):
            try:
                size = len(text.encode("utf-8", "surrogatepass"))
            except UnicodeEncodeError:  # pragma: no cover - surrogatepass encodes everything
                size = len(text) * 4
            if size > max_bytes:
                out.error("too-large", f"The text is {size} bytes; the limit is {max_bytes} bytes.",
                          "", (1, 1))
                return None
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                out.error("encoding", "The text contains a lone surrogate character, which is "
                          "not valid UTF-8.", "", _line_col(text, exc.start), hint)
                return None
    else:
        raise TypeError(f"expected str or bytes, not {type(source).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _number(tag: str, value: str) -> int | float:
    """Construct an int or float exactly as YAML 1.1 / PyYAML's SafeConstructor would."""
    v = value.replace("_", "")
    sign = -1 if v[:1] == "-" else 1
    if v[:1] in "+-":
        v = v[1:]
    if tag == _FLOAT:
        v = v.lower()
        if v == ".inf":
            return sign * math.inf
        if v == ".nan":
            return math.nan
    if ":" in v:
        total: int | float = 0
        base = 1
        for part in reversed(v.split(":")):
            total += (int(part) if tag == _INT else float(part)) * base
            base *= 60
        return sign * total
    if tag == _FLOAT:
        return sign * float(v)
    if v.startswith("0b"):
        return sign * int(v[2:], 2)
    if v.startswith("0x"):
        return sign * int(v[2:], 16)
    if len(v) > 1 and v[0] == "0":
        return sign * int(v, 8)
    return sign * int(v)


def _scalar(ev: ScalarEvent, pointer: str, mark: Any, out: Parsed) -> Any:
    """Build one scalar's value; record implicit typing and bad tags."""
    value = ev.value
    tag = ev.tag
    if tag is None:
        if not ev.implicit[0]:  # quoted or block scalar: always a string
            return value
        if value.isdigit() and value[0] != "0" and len(value) < 4000:  # the usual plain integer
            out.implicit[pointer] = (value, "number")
            return int(value)
        for candidate, regexp in _RESOLVERS.get(value[:1], ()):
            if regexp.match(value):
                tag = candidate
                break
        else:
            return value
        if tag == _STR or tag not in _KIND:  # e.g. '<<' or '=' as a value: a plain string
            return value
        out.implicit[pointer] = (value, _KIND[tag])
        if tag == _TIMESTAMP:
            out.reported.add(pointer)
            out.error("ambiguous-scalar", f"The unquoted value {value} is read by YAML as a date, "
                      "not as text.", pointer, _mark(mark), f'Quote it: "{value}".')
            return value
    elif tag == "!" or tag == _STR:
        return value
    try:
        if tag == _NULL:
            if value in ("", "~", "null", "Null", "NULL"):
                return None
        elif tag == _BOOL:
            return _BOOLS[value.lower()]
        elif tag == _INT or tag == _FLOAT:
            number = _number(tag, value)
            if isinstance(number, float) and not math.isfinite(number):
                out.reported.add(pointer)
                out.error("not-finite", f"The number {value} is not finite; use an ordinary "
                          "number.", pointer, _mark(mark))
            return number
        else:
            out.reported.add(pointer)
            out.error("unsupported-tag", f"The tag {tag} is not allowed in a contract.", pointer,
                      _mark(mark), "Remove the tag; contracts use plain YAML values only.")
            return value
    except (ValueError, KeyError, IndexError):
        pass
    out.reported.add(pointer)
    what = "number" if tag in (_INT, _FLOAT) else "value"
    kind = tag.rsplit(":", 1)[-1]
    out.error("bad-scalar", f"The {what} {value[:40]!r} cannot be read as {kind}.", pointer,
              _mark(mark), "Write an ordinary value, or quote it to make it text.")
    return value


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def parse(source: str | bytes, *, max_bytes: int = MAX_BYTES) -> Parsed:
    """Parse one contract document safely. Never raises for any input text or bytes."""
    out = Parsed()
    text = decode(source, max_bytes, out)
    if text is None:
        return out
    try:
        out.data = _build(text, out)
        out.ok = True
    except _Abort:
        out.data = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _mark(mark) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:
            out.error("too-deep", f"The document nests deeper than {MAX_DEPTH} levels.", "", pos)
        else:
            hint = None
            if exc.context and exc.problem:
                hint = exc.context[:1].upper() + exc.context[1:]
                if exc.context_mark is not None:
                    hint += f" that starts on line {exc.context_mark.line + 1}"
                hint += "."
            out.error("syntax", f"YAML syntax error: {problem}.", "", pos, hint)
        out.data = None
    except yaml.reader.ReaderError as exc:
        pos = _line_col(text, min(exc.position, len(text))) if exc.position is not None else (1, 1)
        out.error("invalid-character", f"The text contains a character YAML does not allow "
                  f"({exc.reason}).", "", pos, "Remove control characters from the file.")
        out.data = None
    except Exception as exc:  # noqa: BLE001 - whatever the YAML library raises becomes a diagnostic
        out.error("syntax", f"The YAML could not be read: {type(exc).__name__}.", "", (1, 1))
        out.data = None
    return out


def _build(text: str, out: Parsed) -> Any:
    """The event loop. The current collection's state lives in locals; parents on a stack.

    This loop is the validator's hot path, so it is written flat: positions are stored as the
    parser's mark objects and only turned into (line, column) when a diagnostic needs one.
    """
    positions = out.positions
    key_positions = out.key_positions
    resolvers = _RESOLVERS
    loader = _Loader(text)
    get_event = loader.get_event
    stack: list[tuple[Any, str, bool, int, Any]] = []
    anchors: dict[str, tuple[Any, int]] = {}
    root: Any = None
    documents = aliases = nodes = 0
    # The collection being filled: container, its pointer, is it a mapping, node count at its
    # start, its anchor; and, in a mapping, the pending key with its pointer and mark.
    cur: Any = None
    cur_ptr = ""
    cur_map = False
    cur_start = 0
    cur_anchor = None
    pend: Any = None
    pend_ptr = ""
    pend_mark: Any = None
    try:
        while True:
            ev = get_event()
            cls = ev.__class__
            if cls is ScalarEvent:
                nodes += 1
                value = ev.value
                if cur_map:
                    if pend is None:  # a mapping key
                        if ev.tag is not None and ev.tag not in _KEY_TAGS:
                            out.error("unsupported-tag", f"The tag {ev.tag} is not allowed on a "
                                      "key.", cur_ptr, _mark(ev.start_mark),
                                      "Remove the tag from the key.")
                        if value == "<<" and ev.implicit[0]:
                            out.error("merge-key", "Merge keys (<<) are not supported in "
                                      "contracts.", cur_ptr, _mark(ev.start_mark),
                                      "Write the keys out in full.")
                            pend, pend_ptr, pend_mark = _DISCARD, cur_ptr + "/<<", ev.start_mark
                            continue
                        if "~" in value or "/" in value:
                            pend_ptr = cur_ptr + "/" + escape(value)
                        else:
                            pend_ptr = cur_ptr + "/" + value
                        pend_mark = ev.start_mark
                        if value in cur:
                            _duplicate(out, value, pend_ptr, pend_mark)
                        pend = value
                        continue
                    ptr = pend_ptr
                elif cur is None:
                    ptr = ""
                else:
                    ptr = f"{cur_ptr}/{len(cur)}"
                if len(value) > MAX_SCALAR:
                    out.error("scalar-too-long", f"A value is longer than {MAX_SCALAR} characters.",
                              "", _mark(ev.start_mark), "Shorten it.")
                    raise _Abort
                mark = ev.start_mark
                if ev.tag is not None or (ev.implicit[0] and value[:1] in resolvers):
                    value = _scalar(ev, ptr, mark, out)
                if ev.anchor is not None:
                    anchors[ev.anchor] = (value, 1)
                if nodes > MAX_NODES:
                    _too_many(out, mark)
                positions[ptr] = mark
                if cur_map:
                    if pend is not _DISCARD:
                        cur[pend] = value
                        key_positions[ptr] = pend_mark
                    pend = None
                elif cur is not None:
                    cur.append(value)
                else:
                    root = value
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                if cur_anchor is not None:
                    anchors[cur_anchor] = (cur, nodes - cur_start + 1)
                cur, cur_ptr, cur_map, cur_start, cur_anchor = stack.pop()
                pend = None
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = ev.start_mark
                nodes += 1
                if len(stack) >= MAX_DEPTH:
                    out.error("too-deep", f"The document nests deeper than {MAX_DEPTH} levels.",
                              "", _mark(mark), "Flatten the structure.")
                    raise _Abort
                if nodes > MAX_NODES:
                    _too_many(out, mark)
                is_map = cls is MappingStartEvent
                value = {} if is_map else []
                if cur_map:
                    if pend is None:
                        out.error("complex-key", "A mapping or list cannot be used as a key.",
                                  cur_ptr, _mark(mark), "Use a plain text key.")
                        raise _Abort
                    ptr = pend_ptr
                    if pend is not _DISCARD:
                        cur[pend] = value
                        key_positions[ptr] = pend_mark
                elif cur is not None:
                    ptr = f"{cur_ptr}/{len(cur)}"
                    cur.append(value)
                else:
                    ptr = ""
                    root = value
                positions[ptr] = mark
                if ev.tag is not None and ev.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                    out.reported.add(ptr)
                    out.error("unsupported-tag", f"The tag {ev.tag} is not allowed in a "
                              "contract.", ptr, _mark(mark),
                              "Remove the tag; contracts use plain YAML values only.")
                stack.append((cur, cur_ptr, cur_map, cur_start, cur_anchor))
                cur, cur_ptr, cur_map, cur_start, cur_anchor = value, ptr, is_map, nodes, ev.anchor
                pend = None
            elif cls is AliasEvent:
                mark = ev.start_mark
                if cur_map and pend is None:
                    out.error("complex-key", "An alias cannot be used as a key.", cur_ptr,
                              _mark(mark), "Write the key out in full.")
                    raise _Abort
                aliases += 1
                if aliases > MAX_ALIASES:
                    out.error("too-many-aliases", f"The document uses more than {MAX_ALIASES} "
                              "aliases.", "", _mark(mark), "Write the values out instead.")
                    raise _Abort
                anchored = anchors.get(ev.anchor)
                if anchored is None:
                    out.error("unknown-alias", f"The alias *{ev.anchor} refers to no anchor "
                              "defined before it.", "", _mark(mark))
                    raise _Abort
                value, size = anchored
                nodes += size
                if nodes > MAX_NODES:
                    out.error("alias-expansion", f"The aliases expand to more than {MAX_NODES} "
                              "values.", "", _mark(mark), "Write the values out instead.")
                    raise _Abort
                if cur_map:
                    ptr = pend_ptr
                    if pend is not _DISCARD:
                        cur[pend] = value
                        key_positions[ptr] = pend_mark
                    pend = None
                elif cur is not None:
                    ptr = f"{cur_ptr}/{len(cur)}"
                    cur.append(value)
                else:
                    ptr = ""
                    root = value
                positions[ptr] = mark
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    out.error("multiple-documents", "The file holds more than one YAML document; "
                              "a contract is a single document.", "", _mark(ev.start_mark),
                              "Remove the '---' separator and everything after it.")
                    raise _Abort
            elif cls is StreamEndEvent:
                return root
            # StreamStart and DocumentEnd need nothing.
    finally:
        loader.dispose()


def _duplicate(out: Parsed, key: str, pointer: str, mark: Any) -> None:
    first = out.key_positions.get(pointer, mark)
    out.error("duplicate-key", f"The key '{key}' appears more than once here; it was first set "
              f"on line {first.line + 1}.", pointer, _mark(mark), "Remove one of the two entries.")


def _too_many(out: Parsed, mark: Any) -> None:
    out.error("too-many-nodes", f"The document holds more than {MAX_NODES} values.", "",
              _mark(mark), "A contract is much smaller than this.")
    raise _Abort
