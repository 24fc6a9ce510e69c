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

from .parsed import Parsed, escape, line_col
from .parsed import mark_position as _mark
from .scalars import RESOLVERS, build_scalar, decode

try:  # libyaml's parser (only the parser: CSafeLoader minus its constructor and resolver)
    from yaml.cyaml import CParser as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100
MAX_NODES = 20_000
MAX_SCALAR = 64 * 1024

_Y = "tag:yaml.org,2002:"
_STR = _Y + "str"
_MAP_TAGS = frozenset(("!", _Y + "map"))
_SEQ_TAGS = frozenset(("!", _Y + "seq"))
_KEY_TAGS = frozenset(("!", _STR))
_DISCARD = object()  # the pending "key" of a refused merge key: its value is dropped


class _Abort(Exception):
    """Stop reading: the document is refused (the diagnostic is already recorded)."""


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
        pos = line_col(text, min(exc.position, len(text))) if exc.position is not None else (1, 1)
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
    resolvers = RESOLVERS
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
                        if ev.anchor is not None:
                            anchors[ev.anchor] = (value, 1)
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
                    value = build_scalar(ev, ptr, mark, out)
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
                if cur_map and pend is None:
                    out.error("complex-key", "A mapping or list cannot be used as a key.",
                              cur_ptr, _mark(mark), "Use a plain text key.")
                    raise _Abort
                ptr = _place(value, cur, cur_ptr, cur_map, pend, pend_ptr, pend_mark, out)
                if ptr == "":
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
                ptr = _place(value, cur, cur_ptr, cur_map, pend, pend_ptr, pend_mark, out)
                if ptr == "":
                    root = value
                pend = None
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


def _place(value: Any, cur: Any, cur_ptr: str, cur_map: bool, pend: Any, pend_ptr: str,
           pend_mark: Any, out: Parsed) -> str:
    """Put a collection or an alias's value into the current collection; its pointer.

    In a mapping it goes under the pending key (unless that key is discarded), in a list at
    its end; with no current collection it is the document's root (pointer "").
    """
    if cur_map:
        if pend is not _DISCARD:
            cur[pend] = value
            out.key_positions[pend_ptr] = pend_mark
        return pend_ptr
    if cur is not None:
        ptr = f"{cur_ptr}/{len(cur)}"
        cur.append(value)
        return ptr
    return ""


def _duplicate(out: Parsed, key: str, pointer: str, mark: Any) -> None:
    first = out.key_positions.get(pointer, mark)
    out.error("duplicate-key", f"The key '{key}' appears more than once here; it was first set "
              f"on line {first.line + 1}.", pointer, _mark(mark), "Remove one of the two entries.")


def _too_many(out: Parsed, mark: Any) -> None:
    out.error("too-many-nodes", f"The document holds more than {MAX_NODES} values.", "",
              _mark(mark), "A contract is much smaller than this.")
    raise _Abort
