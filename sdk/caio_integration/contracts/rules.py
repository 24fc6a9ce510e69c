"""The contract rules JSON Schema cannot express, written as code.

Each rule looks only at values of the right type: a value of the wrong type is already
reported by the schema check, and every rule runs regardless, so all problems come out in one
pass.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from .diagnostics import ERROR, INFO, WARNING, Diagnostic
from .parsed import MAX_PROBLEMS, Parsed, escape
from .vocab import CAPABILITY_DESCRIPTIONS, CURRENCIES, LANGUAGES

# Rules look at no more list items than the schema allows (longer lists are already errors).
_MAX_ITEMS = 200
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_LANG = re.compile(r"^[a-z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_HTTPS = re.compile(r"^https://[^\s/?#@]+(?:[/?#]\S*)?$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_URL = re.compile(
    rf"^https://(?P<host>\[[0-9A-Fa-f:.]+\]|(?:{_LABEL}\.)*{_LABEL}\.?)"
    r"(?::(?P<port>[0-9]{1,5}))?(?:[/?#]\S*)?$"
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _diag(parsed: Parsed, severity: Any, code: str, message: str, pointer: str,
          hint: str | None = None) -> Diagnostic:
    line, column = parsed.position(pointer)
    return Diagnostic(severity, code, message, pointer, line, column, hint)


def rule_diagnostics(data: dict[str, Any], parsed: Parsed) -> list[Diagnostic]:
    """Run every code rule over a (possibly partly invalid) contract mapping."""
    out: list[Diagnostic] = []
    out.extend(_latency(data, parsed))
    out.extend(_capabilities(data, parsed))
    out.extend(_languages(data, parsed))
    out.extend(_cost(data, parsed))
    for key in ("endpoint", "documentation_url"):
        out.extend(_url(data, key, parsed))
    out.extend(_unstorable_characters(data, parsed))
    out.extend(_placeholders(data, parsed))
    return out


# Text the shipped templates carry for the author to replace (sdk/tests check that each
# template's service_id, name and description is listed here), compared without case or
# repeated spaces. Example domains are those RFC 2606 reserves for documentation.
PLACEHOLDER_TEXTS = {
    "service_id": frozenset({"my-service", "advanced-service"}),
    "name": frozenset({"my ai service", "advanced ai service"}),
    "description": frozenset({
        "a short sentence on what the service does.",
        "one or two sentences on what the service does, for whom, and what makes it "
        "different.",
    }),
}
_EXAMPLE_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|net|org)|example)\.?$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PLACEHOLDER_HINTS = {
    "service_id": "Choose your service's own ID (caio init --service-id ID).",
    "name": "Write your service's own name, as people should find it in the catalogue.",
    "description": "Say in a sentence or two what your service does and for whom.",
    "endpoint": "Give the https address where CAIO calls your service.",
    "documentation_url": "Link to your service's own documentation, or remove the key.",
    "contact": "Give an address where users of your service reach you, or remove the key.",
}


def _placeholders(data: dict[str, Any], parsed: Parsed) -> Iterator[Diagnostic]:
    """Template text left in the contract: valid, but it would reach the catalogue."""
    for key, texts in PLACEHOLDER_TEXTS.items():
        value = data.get(key)
        if isinstance(value, str) and " ".join(value.split()).lower() in texts:
            yield _diag(parsed, WARNING, "placeholder-text",
                        f"{_TITLES[key]} is still the template's placeholder ({value!r}).",
                        f"/{key}", _PLACEHOLDER_HINTS[key])
    for key in ("endpoint", "documentation_url", "contact"):
        value = data.get(key)
        if not isinstance(value, str) or len(value) > 2048:
            continue
        if key == "contact":
            host = value.rpartition("@")[2] if _EMAIL.match(value) else ""
        else:  # only a well-formed URL: a malformed one is an error already
            match = _URL.match(value)
            port = match and match["port"]
            host = match["host"] if match and not (port and int(port) > 65535) else ""
        if host and _EXAMPLE_DOMAIN.search(host):
            yield _diag(parsed, WARNING, "placeholder-text",
                        f"{_TITLES[key]} is at {host}, a domain reserved for examples.",
                        f"/{key}", _PLACEHOLDER_HINTS[key])


_TITLES = {"service_id": "Service ID", "name": "Name", "description": "Description",
           "endpoint": "Endpoint URL", "documentation_url": "Documentation URL",
           "contact": "Contact email"}


def _unstorable_characters(data: dict[str, Any], parsed: Parsed) -> Iterator[Diagnostic]:
    """A NUL (U+0000) or a lone surrogate (U+D800-DFFF) in any text or key. Raw in YAML, either
    is a reader or syntax error already; this finds a double-quoted string's escapes ("\\0",
    "\\x00", "\\u0000"; "\\ud800" with PyYAML's pure-Python parser) and bare data's
    (validate_data). No contract needs one, and a database's text cannot hold it."""
    todo: list[tuple[str, Any]] = [("", data)]
    seen: set[int] = set()  # an alias repeats a collection: each is looked at once
    found = 0
    while todo and found < MAX_PROBLEMS:
        pointer, value = todo.pop()
        if isinstance(value, str):
            problem = _unstorable(value)
            if problem:
                found += 1
                yield _diag(parsed, ERROR, "invalid-character", f"The text holds {problem[0]}",
                            pointer, problem[1])
            continue
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, list):
            todo.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))
            continue
        for key, item in value.items():
            child = f"{pointer}/{escape(str(key))}"
            problem = _unstorable(str(key))
            if problem:
                found += 1
                yield Diagnostic(ERROR, "invalid-character", f"A key holds {problem[0]}", child,
                                 *parsed.key_position(child), problem[1])
            todo.append((child, item))


