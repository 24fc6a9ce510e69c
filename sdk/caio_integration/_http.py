"""What the async and the blocking client share: settings, requests as data, retries, errors.

The two clients differ only in how they send a request and how they sleep; everything they decide
(which URL, which body, whether to retry and how long to wait, which exception to raise, how to
read the answer, when a submission is done) is decided here, once.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import yaml

from .contracts import MAX_BYTES, Diagnostic
from .exceptions import (
    APIError,
    AuthenticationError,
    CAIOError,
    ConfigurationError,
    ContractValidationError,
    SubmissionCancelledError,
    SubmissionEndedError,
    SubmissionFailedError,
    SubmissionRejectedError,
    WaitTimeoutError,
)
from .results import CANCELLED, FAILED, REGISTERED, REJECTED, Submission

API_ROOT = "/api/v1"
ENV_URL = "CAIO_URL"
ENV_TOKEN = "CAIO_TOKEN"
RETRY_STATUSES = frozenset({429, 503})
_DIAGNOSTIC_FIELDS = {f.name for f in fields(Diagnostic)}
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}

ContractSource = str | bytes | os.PathLike[str] | dict[str, Any]


# --- settings -------------------------------------------------------------------------------

def resolve_base_url(base_url: str | None) -> str:
    """``base_url``, else ``$CAIO_URL``; an https:// URL (http:// is checked with the token)."""
    if not base_url:
        base_url = os.environ.get(ENV_URL, "").strip()
    if not base_url:
        raise ConfigurationError(
            "no portal URL: pass base_url=... (e.g. https://portal.example.com) or set CAIO_URL")
    parsed = urlsplit(base_url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise ConfigurationError("base_url must be an https:// URL (http:// only for localhost)")
    return base_url.rstrip("/")


def resolve_token(token: str | None) -> str | None:
    """``token``, else ``$CAIO_TOKEN``; an empty string means: send no token."""
    if token is None:
        token = os.environ.get(ENV_TOKEN, "").strip() or None
    return token or None


def check_token_transport(base_url: str, token: str | None) -> None:
    """Never send a token over plain http:// to a host other than this machine."""
    parsed = urlsplit(base_url)
    host = parsed.hostname or ""
    loopback = host in _LOOPBACK_HOSTS or host.startswith("127.")
    if parsed.scheme == "http" and token and not loopback:
        raise ConfigurationError(
            f"refusing to send an API token over plain http:// to {host}; use https:// "
            "(http:// is allowed only for localhost)")


# --- contracts ------------------------------------------------------------------------------

def contract_text(contract: ContractSource) -> str:
    """The YAML text to send for ``contract``.

    ``str`` is YAML text; ``bytes`` is UTF-8 YAML; an ``os.PathLike`` (e.g. ``Path``) is a local
    file, read here; a ``dict`` is a parsed contract, dumped as YAML.
    """
    if isinstance(contract, os.PathLike):
        return read_contract_file(contract)
    if isinstance(contract, bytes):
        try:
            return contract.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CAIOError(f"the contract is not valid UTF-8: {exc}") from exc
    if isinstance(contract, dict):
        return yaml.safe_dump(contract, sort_keys=False, allow_unicode=True)
    if isinstance(contract, str):
        return contract
    raise TypeError(f"contract must be str, bytes, a path or a dict, not {type(contract).__name__}")


def read_contract_file(path: str | os.PathLike[str]) -> str:
    """A local contract file's text (read on this machine; at most MAX_BYTES, UTF-8)."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise CAIOError(f"{os.fspath(path)} is larger than {MAX_BYTES} bytes")
    return contract_text(raw)


def contract_argument(contract: ContractSource | None,
                      contract_path: str | os.PathLike[str] | None) -> str:
    """The text to send, from exactly one of ``contract`` (text, bytes, dict, path) and
    ``contract_path`` (a local file, read here: never a path sent to the portal)."""
    if (contract is None) == (contract_path is None):
        raise TypeError("pass the contract (text, bytes, dict or Path) or contract_path=..., "
                        "not both")
    if contract_path is not None:
        if not isinstance(contract_path, (str, os.PathLike)):
            raise TypeError("contract_path must be a str or a Path")
        return read_contract_file(contract_path)
    return contract_text(contract)


# --- requests as data -----------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One API request and how to read its answer.

    ``idempotent``: safe to send again after a connection error that may have reached the
    portal (GETs, pure POSTs, and register-service with its Idempotency-Key).
    """

    method: str
    path: str
    read: Callable[[httpx.Response, Any], Any]
    json: Any = None
    params: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    error: type[APIError] = APIError
    idempotent: bool = False


def segment(value: object) -> str:
    """A path segment: an id from the caller never changes the path's shape."""
    return quote(str(value), safe="")


def submission_id(submission: int | str | Submission) -> str:
    if isinstance(submission, Submission):
        if submission.id is None:
            raise ValueError("this submission has no id")
        return segment(submission.id)
    return segment(submission)


def next_page_params(payload: Any) -> list[tuple[str, str]] | None:
    """The query of the next page of a paginated answer (its ``next`` link), or None.

    Only the query is kept, and sent to our own base URL: a ``next`` link built by a server
    behind a proxy may name an internal host, and the token must never go anywhere else.
    """
    nxt = payload.get("next") if isinstance(payload, dict) else None
    if not isinstance(nxt, str) or not nxt:
        return None
    return parse_qsl(urlsplit(nxt).query, keep_blank_values=True)


def page_results(payload: Any) -> list[Any]:
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return payload["results"]
    if isinstance(payload, list):
        return payload
    raise APIError("unexpected answer: not a page of results", payload=payload)


class Pager:
    """Walks a paginated list (``{"count", "next", "previous", "results"}``), page after page,
    following each answer's ``next`` link; it stops if a ``next`` points at a page already read.
    """

    def __init__(self, path: str, params: list[tuple[str, str]],
                 item: Callable[[Any], Any]) -> None:
        self.path = path
        self.params: list[tuple[str, str]] | None = params
        self.item = item
        self.seen: list[list[tuple[str, str]]] = []

    def call(self) -> Call | None:
        """The request of the next page, or None when every page was read."""
        if self.params is None or self.params in self.seen:
            return None
        self.seen.append(self.params)
        return Call("GET", self.path, lambda _response, payload: payload, params=self.params,
                    idempotent=True)

    def items(self, payload: Any) -> list[Any]:
        """The items of a page's answer (and remember where the next page is)."""
        self.params = next_page_params(payload)
        return [self.item(x) for x in page_results(payload) if isinstance(x, dict)]


# --- answers and errors ---------------------------------------------------------------------

def decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def diagnostics(payload: Any) -> list[Diagnostic]:
    items = payload.get("diagnostics") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return []
    return [Diagnostic(**{k: v for k, v in item.items() if k in _DIAGNOSTIC_FIELDS})
            for item in items
            if isinstance(item, dict) and {"severity", "code", "message"} <= item.keys()]


def _error_fields(payload: Any) -> tuple[str | None, str | None, Any]:
    """(message, code, details) from the portal's ``{"error": {"code", "message", "details"}}``
    (or DRF's ``{"detail"}``, or a bare ``message``)."""
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            message, code = error.get("message"), error.get("code")
            return (message if isinstance(message, str) else None,
                    code if isinstance(code, str) else None, error.get("details"))
        for key in ("detail", "message", "error"):
            if isinstance(payload.get(key), str):
                return payload[key], None, None
    return None, None, None


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds, or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def raise_for(response: httpx.Response, payload: Any, error: type[APIError], *,
              has_token: bool) -> None:
    """Raise the SDK error for an error answer (status >= 400)."""
    status = response.status_code
    message, code, details = _error_fields(payload)
    found = diagnostics(payload)
    common = {"status": status, "payload": payload, "code": code, "details": details,
              "diagnostics": found,
              "retry_after": retry_after_seconds(response.headers.get("Retry-After"))}
    if status in (401, 403):
        what = "authentication failed" if status == 401 else "permission denied"
        hint = "" if has_token else " (no token was sent: pass token=... or set CAIO_TOKEN)"
        raise AuthenticationError(f"{what}: {message or f'HTTP {status}'}{hint}", **common)
    if status in (400, 422) and found:
        raise ContractValidationError(found, status=status, code=code or "invalid_contract",
                                      payload=payload)
    text = f"{message} (HTTP {status})" if message else f"the portal answered HTTP {status}"
    raise error(text, **common)


def object_payload(payload: Any, error: type[APIError]) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise error("unexpected answer: not a JSON object", payload=payload)
    return payload


# --- retries --------------------------------------------------------------------------------

@dataclass
class Retries:
    """The retry budget of one logical call: at most ``max_retries`` more attempts and at most
    ``max_wait`` seconds of sleep in all.

    Retried: 429 and 503 (honouring ``Retry-After``), connection failures before the request was
    sent (for every call), and other transport errors (a reset, a read timeout) for idempotent
    calls only. A ``Retry-After`` longer than what is left of the budget is not waited for: the
    error is raised at once, with its ``retry_after``.
    """

    max_retries: int
    max_wait: float
    attempt: int = 0
    slept: float = 0.0

    def _backoff(self) -> float:
        return min(8.0, 0.5 * 2 ** self.attempt) * random.uniform(0.5, 1.0)

    def _take(self, delay: float) -> float | None:
        if self.attempt >= self.max_retries or self.slept + delay > self.max_wait:
            return None
        self.attempt += 1
        self.slept += delay
        return delay

    def after_response(self, response: httpx.Response) -> float | None:
        """Seconds to wait before sending again, or None: use this answer."""
        if response.status_code not in RETRY_STATUSES:
            return None
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        return self._take(self._backoff() if asked is None else asked)

    def after_error(self, exc: httpx.TransportError, call: Call) -> float | None:
        """Seconds to wait before sending again, or None: give up."""
        unsent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        if not (unsent or call.idempotent):
            return None
        return self._take(self._backoff())


# --- waiting for a registration -------------------------------------------------------------

_ENDED: dict[str, tuple[type[SubmissionEndedError], str]] = {
    FAILED: (SubmissionFailedError, "failed"),
    REJECTED: (SubmissionRejectedError, "was rejected"),
    CANCELLED: (SubmissionCancelledError, "was cancelled"),
}


def describe(submission: Submission) -> str:
    version = f" {submission.version}" if submission.version else ""
    return f"submission {submission.id} ({submission.service_id}{version})"


class RegistrationWatch:
    """The state machine of ``wait_for_registration``: poll with a growing interval until the
    submission is registered (returned), failed, rejected or cancelled (raised), or time is up.
    """

    def __init__(self, *, timeout: float | None, poll_interval: float, max_interval: float,
                 on_status: Callable[[Submission], None] | None) -> None:
        if poll_interval <= 0 or max_interval <= 0:
            raise ValueError("poll_interval and max_interval must be positive")
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.interval = poll_interval
        self.max_interval = max_interval
        self.on_status = on_status
        self.last_status: str | None = None

    def delay(self, submission: Submission) -> float | None:
        """None when ``submission`` is registered; else the seconds to wait before the next
        poll. Raises SubmissionEndedError or WaitTimeoutError."""
        if submission.status != self.last_status:
            self.last_status = submission.status
            if self.on_status is not None:
                self.on_status(submission)
        if submission.status == REGISTERED:
            return None
        if submission.status in _ENDED:
            kind, verb = _ENDED[submission.status]
            reason = f": {submission.reason}" if submission.reason else ""
            raise kind(f"{describe(submission)} {verb}{reason}", submission=submission)
        wait = min(self.interval, self.max_interval)
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise self._timeout(submission)
            wait = min(wait, remaining)
        self.interval = min(self.interval * 1.5, self.max_interval)
        return wait

    def _timeout(self, submission: Submission) -> WaitTimeoutError:
        waiting = ("; it waits for a reviewer to approve it (manual review)"
                   if submission.waiting_for_review else "")
        return WaitTimeoutError(
            f"{describe(submission)} is still {submission.status} after {self.timeout:g} s"
            f"{waiting}", submission=submission, timeout=self.timeout or 0.0)
