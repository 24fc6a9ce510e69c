"""CAIOClient: talk to the CAIO Developer Portal's integration REST API.

Endpoints (all ``POST``, JSON, ``Authorization: Bearer <token>`` when a token is given):

* ``/api/v1/integration/validate-contract``  body ``{"contract": "<YAML text>"}``
  -> ``{"valid": bool, "diagnostics": [...]}``
* ``/api/v1/integration/register-service``   body ``{"contract": "<YAML text>"}`` plus an
  ``Idempotency-Key`` header -> the submission or registered entry (a JSON object)
* ``/api/v1/integration/discover-services``  body ``{"capabilities": [...], "guarantees": {...},
  "constraints": {...}, ...}`` -> ``{"services": [...], "count": n}``

A contract is always sent as its text. A ``pathlib.Path`` (or any ``os.PathLike``) is read here,
on the client, and its content is sent: no path ever reaches the server.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from .contracts import MAX_BYTES, Diagnostic, ValidationResult
from .exceptions import (
    APIError,
    AuthenticationError,
    CAIOConnectionError,
    CAIOError,
    ContractValidationError,
    DiscoveryError,
    RegistrationError,
)

API_PREFIX = "/api/v1/integration"
DEFAULT_TIMEOUT = 10.0
_USER_AGENT = "caio-integration-sdk/1.0.0"
_DIAGNOSTIC_FIELDS = {f.name for f in fields(Diagnostic)}

ContractSource = str | bytes | os.PathLike[str] | dict[str, Any]


def contract_text(contract: ContractSource) -> str:
    """The YAML text to send for ``contract``.

    ``str`` is YAML text; ``bytes`` is UTF-8 YAML; an ``os.PathLike`` (e.g. ``Path``) is a local
    file, read here; a ``dict`` is a parsed contract, dumped as YAML.
    """
    if isinstance(contract, os.PathLike):
        with open(contract, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CAIOError(f"{os.fspath(contract)} is larger than {MAX_BYTES} bytes")
        contract = raw
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


def _diagnostics(payload: Any) -> list[Diagnostic]:
    items = payload.get("diagnostics") if isinstance(payload, dict) else None
    out = []
    for item in items or ():
        if isinstance(item, dict) and {"severity", "code", "message"} <= item.keys():
            out.append(Diagnostic(**{k: v for k, v in item.items() if k in _DIAGNOSTIC_FIELDS}))
    return out


def _data(payload: Any) -> dict[str, Any] | None:
    data = payload.get("data") if isinstance(payload, dict) else None
    return data if isinstance(data, dict) else None


def _payload(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _message(payload: Any, status: int) -> str:
    """The server's own words: the portal answers {"error": {"code", "message", "details"}}."""
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        for key in ("detail", "message", "error"):
            if isinstance(payload.get(key), str):
                return payload[key]
    return f"HTTP {status}"


