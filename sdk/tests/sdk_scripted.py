"""Scripted portal answers for the SDK client's tests (httpx.MockTransport)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import httpx

from caio_integration import CAIOClient, SyncCAIOClient

URL = "https://portal.test"
TOKEN = "caio_secret"


def submission(status: str = "pending_review", **extra) -> dict:
    return {"id": 7, "service_id": "my-service", "revision": 1, "version": "1.0.0",
            "status": status, "status_display": status.replace("_", " ").capitalize(),
            "reason": "", "created_at": "2025-01-02T03:04:05Z", "updated_at": None,
            "finished_at": None, "links": {"self": "/api/v1/submissions/7/"},
            "unknown_future_key": {"ignored": True}, **extra}


def error(status: int, code: str, message: str, details=None, **top) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message,
                                                  "details": details}, **top})


class Portal:
    """Scripted answers by (method, path): each request takes the next one; the last repeats.
    An answer may be an exception instance, raised as the transport's failure."""

    def __init__(self, **routes):
        self.routes = {tuple(key.split(" ", 1)): list(value) for key, value in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        script = self.routes.get((request.method, request.url.path))
        if script is None:
            return error(404, "not_found", f"no route {request.method} {request.url.path}")
        answer = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def bodies(self) -> list:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def client(portal: Portal, **kwargs) -> SyncCAIOClient:
    kwargs.setdefault("token", TOKEN)
    return SyncCAIOClient(URL, transport=httpx.MockTransport(portal), **kwargs)


def async_client(portal: Portal, **kwargs) -> CAIOClient:
    kwargs.setdefault("token", TOKEN)
    return CAIOClient(URL, transport=httpx.MockTransport(portal), **kwargs)


REGISTER = "POST /api/v1/integration/register-service"
SUBMISSION = "GET /api/v1/submissions/7/"




class JsonHandler(BaseHTTPRequestHandler):
    """A quiet http.server handler that answers JSON: the base of the tests' local portals."""

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
