"""A real HTTP server on 127.0.0.1 that speaks the CAIO core's integration API, for tests and bench.

    POST /api/v1/integration/register-service    {"contract": {...}}   + Idempotency-Key, Bearer
    POST /api/v1/integration/deregister-service  {"service_id": "..."} + Idempotency-Key, Bearer
    GET  /health

It dedupes by Idempotency-Key (a replay answers the stored response and applies nothing; the same
key with a different request is a 422), records every request, and can be scripted to fail:
status 500/503/422/429/401/403 (with a message), `hang` (apply, then hold the answer past the
client's timeout: the client cannot know it was applied), `stall` (hold the request without
applying it: a core that hangs), `delay` (answer slowly), `malformed` (apply, then answer broken
JSON). `latency_ms` delays every answer. `token` requires that bearer token (401 otherwise); it
may be changed while the server runs, as a core whose configuration was fixed.

In a test:    server = CoreServer(latency_ms=0).start(); server.script("register", {"status": 503})
As a process: python -m tests.support.core_server --port 8765 --latency-ms 20
              and drive it with CoreControl("http://127.0.0.1:8765") (same methods, over /_control/).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATHS = {
    "/api/v1/integration/register-service": "register",
    "/api/v1/integration/deregister-service": "deregister",
}
MESSAGES = {500: "internal error", 503: "core unavailable", 429: "too many requests",
            422: "contract refused", 401: "unauthorized", 403: "forbidden", 400: "bad request"}


class CoreState:
    """Everything the server knows; thread-safe. The methods are the scripting API."""

    def __init__(self, *, latency_ms: float = 0.0, token: str | None = None):
        self.lock = threading.Lock()
        self.latency = latency_ms / 1000.0
        self.token = token
        self.release_event = threading.Event()
        self.reset()

    # -- scripting --------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.faults: dict[str, deque] = {"register": deque(), "deregister": deque()}
            self.down_fault: dict[str, dict | None] = {"register": None, "deregister": None}
            self.by_key: dict[str, tuple[str, Any, int, dict]] = {}
            self.registered: dict[str, dict] = {}
            self._requests: list[dict] = []
            self._applied: list[dict] = []
            self.in_flight = 0
            self.peak_in_flight = 0  # the most requests it was answering at one time
            self.release_event.set()
            self.release_event = threading.Event()

    def script(self, op: str, *faults: dict) -> None:
        """The next len(faults) requests to `op` get these faults, in order; then normal answers."""
        with self.lock:
            self.faults[op].extend(faults)

    def down(self, op: str, fault: dict | None) -> None:
        """Every request to `op` gets `fault` (e.g. {"status": 503}) until down(op, None)."""
        with self.lock:
            self.down_fault[op] = fault

    def set_latency(self, latency_ms: float) -> None:
        self.latency = latency_ms / 1000.0

    def set_token(self, token: str | None) -> None:
        """Require this bearer token from now on (None: any or none)."""
        self.token = token

    def release(self) -> None:
        """End every hang now."""
        self.release_event.set()

    def requests(self, op: str | None = None) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self._requests if op is None or r["op"] == op]

    def applied(self, op: str | None = None) -> list[dict]:
        """The requests that changed the registry (a replay of a key is not applied again)."""
        with self.lock:
            return [dict(a) for a in self._applied if op is None or a["op"] == op]

    def state(self) -> dict:
        return {"requests": self.requests(), "applied": self.applied(),
                "registered": sorted(self.registered), "peak_in_flight": self.peak_in_flight}

    def begin(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def end(self) -> None:
        with self.lock:
            self.in_flight = max(0, self.in_flight - 1)

    # -- serving ----------------------------------------------------------------------------
    def _next_fault(self, op: str) -> dict | None:
        with self.lock:
            if self.faults[op]:
                return self.faults[op].popleft()
            return self.down_fault[op]

    def handle(self, op: str, key: str | None, auth: str | None, body: Any) -> tuple[int, Any]:
        """Returns (status, JSON-able body) or (status, bytes) for a raw malformed answer."""
        payload = body.get("contract") if op == "register" and isinstance(body, dict) else body
        service_id = (payload or {}).get("service_id") if isinstance(payload, dict) else None
        with self.lock:
            self._requests.append({"op": op, "key": key, "auth": auth, "service_id": service_id,
                                   "at": time.time()})
        if self.token is not None and auth != f"Bearer {self.token}":
            return 401, {"detail": "missing or wrong bearer token"}
        if not key:
            return 400, {"detail": "the Idempotency-Key header is required"}
        fault = self._next_fault(op) or {}
        if fault.get("stall"):
            self.release_event.wait(float(fault["stall"]))
            return 504, {"detail": "stalled"}
        if "status" in fault:
            code = int(fault["status"])
            return code, {"detail": fault.get("message") or MESSAGES.get(code, "error")}
        if fault.get("delay"):
            time.sleep(float(fault["delay"]))
        code, answer = self._apply(op, key, payload, service_id)
        if fault.get("hang"):
            self.release_event.wait(float(fault["hang"]))
        if fault.get("malformed"):
            return 200, b'{"service_id": "broken'
        return code, answer

    def _apply(self, op: str, key: str, payload: Any, service_id: str | None) -> tuple[int, dict]:
        with self.lock:
            if key in self.by_key:
                stored_op, stored_payload, code, answer = self.by_key[key]
                if stored_op != op or stored_payload != payload:
                    return 422, {"detail": "Idempotency-Key was already used for a different request"}
                return code, answer
            if op == "register":
                version = payload.get("version") if isinstance(payload, dict) else None
                if not isinstance(service_id, str) or not isinstance(version, str):
                    return 422, {"detail": "contract.service_id and contract.version are required"}
                self.registered[service_id] = payload
                answer = {"service_id": service_id, "status": "registered", "version": version,
                          "reference": f"core-{len(self._applied) + 1}", "contract": payload}
            else:
                if not isinstance(service_id, str):
                    return 422, {"detail": "service_id is required"}
                known = self.registered.pop(service_id, None) is not None
                answer = {"service_id": service_id,
                          "status": "deregistered" if known else "not_registered",
                          "reference": f"core-{len(self._applied) + 1}"}
                version = None
            self.by_key[key] = (op, payload, 200, answer)
            self._applied.append({"op": op, "key": key, "service_id": service_id,
                                  "version": version, "at": time.time()})
            return 200, answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeCaioCore/1.0"
    state: CoreState  # set on the subclass

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def _send(self, code: int, body: Any) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response_only(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self._headers_buffer.append(b"\r\n")
            # Headers and body in one write: two small writes would wait on delayed ACKs.
            self.wfile.write(b"".join(self._headers_buffer) + data)
            self._headers_buffer = []
        except OSError:
            self.close_connection = True  # the client went away (timed out or was killed)

    def do_GET(self):  # noqa: N802
        if self.path == "/health":
            return self._send(200, {"status": "ok"})
        if self.path == "/_control/state":
            return self._send(200, self.state.state())
        return self._send(404, {"detail": "not found"})

    def do_POST(self):  # noqa: N802
        body = self._read_json()
        if self.path.startswith("/_control/"):
            return self._control(self.path.removeprefix("/_control/"), body or {})
        op = PATHS.get(self.path)
        if op is None:
            return self._send(404, {"detail": "not found"})
        self.state.begin()
        try:
            if self.state.latency:
                time.sleep(self.state.latency)
            code, answer = self.state.handle(op, self.headers.get("Idempotency-Key"),
                                             self.headers.get("Authorization"), body)
        finally:
            self.state.end()
        self._send(code, answer)

    def _control(self, action: str, body: dict) -> None:
        s = self.state
        if action == "script":
            s.script(body["op"], *body.get("faults", []))
        elif action == "down":
            s.down(body["op"], body.get("fault"))
        elif action == "reset":
            s.reset()
        elif action == "release":
            s.release()
        elif action == "latency":
            s.set_latency(float(body["ms"]))
        elif action == "token":
            s.set_token(body.get("token"))
        else:
            return self._send(404, {"detail": f"no control action {action!r}"})
        self._send(200, {"ok": True})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class CoreServer:
    """The server in a background thread of this process. Scripting methods act directly."""

    def __init__(self, *, port: int = 0, latency_ms: float = 0.0, token: str | None = None):
        self.core = CoreState(latency_ms=latency_ms, token=token)
        handler = type("Handler", (_Handler,), {"state": self.core})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> CoreServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        name="fake-caio-core")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.core.release()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __getattr__(self, name):  # script, down, reset, release, requests, applied, state...
        if name == "core":
            raise AttributeError(name)
        return getattr(self.core, name)


class CoreControl:
    """Drive a core server running as another process, with the same methods as CoreServer."""

    def __init__(self, url: str):
        import httpx

        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=10)

    def _post(self, action: str, body: dict | None = None) -> None:
        self._client.post(f"/_control/{action}", json=body or {}).raise_for_status()

    def script(self, op: str, *faults: dict) -> None:
        self._post("script", {"op": op, "faults": list(faults)})

    def down(self, op: str, fault: dict | None) -> None:
        self._post("down", {"op": op, "fault": fault})

    def reset(self) -> None:
        self._post("reset")

    def release(self) -> None:
        self._post("release")

    def set_latency(self, latency_ms: float) -> None:
        self._post("latency", {"ms": latency_ms})

    def set_token(self, token: str | None) -> None:
        self._post("token", {"token": token})

    def state(self) -> dict:
        response = self._client.get("/_control/state")
        response.raise_for_status()
        return response.json()

    def requests(self, op: str | None = None) -> list[dict]:
        return [r for r in self.state()["requests"] if op is None or r["op"] == op]

    def applied(self, op: str | None = None) -> list[dict]:
        return [a for a in self.state()["applied"] if op is None or a["op"] == op]

    def wait_ready(self, timeout: float = 10.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._client.get("/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the core server at {self.url} did not start")
            time.sleep(0.05)


def duplicates(applied: list[dict]) -> list[tuple]:
    """(op, service_id, version) applied more than once: what the core must never see."""
    seen: dict[tuple, int] = {}
    for entry in applied:
        ident = (entry["op"], entry["service_id"], entry["version"])
        seen[ident] = seen.get(ident, 0) + 1
    return [ident for ident, count in seen.items() if count > 1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--token", default=None, help="require this bearer token")
    args = parser.parse_args(argv)
    server = CoreServer(port=args.port, latency_ms=args.latency_ms, token=args.token)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"fake CAIO core listening on {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