_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _check_base_url(base_url: str, token: str | None) -> None:
    parsed = urlsplit(base_url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise ValueError("base_url must be an https:// URL (http:// only for localhost)")
    loopback = parsed.hostname in _LOOPBACK_HOSTS or parsed.hostname.startswith("127.")
    if parsed.scheme == "http" and token and not loopback:
        raise ValueError(
            "refusing to send an API token over plain http:// to "
            f"{parsed.hostname}; use https:// (http:// is allowed only for localhost)"
        )


def _check(response: httpx.Response, error: type[APIError]) -> Any:
    """Return the JSON payload of a successful response, or raise the matching SDK error."""
    payload = _payload(response)
    status = response.status_code
    if status < 400:
        return payload
    message = _message(payload, status)
    if status in (401, 403):
        raise AuthenticationError(f"authentication failed: {message}", status=status,
                                  payload=payload)
    diagnostics = _diagnostics(payload)
    if status in (400, 422) and diagnostics:
        raise ContractValidationError(diagnostics)
    raise error(f"{message} (HTTP {status})", status=status, payload=payload)


def _discovery_body(capabilities, guarantees, constraints, extra) -> dict[str, Any]:
    body: dict[str, Any] = {"capabilities": list(capabilities or [])}
    if guarantees:
        body["guarantees"] = guarantees
    if constraints:
        body["constraints"] = constraints
    body.update(extra)
    return body


def _services(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict) and isinstance(payload.get("services"), list):
        return payload["services"]
    if isinstance(payload, list):
        return payload
    raise DiscoveryError("unexpected discovery response", payload=payload)


class _Base:
    def __init__(self, base_url: str, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        _check_base_url(base_url, token)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _url(self, name: str) -> str:
        return f"{self.base_url}{API_PREFIX}/{name}"


class CAIOClient(_Base):
    """Asynchronous client of the portal's integration API (use ``async with``)."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        super().__init__(base_url, token, timeout=timeout)
        self._http = httpx.AsyncClient(timeout=timeout, headers=self._headers(),
                                       transport=transport)

    async def __aenter__(self) -> CAIOClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _post(self, name: str, body: dict[str, Any], error: type[APIError],
                    headers: dict[str, str] | None = None) -> Any:
        try:
            response = await self._http.post(self._url(name), json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise CAIOConnectionError(f"cannot reach {self.base_url}: {exc}") from exc
        return _check(response, error)

    async def validate_contract(self, contract: ContractSource) -> ValidationResult:
        """Ask the portal for its verdict on a contract."""
        payload = await self._post("validate-contract", {"contract": contract_text(contract)},
                                   APIError)
        return ValidationResult(_diagnostics(payload), _data(payload))

    async def register_service(self, contract: ContractSource, *,
                               idempotency_key: str | None = None) -> dict[str, Any]:
        """Submit a contract for registration; returns the portal's JSON answer.

        Raises ContractValidationError when the portal rejects the contract,
        AuthenticationError, RegistrationError or CAIOConnectionError otherwise.
        """
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        return await self._post("register-service", {"contract": contract_text(contract)},
                                RegistrationError, headers)

    async def discover_services(self, capabilities: list[str] | None = None, *,
                                guarantees: dict[str, Any] | None = None,
                                constraints: dict[str, Any] | None = None,
                                **filters: Any) -> list[dict[str, Any]]:
        """Find registered services matching capabilities, guarantees and constraints."""
        body = _discovery_body(capabilities, guarantees, constraints, filters)
        return _services(await self._post("discover-services", body, DiscoveryError))


class SyncCAIOClient(_Base):
    """Blocking twin of :class:`CAIOClient` (use ``with``)."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None
                 ) -> None:
        super().__init__(base_url, token, timeout=timeout)
        self._http = httpx.Client(timeout=timeout, headers=self._headers(), transport=transport)

    def __enter__(self) -> SyncCAIOClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _post(self, name: str, body: dict[str, Any], error: type[APIError],
              headers: dict[str, str] | None = None) -> Any:
        try:
            response = self._http.post(self._url(name), json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise CAIOConnectionError(f"cannot reach {self.base_url}: {exc}") from exc
        return _check(response, error)

    def validate_contract(self, contract: ContractSource) -> ValidationResult:
        payload = self._post("validate-contract", {"contract": contract_text(contract)}, APIError)
        return ValidationResult(_diagnostics(payload), _data(payload))

    def register_service(self, contract: ContractSource, *,
                         idempotency_key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        return self._post("register-service", {"contract": contract_text(contract)},
                          RegistrationError, headers)

    def discover_services(self, capabilities: list[str] | None = None, *,
                          guarantees: dict[str, Any] | None = None,
                          constraints: dict[str, Any] | None = None,
                          **filters: Any) -> list[dict[str, Any]]:
        body = _discovery_body(capabilities, guarantees, constraints, filters)
        return _services(self._post("discover-services", body, DiscoveryError))