def _unstorable(text: str) -> tuple[str, str] | None:
    """(what, hint) when `text` holds a NUL or a lone surrogate, else None."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    if match[0] == "\x00":
        return ("a NUL character (U+0000), which a contract cannot contain.",
                "Remove it (in YAML it is written as an escape such as \"\\0\").")
    return (f"a lone surrogate (U+{ord(match[0]):04X}), which is not a character.",
            "Write the character itself, or its \\U escape with eight hex digits.")


def _latency(data: dict[str, Any], parsed: Parsed) -> Iterator[Diagnostic]:
    guarantees = data.get("guarantees")
    latency = guarantees.get("latency") if isinstance(guarantees, dict) else None
    if not isinstance(latency, dict):
        return
    p95, p99 = latency.get("p95_ms"), latency.get("p99_ms")
    if _number(p95) and _number(p99) and p95 > p99:
        yield _diag(parsed, ERROR, "latency-order",
                    f"Latency p95 (ms) is {p95}, more than Latency p99 (ms) ({p99}); the 95th "
                    "percentile cannot exceed the 99th.", "/guarantees/latency/p95_ms",
                    "Make p95_ms less than or equal to p99_ms.")


def _capabilities(data: dict[str, Any], parsed: Parsed) -> Iterator[Diagnostic]:
    capabilities = data.get("capabilities")
    if not isinstance(capabilities, list):
        return
    for index, name in enumerate(capabilities[:_MAX_ITEMS]):
        if not isinstance(name, str) or name in CAPABILITY_DESCRIPTIONS or not _SNAKE.match(name):
            continue
        guess = difflib.get_close_matches(name, list(CAPABILITY_DESCRIPTIONS), n=1, cutoff=0.6)
        hint = (f"Did you mean '{guess[0]}'?" if guess
                else "Prefer a name from the CAIO capability vocabulary (caio_integration."
                "CAPABILITIES) so that clients can discover the service.")
        yield _diag(parsed, WARNING, "unknown-capability",
                    f"'{name}' is not in the CAIO capability vocabulary.",
                    f"/capabilities/{index}", hint)


def _languages(data: dict[str, Any], parsed: Parsed) -> Iterator[Diagnostic]:
    constraints = data.get("constraints")
    languages = constraints.get("supported_languages") if isinstance(constraints, dict) else None
    if not isinstance(languages, list):
        return
    for index, code in enumerate(languages[:_MAX_ITEMS]):
        if isinstance(code, str) and code not in LANGUAGES and _LANG.match(code):
            yield _diag(parsed, ERROR, "unknown-language",
                        f"'{code}' is not an ISO 639-1 language code.",
                        f"/constraints/supported_languages/{index}",
                        "Use a two-letter ISO 639-1 code such as en, es, fr or zh.")


def _cost(data: dict[str, Any], parsed: Parsed) -> Iterator[Diagnostic]:
    cost = data.get("cost")
    if not isinstance(cost, dict):
        return
    currency = cost.get("currency")
    if currency is None and "currency" not in cost:
        yield _diag(parsed, INFO, "default-currency",
                    "Cost gives no currency, so the amounts are read as USD.", "/cost",
                    "Add 'currency: USD' (or another ISO 4217 code) to make it explicit.")
    elif isinstance(currency, str) and _CURRENCY.match(currency) and currency not in CURRENCIES:
        yield _diag(parsed, ERROR, "unknown-currency",
                    f"'{currency}' is not an ISO 4217 currency code.", "/cost/currency",
                    "Use a three-letter ISO 4217 code such as USD, EUR or GBP.")


def _url(data: dict[str, Any], key: str, parsed: Parsed) -> Iterator[Diagnostic]:
    url = data.get(key)
    if not isinstance(url, str) or len(url) > 2048 or not _HTTPS.match(url):
        return  # a wrong type, an overlong or a non-https URL is reported by the schema
    problem = None
    match = _URL.match(url)
    if match is None:
        host = url[8:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        problem = f"'{host}' is not a valid host name and port"
    elif match["port"] is not None and not 0 < int(match["port"]) < 65536:
        problem = f"the port {match['port']} is out of range"
    elif match["host"].startswith("["):
        try:
            ipaddress.IPv6Address(match["host"][1:-1])
        except ValueError:
            problem = f"{match['host']} is not a valid IPv6 address"
    if problem:
        title = "Endpoint URL" if key == "endpoint" else "Documentation URL"
        yield _diag(parsed, ERROR, "invalid-url", f"{title} is not a valid URL: {problem}.",
                    f"/{key}", "Use a URL such as https://api.example.com/v1.")
