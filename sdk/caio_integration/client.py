"""CAIOClient (async) and SyncCAIOClient (blocking): the portal's REST API from Python.

    async with CAIOClient() as client:          # base URL from CAIO_URL, token from CAIO_TOKEN
        submission = await client.register_service(contract_path=Path("my_service.yaml"))
        registered = await client.wait_for_registration(submission.id, timeout=300)
        services = await client.discover_services(capabilities=["text_generation"])

A contract is always sent as its text: a ``Path`` (or ``contract_path=``) is read here, on the
client; no path ever reaches the server. Answers are typed dataclasses (caio_integration.results)
that also read like the JSON they came from. Errors are caio_integration.exceptions: APIError and
its subclasses carry ``status``, ``code`` and ``diagnostics``.

Endpoints used (under ``/api/v1``): ``integration/validate-contract``,
``integration/register-service``, ``integration/discover-services``, ``submissions/{id}/``,
``submissions/{id}/cancel/``, ``services/``, ``services/{id}/``, ``services/{id}/versions/``,
``services/{id}/deprecate/``, ``services/{id}/withdraw/``, ``me/``.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from ._http import (
    API_ROOT,
    Call,
    ContractSource,
    Pager,
    RegistrationWatch,
    Retries,
    check_token_transport,
    contract_argument,
    contract_text,
    decode,
    diagnostics,
    object_payload,
    raise_for,
    resolve_base_url,
    resolve_token,
    segment,
    submission_id,
)
from ._version import __version__
from .contracts import ValidationResult
from .exceptions import APIError, CAIOConnectionError, DiscoveryError, RegistrationError
from .results import Me, Operation, Service, ServiceList, ServiceVersion, Submission

API_PREFIX = f"{API_ROOT}/integration"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_RETRY_WAIT = 60.0
DEFAULT_WAIT_TIMEOUT = 600.0
_USER_AGENT = f"caio-integration-sdk/{__version__}"

PathArg = str | os.PathLike[str]
StatusCallback = Callable[[Submission], None]

__all__ = ["CAIOClient", "SyncCAIOClient", "contract_text"]


def _validation(_response: httpx.Response, payload: Any) -> ValidationResult:
    data = payload.get("data") if isinstance(payload, dict) else None
    return ValidationResult(diagnostics(payload), data if isinstance(data, dict) else None)


def _submission(response: httpx.Response, payload: Any) -> Submission:
    return Submission.from_json(object_payload(payload, RegistrationError),
                                already_submitted=response.status_code == 200)


def _reader(kind: Any) -> Callable[[httpx.Response, Any], Any]:
    return lambda _response, payload: kind.from_json(object_payload(payload, APIError))


def _discovered(_response: httpx.Response, payload: Any) -> ServiceList:
    try:
        return ServiceList.from_json(payload)
    except ValueError:
        raise DiscoveryError("unexpected discovery answer", payload=payload) from None


def _multi(name: str, value: str | list[str] | tuple[str, ...] | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    return [(name, v) for v in ([value] if isinstance(value, str) else value)]


class _Base:
    """Settings and the request of each endpoint, shared by both clients."""

    def __init__(self, base_url: str | None = None, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT) -> None:
        self.base_url = resolve_base_url(base_url)
        self.token = resolve_token(token)
        check_token_transport(self.base_url, self.token)
        if max_retries < 0 or max_retry_wait < 0:
            raise ValueError("max_retries and max_retry_wait must not be negative")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_ROOT}{path}"

    def _retries(self) -> Retries:
        return Retries(self.max_retries, self.max_retry_wait)

    def _unreachable(self, exc: Exception) -> CAIOConnectionError:
        return CAIOConnectionError(f"cannot reach {self.base_url}: {exc}")

    def _answer(self, call: Call, response: httpx.Response) -> Any:
        payload = decode(response)
        if response.status_code >= 400:
            raise_for(response, payload, call.error, has_token=bool(self.token))
        return call.read(response, payload)

    # --- the requests -----------------------------------------------------------------------

    @staticmethod
    def _validate_call(text: str) -> Call:
        return Call("POST", "/integration/validate-contract", _validation,
                    json={"contract": text}, idempotent=True)

    @staticmethod
    def _register_call(text: str, idempotency_key: str | None) -> Call:
        # One key per logical call: every retry carries it, so the portal registers once.
        key = idempotency_key or str(uuid.uuid4())
        return Call("POST", "/integration/register-service", _submission,
                    json={"contract": text}, headers={"Idempotency-Key": key},
                    error=RegistrationError, idempotent=True)

    @staticmethod
    def _discover_call(capabilities: list[str] | None, guarantees: dict[str, Any] | None,
                       constraints: dict[str, Any] | None, filters: dict[str, Any],
                       cursor: str | None = None) -> Call:
        body: dict[str, Any] = {"capabilities": list(capabilities or [])}
        if guarantees:
            body["guarantees"] = guarantees
        if constraints:
            body["constraints"] = constraints
        body.update(filters)
        if cursor is not None:
            body["cursor"] = cursor
        return Call("POST", "/integration/discover-services", _discovered, json=body,
                    error=DiscoveryError, idempotent=True)

    @staticmethod
    def _get_call(path: str, read: Callable[[httpx.Response, Any], Any],
                  params: Any = None) -> Call:
        return Call("GET", path, read, params=params, idempotent=True)

    @staticmethod
    def _post_call(path: str, read: Callable[[httpx.Response, Any], Any],
                   body: Any = None) -> Call:
        return Call("POST", path, read, json=body)

    @staticmethod
    def _service_filters(q: str | None, capability: str | list[str] | None,
                         language: str | list[str] | None, max_p95: int | None,
                         min_accuracy: float | None, min_availability: float | None,
                         max_price: Any, currency: str | None, owner: str | None,
                         sort: str | None, page_size: int) -> list[tuple[str, str]]:
        params = [*_multi("capability", capability), *_multi("language", language)]
        for name, value in (("q", q), ("max_p95", max_p95), ("min_accuracy", min_accuracy),
                            ("min_availability", min_availability), ("max_price", max_price),
                            ("currency", currency), ("owner", owner), ("sort", sort)):
            if value is not None:
                params.append((name, str(value)))
        params.append(("limit", str(page_size)))
        return params

    def _services_pager(self, *filters: Any) -> Pager:
        return Pager("/services/", self._service_filters(*filters), Service.from_json)

    @staticmethod
    def _versions_pager(service_id: str) -> Pager:
        return Pager(f"/services/{segment(service_id)}/versions/", [("limit", "200")],
                     ServiceVersion.from_json)

    def _watch(self, timeout: float | None, poll_interval: float, max_interval: float,
               on_status: StatusCallback | None) -> RegistrationWatch:
        return RegistrationWatch(timeout=timeout, poll_interval=poll_interval,
                                 max_interval=max_interval, on_status=on_status)


class CAIOClient(_Base):
    """Asynchronous client of the portal's API (use ``async with``).

    ``base_url`` defaults to ``$CAIO_URL`` and ``token`` to ``$CAIO_TOKEN`` (``token=""``: send
    none). Requests answered 429 or 503 are retried after ``Retry-After``; connection failures
    are retried for calls that are safe to repeat; at most ``max_retries`` retries and
    ``max_retry_wait`` seconds of waiting per call.
    """

    def __init__(self, base_url: str | None = None, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(base_url, token, timeout=timeout, max_retries=max_retries,
                         max_retry_wait=max_retry_wait)
        self._http = httpx.AsyncClient(timeout=timeout, headers=self._headers(),
                                       transport=transport)

    async def __aenter__(self) -> CAIOClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call) -> Any:
        retries = self._retries()
        while True:
            try:
                response = await self._http.request(
                    call.method, self._url(call.path), json=call.json, params=call.params,
                    headers=call.headers)
            except httpx.TransportError as exc:
                delay = retries.after_error(exc, call)
                if delay is None:
                    raise self._unreachable(exc) from exc
            else:
                delay = retries.after_response(response)
                if delay is None:
                    return self._answer(call, response)
            await asyncio.sleep(delay)

    async def validate_contract(self, contract: ContractSource | None = None, *,
                                contract_path: PathArg | None = None) -> ValidationResult:
        """The portal's verdict on a contract (the same validator as ``caio validate``)."""
        return await self._send(self._validate_call(contract_argument(contract, contract_path)))

    async def register_service(self, contract: ContractSource | None = None, *,
                               contract_path: PathArg | None = None,
                               idempotency_key: str | None = None) -> Submission:
        """Submit a contract for registration; returns the submission (201/202 for a new one;
        200, ``already_submitted``, when the same text was submitted before).

        Raises ContractValidationError when the portal finds the contract invalid (422),
        AuthenticationError, RegistrationError (e.g. 409 ``service_id_taken``) or
        CAIOConnectionError.
        """
        text = contract_argument(contract, contract_path)
        return await self._send(self._register_call(text, idempotency_key))

    async def discover_services(self, capabilities: list[str] | None = None, *,
                                guarantees: dict[str, Any] | None = None,
                                constraints: dict[str, Any] | None = None,
                                cursor: str | None = None, **filters: Any) -> ServiceList:
        """Registered services with these capabilities that meet the guarantees and constraints
        (``budget``, ``include_deprecated``, ``sort`` and ``limit`` as keyword filters), best
        first, one page: ``total`` says how many match, and ``cursor=services.next`` with the
        same query gives the next page."""
        return await self._send(self._discover_call(capabilities, guarantees, constraints,
                                                    filters, cursor))

    async def get_submission(self, submission: int | str | Submission) -> Submission:
        """A submission of yours, with its timeline (``events``)."""
        path = f"/submissions/{submission_id(submission)}/"
        return await self._send(self._get_call(path, _reader(Submission)))

    async def cancel_submission(self, submission: int | str | Submission) -> Submission:
        """Cancel a submission no worker has claimed yet (409 ``cancel_refused`` when late)."""
        path = f"/submissions/{submission_id(submission)}/cancel/"
        return await self._send(self._post_call(path, _reader(Submission)))

    async def wait_for_registration(self, submission: int | str | Submission, *,
                                    timeout: float | None = DEFAULT_WAIT_TIMEOUT,
                                    poll_interval: float = 1.0, max_interval: float = 15.0,
                                    on_status: StatusCallback | None = None) -> Submission:
        """Poll a submission (every ``poll_interval`` seconds, growing to ``max_interval``)
        until it is registered, and return it.

        ``on_status(submission)`` is called on each change of status: ``pending_review``
        means it waits for a reviewer. Raises SubmissionFailedError, SubmissionRejectedError
        or SubmissionCancelledError (with ``reason``), or WaitTimeoutError (with
        ``waiting_for_review``) after ``timeout`` seconds (None: no limit).
        """
        watch = self._watch(timeout, poll_interval, max_interval, on_status)
        while True:
            current = await self.get_submission(submission)
            delay = watch.delay(current)
            if delay is None:
                return current
            await asyncio.sleep(delay)

    async def get_service(self, service_id: str) -> Service:
        """A registered service at its current version (410 once withdrawn)."""
        return await self._send(self._get_call(f"/services/{segment(service_id)}/",
                                               _reader(Service)))

    def list_services(self, *, q: str | None = None, capability: str | list[str] | None = None,
                      language: str | list[str] | None = None, max_p95: int | None = None,
                      min_accuracy: float | None = None, min_availability: float | None = None,
                      max_price: Any = None, currency: str | None = None,
                      owner: str | None = None, sort: str | None = None, page_size: int = 100
                      ) -> AsyncIterator[Service]:
        """Every service of the catalogue that matches the filters (the catalogue's own:
        ``capability`` and ``language`` take one value or a list), fetched page after page:
        ``async for service in client.list_services(capability="ocr"): ...``."""
        return self._pages(self._services_pager(
            q, capability, language, max_p95, min_accuracy, min_availability, max_price,
            currency, owner, sort, page_size))

    async def list_versions(self, service_id: str) -> list[ServiceVersion]:
        """Every registered version of a service, newest first (all pages)."""
        return [version async for version in self._pages(self._versions_pager(service_id))]

    async def _pages(self, pager: Pager) -> AsyncIterator[Any]:
        while (call := pager.call()) is not None:
            for item in pager.items(await self._send(call)):
                yield item

    async def deprecate_service(self, service_id: str, successor: str | None = None
                                ) -> Operation:
        """Deprecate your service (optionally naming its successor); a worker does it."""
        return await self._send(self._post_call(f"/services/{segment(service_id)}/deprecate/",
                                                _reader(Operation), {"successor": successor}))

    async def withdraw_service(self, service_id: str) -> Operation:
        """Withdraw your service from the catalogue; a worker does it."""
        return await self._send(self._post_call(f"/services/{segment(service_id)}/withdraw/",
                                                _reader(Operation), {}))

    async def me(self) -> Me:
        """Who the token belongs to."""
        return await self._send(self._get_call("/me/", _reader(Me)))


