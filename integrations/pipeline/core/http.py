"""The ONE module that talks HTTP to the outside: the CAIO core's integration API.

`POST {url}/api/v1/integration/register-service` with `{"contract": {...}}`, and
`POST {url}/api/v1/integration/deregister-service` with `{"service_id": ...}`; both carry
`Authorization: Bearer <token>` (unless CAIO_CORE_AUTH=none) and `Idempotency-Key`.
`GET {url}/health`.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import httpx

from integrations.pipeline.core.base import (
    CorePermanentError,
    CoreRefusedCredentials,
    CoreResult,
    CoreTransientError,
)

logger = logging.getLogger(__name__)

REGISTER_PATH = "/api/v1/integration/register-service"
DEREGISTER_PATH = "/api/v1/integration/deregister-service"
HEALTH_PATH = "/health"
USER_AGENT = "caio-portal/0.1"
MAX_MESSAGE = 500

_clients: dict[tuple, HttpCoreGateway] = {}
_lock = threading.Lock()


def http_gateway(*, url: str, token: str, timeout: float) -> HttpCoreGateway:
    """One gateway (one connection pool) per process and configuration; safe after fork."""
    key = (os.getpid(), url, token, timeout)
    with _lock:
        gateway = _clients.get(key)
        if gateway is None:
            gateway = _clients[key] = HttpCoreGateway(url=url, token=token, timeout=timeout)
        return gateway


def _message(response: httpx.Response) -> str:
    """The core's own words for a refusal: JSON detail/message/error, else the body's start."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:MAX_MESSAGE]
    text = response.text.strip()
    return text[:MAX_MESSAGE] or response.reason_phrase or "no message"


class HttpCoreGateway:
    def __init__(self, *, url: str, token: str, timeout: float):
        self.url = url.rstrip("/")
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=self.url,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        where = f"{self.url}{path}"
        try:
            response = self._client.post(path, json=body, headers={"Idempotency-Key": idempotency_key})
        except httpx.TimeoutException as exc:
            raise CoreTransientError(f"The CAIO core did not answer in time ({where}): {exc!r}") from exc
        except httpx.TransportError as exc:
            raise CoreTransientError(f"Could not reach the CAIO core at {where}: {exc!r}") from exc
        code = response.status_code
        if code == 429 or code >= 500:
            raise CoreTransientError(
                f"The CAIO core answered {code}: {_message(response)}", status_code=code
            )
        if code in (401, 403):
            raise CoreRefusedCredentials(
                f"The CAIO core refuses the portal's credentials ({code}): {_message(response)}",
                status_code=code,
            )
        if not 200 <= code < 300:
            raise CorePermanentError(
                f"The CAIO core refused the request ({code}): {_message(response)}", status_code=code
            )
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # The request may have been applied; the same key makes a retry safe.
            raise CoreTransientError(
                f"The CAIO core answered {code} with a body that is not a JSON object.",
                status_code=code,
            )
        return data

    def register(self, *, contract: dict[str, Any], idempotency_key: str) -> CoreResult:
        data = self._post(REGISTER_PATH, {"contract": contract}, idempotency_key)
        return CoreResult(
            service_id=str(data.get("service_id") or contract.get("service_id") or ""),
            status=str(data.get("status") or "registered"),
            reference=str(data.get("reference") or data.get("id") or idempotency_key)[:200],
            data=data,
        )

    def deregister(self, *, service_id: str, idempotency_key: str) -> CoreResult:
        data = self._post(DEREGISTER_PATH, {"service_id": service_id}, idempotency_key)
        return CoreResult(
            service_id=str(data.get("service_id") or service_id),
            status=str(data.get("status") or "deregistered"),
            reference=str(data.get("reference") or data.get("id") or idempotency_key)[:200],
            data=data,
        )

    def check_credentials(self) -> tuple[bool | None, str]:
        """Whether the core accepts the portal's credentials, registering nothing: an empty
        registration without an Idempotency-Key, which the core refuses as incomplete (4xx)
        once it accepted the token, or as unauthorised (401/403). (True, ...) accepted,
        (False, ...) refused, (None, ...) the core cannot tell (unreachable, 5xx)."""
        try:
            response = self._client.post(REGISTER_PATH, json={"contract": None})
        except httpx.HTTPError as exc:
            return None, f"cannot reach the core at {self.url} ({exc.__class__.__name__}: {exc})"
        code = response.status_code
        if code in (401, 403):
            return False, (f"the core at {self.url} refuses the portal's credentials ({code}: "
                           f"{_message(response)}); check CAIO_CORE_TOKEN")
        if code >= 500:
            return None, f"the core at {self.url} answers {code}: {_message(response)}"
        return True, f"the core at {self.url} accepts the portal's credentials"

    def health(self) -> dict[str, Any]:
        try:
            response = self._client.get(HEALTH_PATH)
        except httpx.HTTPError as exc:
            return {"ok": False, "core": self.url, "error": repr(exc)}
        return {"ok": response.status_code == 200, "core": self.url, "status": response.status_code}
