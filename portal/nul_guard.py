"""One guard against NUL characters: none in a request reaches the database.

PostgreSQL's text cannot hold NUL (U+0000). A query or a write with one fails with `DataError`,
a 500, wherever it happens: a URL argument looked up, a query-string filter, a form field saved,
a JSON value, the session cookie looked up by its key. Such values reach queries through every
view, form, serializer and middleware that reads the request, and a check in each would miss the
next one written. So this middleware, early in MIDDLEWARE, refuses a request with a NUL anywhere
the portal reads text from it, before any session lookup, view, form or serializer runs:

- the URL path (`%00`): 404, as for any path that names nothing;
- the query string, a header, a cookie (a quoted cookie value can spell NUL as `\\000`): 400;
- the body: form fields, a file's field name too (urlencoded or multipart); JSON, decoded and
  every string and key checked, since its escape `\\u0000` hides a NUL from a scan of the raw
  bytes; any other body (a raw YAML contract) by its bytes: 400.

JSON alone can also write half a UTF-16 surrogate pair (`\\ud800`), which no text encodes: the
database cannot store it and an error answer that quotes it (an unknown key's name) cannot be
sent. The JSON walk refuses it too (LoneSurrogate, 400); everywhere else Django decodes bytes
as UTF-8 with replacement, so none arrives.

The guard raises Http404 or a RefusedCharacter (a BadRequest), so Django's error handlers answer
(portal/views/errors.py): JSON in the API's error shape under /api/, a plain page elsewhere.

What it leaves to others, on purpose:

- uploaded files' contents: contract texts, which the validator checks (a NUL byte is an
  `invalid-character` error on its line) and which are saved only through
  contracts_app.services.upload_decode, which refuses NUL bytes ("... is not a text file");
- contract texts in the few views that check them with the contract validator and write nothing
  for an invalid text (NUL_REPORTED_BY_VALIDATOR): the validator reports a NUL as an error on
  its line, a friendlier answer than a refused request;
- a NUL that a contract's YAML writes as an escape ("\\0" in a quoted string): the request
  holds none, the parsed data does. The validator reports it (`invalid-character`), the API
  refuses to save it (integrations.api.services.ensure_storable), and
  contracts_app.services.json_safe keeps it out of a draft's stored data and diagnostics;
- bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, which no view reads (413 or Django's 400), except a
  multipart POST, whose fields Django reads with that limit on them and whose files it streams;
- a multipart body sent with another method than POST, which Django does not parse and no view
  accepts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError

from contracts_app.services import UNSTORABLE

NUL = "\x00"
# What may hide a NUL or a lone surrogate in a JSON body: its escapes, or raw NUL bytes (UTF-16).
_JSON_SUSPECT = re.compile(rb"\x00|\\u0000|\\u[dD][89a-fA-F]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# URL name -> the body field holding a contract text that the view checks with the contract
# validator, saving nothing when the text is invalid (a NUL always is). A raw body is that text.
NUL_REPORTED_BY_VALIDATOR = {
    "api:validate-contract": "contract",
    "api:register-service": "contract",
    "contracts:validate": "text",
    "contracts:convert": "text",
}


class RefusedCharacter(BadRequest):
    """A character the portal cannot store, in a request: a 400 naming where."""

    code = "bad_character"
    what = "a character"
    why = "The portal cannot store it"

    def __init__(self, location: str, field: str):
        self.location = location
        self.field = _printable(field)
        self.details = {"location": location, "field": self.field}
        super().__init__(f"The {_WHERE[location]} has {self.what} in '{self.field}'. {self.why}, "
                         "so nothing was done; remove it and send the request again.")


class NulCharacter(RefusedCharacter):
    """A NUL in a query string, header, cookie, form or body."""

    code = "nul_character"
    what = "a NUL character (U+0000)"


class LoneSurrogate(RefusedCharacter):
    """Half a UTF-16 surrogate pair, which only JSON's escapes can write (\\ud800): no text
    encodes it, so neither the database nor an answer that quotes it could hold it."""

    code = "lone_surrogate"
    what = "a lone surrogate (an escape such as \\ud800 without its pair)"
    why = "It is not a character"


_WHERE = {"query": "query string", "header": "request's headers", "cookie": "request's cookies",
          "form": "form", "json": "JSON body", "body": "body"}


def _printable(name: str, limit: int = 80) -> str:
    shown = UNSTORABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", name)
    return shown if len(shown) <= limit else shown[:limit] + "..."


class NulGuardMiddleware:
    """The path, query string, headers and cookies on the way in; the body once the view is known
    (process_view), so that NUL_REPORTED_BY_VALIDATOR can name its field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if NUL in request.path_info:
            raise Http404("Not found: the path has a NUL character (%00).")
        _refuse("query", _pairs(request.GET))
        _refuse("header", ((key, value) for key, value in request.META.items()
                           if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")))
        _refuse("cookie", request.COOKIES.items())
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        exempt = NUL_REPORTED_BY_VALIDATOR.get(match.view_name) if match else None
        _check_body(request, exempt)
        return None


def _pairs(data: QueryDict) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        for value in values:
            yield key, value


def _refuse(location: str, pairs: Iterable[tuple[str, Any]], exempt: str | None = None) -> None:
    for key, value in pairs:
        if NUL in key or (key != exempt and isinstance(value, str) and NUL in value):
            raise NulCharacter(location, key)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _check_body(request: HttpRequest, exempt: str | None) -> None:
    length = _content_length(request)
    if length <= 0:
        return
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    within = limit is None or length <= limit
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        _check_form(request, content_type, within, exempt)
    elif not within:
        return
    elif content_type == "application/json" or content_type.endswith("+json"):
        _check_json(request.body, request.encoding, exempt)
    elif exempt is None and NUL.encode() in request.body:
        raise NulCharacter("body", content_type or "the body")


def _check_form(request: HttpRequest, content_type: str, within: bool, exempt: str | None) -> None:
    if within:
        # Read once and kept, so a DRF view parses the same bytes again with its own parsers.
        body = request.body
    if request.method != "POST":
        if content_type == FORM_TYPES[0] and within:
            _refuse("form", _pairs(QueryDict(body, encoding="utf-8")), exempt)
        return
    try:
        fields, files = request.POST, request.FILES
    except MultiPartParserError as exc:
        raise BadRequest(f"The multipart body cannot be read: {exc}") from None
    _refuse("form", _pairs(fields), exempt)
    # A file's part name; Django drops non-printable characters from the file's own name.
    _refuse("form", ((key, "") for key in files))


def _check_json(raw: bytes, encoding: str | None, exempt: str | None) -> None:
    # In valid JSON a NUL or a lone surrogate is an escape (\u0000, \ud800; raw control
    # characters are a parse error), or NUL bytes are those of a UTF-16/32 text: only then is the
    # body decoded and walked.
    if _JSON_SUSPECT.search(raw) is None:
        return
    try:
        data = json.loads(raw.decode(encoding or "utf-8"))
    except (UnicodeDecodeError, LookupError, ValueError, RecursionError):
        return  # the view refuses what it cannot parse (DRF: 400)
    found = _refused_in_json(data, exempt)
    if found is not None:
        raise found


def _refused_in_json(data: Any, exempt: str | None) -> RefusedCharacter | None:
    """The refusal of the first string or key with a NUL or a lone surrogate, naming its path
    ("a.b[2]"), or None. Iterative, so no nesting depth is a RecursionError. In the top-level
    `exempt` field's string a NUL is let through (NUL_REPORTED_BY_VALIDATOR)."""
    todo: list[tuple[str, Any]] = [("", data)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, str):
            nul_ok = exempt is not None and path == exempt
            refused = _refused(value, path or "(the whole body)", nul_ok=nul_ok)
            if refused is not None:
                return refused
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}" if path else str(key)
                refused = _refused(str(key), inner)
                if refused is not None:
                    return refused
                todo.append((inner, item))
        elif isinstance(value, list):
            todo.extend((f"{path}[{n}]", item) for n, item in enumerate(value))
    return None


def _refused(text: str, field: str, *, nul_ok: bool = False) -> RefusedCharacter | None:
    for match in UNSTORABLE.finditer(text):
        if match[0] != NUL:
            return LoneSurrogate("json", field)
        if not nul_ok:
            return NulCharacter("json", field)
    return None