class SyncCAIOClient(_Base):
    """Blocking twin of :class:`CAIOClient` (use ``with``); the same methods and answers."""

    def __init__(self, base_url: str | None = None, token: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(base_url, token, timeout=timeout, max_retries=max_retries,
                         max_retry_wait=max_retry_wait)
        self._http = httpx.Client(timeout=timeout, headers=self._headers(), transport=transport)

    def __enter__(self) -> SyncCAIOClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call) -> Any:
        retries = self._retries()
        while True:
            try:
                response = self._http.request(call.method, self._url(call.path), json=call.json,
                                              params=call.params, headers=call.headers)
            except httpx.TransportError as exc:
                delay = retries.after_error(exc, call)
                if delay is None:
                    raise self._unreachable(exc) from exc
            else:
                delay = retries.after_response(response)
                if delay is None:
                    return self._answer(call, response)
            time.sleep(delay)

    def validate_contract(self, contract: ContractSource | None = None, *,
                          contract_path: PathArg | None = None) -> ValidationResult:
        return self._send(self._validate_call(contract_argument(contract, contract_path)))

    def register_service(self, contract: ContractSource | None = None, *,
                         contract_path: PathArg | None = None,
                         idempotency_key: str | None = None) -> Submission:
        text = contract_argument(contract, contract_path)
        return self._send(self._register_call(text, idempotency_key))

    def discover_services(self, capabilities: list[str] | None = None, *,
                          guarantees: dict[str, Any] | None = None,
                          constraints: dict[str, Any] | None = None,
                          cursor: str | None = None, **filters: Any) -> ServiceList:
        return self._send(self._discover_call(capabilities, guarantees, constraints, filters,
                                              cursor))

    def get_submission(self, submission: int | str | Submission) -> Submission:
        path = f"/submissions/{submission_id(submission)}/"
        return self._send(self._get_call(path, _reader(Submission)))

    def cancel_submission(self, submission: int | str | Submission) -> Submission:
        path = f"/submissions/{submission_id(submission)}/cancel/"
        return self._send(self._post_call(path, _reader(Submission)))

    def wait_for_registration(self, submission: int | str | Submission, *,
                              timeout: float | None = DEFAULT_WAIT_TIMEOUT,
                              poll_interval: float = 1.0, max_interval: float = 15.0,
                              on_status: StatusCallback | None = None) -> Submission:
        watch = self._watch(timeout, poll_interval, max_interval, on_status)
        while True:
            current = self.get_submission(submission)
            delay = watch.delay(current)
            if delay is None:
                return current
            time.sleep(delay)

    def get_service(self, service_id: str) -> Service:
        return self._send(self._get_call(f"/services/{segment(service_id)}/", _reader(Service)))

    def list_services(self, *, q: str | None = None, capability: str | list[str] | None = None,
                      language: str | list[str] | None = None, max_p95: int | None = None,
                      min_accuracy: float | None = None, min_availability: float | None = None,
                      max_price: Any = None, currency: str | None = None,
                      owner: str | None = None, sort: str | None = None, page_size: int = 100
                      ) -> Iterator[Service]:
        return self._pages(self._services_pager(
            q, capability, language, max_p95, min_accuracy, min_availability, max_price,
            currency, owner, sort, page_size))

    def list_versions(self, service_id: str) -> list[ServiceVersion]:
        return list(self._pages(self._versions_pager(service_id)))

    def _pages(self, pager: Pager) -> Iterator[Any]:
        while (call := pager.call()) is not None:
            yield from pager.items(self._send(call))

    def deprecate_service(self, service_id: str, successor: str | None = None) -> Operation:
        return self._send(self._post_call(f"/services/{segment(service_id)}/deprecate/",
                                          _reader(Operation), {"successor": successor}))

    def withdraw_service(self, service_id: str) -> Operation:
        return self._send(self._post_call(f"/services/{segment(service_id)}/withdraw/",
                                          _reader(Operation), {}))

    def me(self) -> Me:
        return self._send(self._get_call("/me/", _reader(Me)))
