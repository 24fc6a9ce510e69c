"""Scalars: decoding the source text and building YAML 1.1 scalars the way PyYAML would.

Only str, int, float, bool and null are ever built; every other tag becomes a diagnostic.
"""

from __future__ import annotations

import math
from typing import Any

from yaml.events import ScalarEvent
from yaml.resolver import Resolver

from .parsed import Parsed, line_col
from .parsed import mark_position as _mark

_Y = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_Y + "str", _Y + "int", _Y + "float", _Y + "bool", _Y + "null")
_TIMESTAMP = _Y + "timestamp"
RESOLVERS = Resolver.yaml_implicit_resolvers
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_KIND = {_INT: "number", _FLOAT: "number", _BOOL: "boolean", _NULL: "null", _TIMESTAMP: "date"}


def decode(source: str | bytes, max_bytes: int, out: Parsed) -> str | None:
    """Check size and encoding; return the text, or None after recording the diagnostic."""
    hint = "Save the file as UTF-8."
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
        if len(raw) > max_bytes:
            out.error("too-large", f"The file is larger than the limit of {max_bytes} bytes.",
                      "", (1, 1), "Contracts are small; remove what does not describe the service.")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            good = raw[: exc.start].decode("utf-8")
            out.error("encoding", f"The file is not valid UTF-8: byte 0x{raw[exc.start]:02X} "
                      "cannot be decoded.", "", line_col(good, len(good)), hint)
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
                          "", (1, 1), "Contracts are small; remove what does not describe the "
                          "service.")
                return None
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                out.error("encoding", "The text contains a lone surrogate character, which is "
                          "not valid UTF-8.", "", line_col(text, exc.start), hint)
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

def build_scalar(ev: ScalarEvent, pointer: str, mark: Any, out: Parsed) -> Any:
    """Build one scalar's value; record implicit typing and bad tags."""
    value = ev.value
    tag = ev.tag
    if tag is None:
        if not ev.implicit[0]:  # quoted or block scalar: always a string
            return value
        if value.isdigit() and value[0] != "0" and len(value) < 4000:  # the usual plain integer
            out.implicit[pointer] = (value, "number")
            return int(value)
        for candidate, regexp in RESOLVERS.get(value[:1], ()):
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
