"""The caio commands that talk to the portal, run through main(argv) against a small HTTP server
on 127.0.0.1 that answers as the portal's API does: settings from flags, the environment and the
login file (0600), what each command sends and prints, and the exit codes CI relies on."""

from __future__ import annotations

import io
import json
import re
import socket
import stat
import threading
from http.server import ThreadingHTTPServer

import pytest
from sdk_scripted import JsonHandler

from caio_integration.cli import exits, main
from caio_integration.contracts import read_template

TOKEN = "caio_cli_token"


def submission(status: str, reason: str = "") -> dict:
    return {"id": 7, "service_id": "my-service", "revision": 2, "version": "1.0.0",
            "status": status, "status_display": status, "reason": reason,
            "created_at": "2025-01-02T03:04:05Z", "updated_at": None, "finished_at": None,
            "links": {"self": "/api/v1/submissions/7/"},
            "events": [{"at": "2025-01-02T03:04:05Z", "actor": "developer", "kind": "submitted",
                        "message": "Submitted for review."}]}


class Handler(JsonHandler):
    """The portal's API, scripted: ``state`` says what the next answers are."""

    state: dict = {}

    def _error(self, status: int, code: str, message: str, **top) -> None:
        self._send(status, {"error": {"code": code, "message": message, "details": None}, **top})

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        state = self.state
        state["requests"].append({"method": method, "path": self.path, "body": body,
                                  "auth": self.headers.get("Authorization")})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, "authentication_failed", "Invalid token.")
        route = (method, self.path.split("?")[0])
        if route == ("GET", "/api/v1/me/"):
            return self._send(200, {"id": 1, "email": "ada@example.com", "display_name": "Ada",
                                    "is_staff": False, "email_verified": state["verified"],
                                    "token": {"name": "laptop"}})
        if route == ("POST", "/api/v1/integration/register-service"):
            status, payload = state["register"]
            return self._send(status, payload)
        if route == ("GET", "/api/v1/submissions/7/"):
            statuses = state["statuses"]
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
            return self._send(200, submission(status, state.get("reason", "")))
        if route == ("POST", "/api/v1/submissions/7/cancel/"):
            return self._send(200, submission("cancelled"))
        if route == ("POST", "/api/v1/integration/discover-services"):
            return self._send(200, {"services": state["services"],
                                    "count": len(state["services"]), **state.get("paging", {})})
        match = re.fullmatch(r"/api/v1/services/([a-z0-9-]+)/(deprecate|withdraw)/", route[1])
        if method == "POST" and match:
            return self._send(202, {"id": 3, "kind": match[2], "status": "queued",
                                    "service_id": match[1], "successor": body.get("successor"),
                                    "created_at": "2025-01-02T03:04:05Z"})
        return self._error(404, "not_found", "Not found.")

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self):  # noqa: N802
        self._handle("POST")


@pytest.fixture
def portal(monkeypatch, tmp_path):
    """A scripted portal; the environment holds no CAIO_* settings; the config file is in
    tmp_path."""
    Handler.state = {"requests": [], "verified": True, "statuses": ["pending_review"],
                     "register": (201, submission("pending_review")), "services": []}
    for name in ("CAIO_URL", "CAIO_TOKEN", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAIO_CONFIG", str(tmp_path / "config" / "caio" / "config.json"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Handler.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def contract(tmp_path):
    path = tmp_path / "my_service.yaml"
    path.write_text(read_template("simple_service"))
    return str(path)


def caio(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- where the URL and the token come from --------------------------------------------------

def test_login_checks_the_token_says_whose_it_is_and_saves_it_readable_by_the_owner_only(
        portal, capsys, tmp_path):
    url, state = portal
    code, out, _ = caio(capsys, "login", "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert out.splitlines()[0] == f"Logged in to {url} as Ada <ada@example.com> with token " \
                                  "'laptop'."
    path = tmp_path / "config" / "caio" / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text()) == {"url": url, "token": TOKEN,
                                            "email": "ada@example.com"}
    assert [r["path"] for r in state["requests"]] == ["/api/v1/me/"]
    # Later commands need neither flags nor environment.
    code, out, _ = caio(capsys, "status", "7")
    assert code == exits.OK and out.startswith("Submission 7: my-service 1.0.0")
    assert state["requests"][-1]["auth"] == f"Bearer {TOKEN}"


def test_login_reads_the_token_from_standard_input_and_warns_of_an_unverified_email(
        portal, capsys, monkeypatch):
    url, state = portal
    state["verified"] = False
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TOKEN}\n"))
    code, out, _ = caio(capsys, "login", "--url", url)
    assert code == exits.OK
    assert "not verified yet" in out


def test_login_with_a_refused_token_saves_nothing_and_exits_4(portal, capsys, tmp_path):
    url, _ = portal
    code, _, err = caio(capsys, "login", "--url", url, "--token", "caio_wrong")
    assert code == exits.AUTH == 4
    assert "Invalid token." in err
    assert not (tmp_path / "config").exists()


def test_login_to_something_that_is_not_a_portal_says_so(portal, capsys, tmp_path):
    url, _ = portal
    code, _, err = caio(capsys, "login", "--url", f"{url}/elsewhere", "--token", TOKEN)
    assert code == exits.API
    assert "does not answer GET /api/v1/me/" in err and "Nothing was saved." in err
    assert not (tmp_path / "config").exists()


def test_the_saved_token_is_never_sent_to_another_url(portal, capsys):
    url, state = portal
    assert caio(capsys, "login", "--url", url, "--token", TOKEN)[0] == exits.OK
    other = url.replace("127.0.0.1", "localhost")
    code, _, err = caio(capsys, "status", "7", "--url", other)
    assert code == exits.AUTH
    assert state["requests"][-1]["auth"] is None
    assert "caio login" in err


def test_the_environment_gives_the_url_and_token_and_flags_win_over_it(portal, capsys,
                                                                        monkeypatch):
    url, state = portal
    monkeypatch.setenv("CAIO_URL", url)
    monkeypatch.setenv("CAIO_TOKEN", TOKEN)
    assert caio(capsys, "status", "7")[0] == exits.OK
    assert caio(capsys, "--token", "caio_flag", "status", "7")[0] == exits.AUTH
    assert state["requests"][-1]["auth"] == "Bearer caio_flag"
    assert caio(capsys, "status", "7", "--token", "caio_flag")[0] == exits.AUTH


def test_without_a_portal_url_anywhere_the_command_says_how_to_give_one(portal, capsys):
    code, _, err = caio(capsys, "status", "7")
    assert code == exits.USAGE
    assert "--url" in err and "CAIO_URL" in err and "caio login" in err


def test_an_unreachable_portal_exits_5(portal, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = caio(capsys, "status", "7", "--url", f"http://127.0.0.1:{port}",
                        "--token", TOKEN)
    assert code == exits.UNREACHABLE and "cannot reach" in err


# --- register -------------------------------------------------------------------------------

def test_register_sends_the_files_text_and_prints_the_submission(portal, capsys, contract):
    url, state = portal
    code, out, _ = caio(capsys, "register", contract, "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert out == ("Submission 7: my-service 1.0.0 (revision 2) is pending_review: it waits for "
                   "a reviewer (manual review).\nFollow it with: caio status 7\n")
    assert state["requests"][0]["body"] == {"contract": read_template("simple_service")}


def test_register_prints_the_changes_and_breaking_flags_the_reviewer_reads(portal, capsys,
                                                                          contract):
    url, state = portal
    answer = {**submission("pending_review"), "compared_version": "0.9.0", "breaking": True,
              "changes": [
                  {"kind": "price_raised", "path": "/cost/per_request", "breaking": True,
                   "message": "Price per request rose from 0.0005 to 0.001."},
                  {"kind": "capability_added", "path": "/capabilities/1", "breaking": False,
                   "message": "Capability text_embedding added."}]}
    state["register"] = (201, answer)
    code, out, _ = caio(capsys, "register", contract, "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert ("  Against the registered version 0.9.0: 2 changes, 1 breaking (a reviewer reads "
            "these before approving)\n    BREAKING Price per request rose from 0.0005 to "
            "0.001.\n    Capability text_embedding added.\n") in out
    state["register"] = (201, {**submission("pending_review"), "compared_version": None,
                               "breaking": False, "changes": []})
    code, out, _ = caio(capsys, "register", contract, "--url", url, "--token", TOKEN)
    assert "First registration" in out


def test_register_as_json_prints_the_portals_answer(portal, capsys, contract):
    url, _ = portal
    code, out, _ = caio(capsys, "register", contract, "--format", "json", "--url", url,
                        "--token", TOKEN)
    assert code == exits.OK and json.loads(out) == submission("pending_review")


def test_registering_the_same_text_again_is_a_success(portal, capsys, contract):
    url, state = portal
    state["register"] = (200, submission("registered"))
    code, out, _ = caio(capsys, "register", contract, "--url", url, "--token", TOKEN)
    assert code == exits.OK and out.startswith("This text was already submitted")


@pytest.mark.parametrize(("statuses", "reason", "exit_code", "says"), [
    (["queued", "registering", "registered"], "", exits.OK, "Registered: my-service 1.0.0"),
    (["queued", "failed"], "The endpoint did not answer.", exits.FAILED,
     "failed: The endpoint did not answer."),
    (["pending_review", "rejected"], "Latency claim unproven.", exits.REJECTED,
     "was rejected: Latency claim unproven."),
    (["queued", "cancelled"], "", exits.CANCELLED, "was cancelled"),
])
def test_register_wait_follows_the_submission_to_its_end_with_an_exit_code_per_outcome(
        portal, capsys, contract, statuses, reason, exit_code, says):
    url, state = portal
    state["register"] = (201, submission("queued"))
    state["statuses"], state["reason"] = list(statuses), reason
    code, out, err = caio(capsys, "register", contract, "--wait", "--interval", "0.01",
                          "--url", url, "--token", TOKEN)
    assert code == exit_code
    assert says in out + err


def test_the_exit_codes_ci_relies_on_are_stable():
    assert (exits.OK, exits.INVALID, exits.USAGE, exits.API, exits.AUTH, exits.UNREACHABLE,
            exits.FAILED, exits.REJECTED, exits.CANCELLED, exits.TIMEOUT) == (
        0, 1, 2, 3, 4, 5, 10, 11, 12, 13)
    assert [code for code, _text in exits.TABLE] == [0, 1, 2, 3, 4, 5, 10, 11, 12, 13]


def test_register_wait_says_plainly_it_waits_for_a_reviewer_and_times_out_with_13(
        portal, capsys, contract):
    url, _ = portal
    code, out, err = caio(capsys, "register", contract, "--wait", "--timeout", "0.3",
                          "--interval", "0.05", "--url", url, "--token", TOKEN)
    assert code == exits.TIMEOUT
    assert "waits for a reviewer (manual review); waiting up to 0.3 s" in err
    assert "is still pending_review after 0.3 s; it waits for a reviewer" in err


def test_register_wait_as_json_prints_only_the_final_submission(portal, capsys, contract):
    url, state = portal
    state["statuses"] = ["queued", "registered"]
    code, out, _ = caio(capsys, "register", contract, "--wait", "--interval", "0.01",
                        "--format", "json", "--url", url, "--token", TOKEN)
    assert code == exits.OK and json.loads(out)["status"] == "registered"


def test_a_contract_the_portal_refuses_prints_its_diagnostics_and_exits_1(
        portal, capsys, contract):
    url, state = portal
    diagnostic = {"severity": "error", "code": "required", "message": "'name' is required.",
                  "path": "", "line": 1, "column": 1, "hint": None}
    state["register"] = (422, {"error": {"code": "invalid_contract", "message": "1 error",
                                         "details": None}, "diagnostics": [diagnostic]})
    code, _, err = caio(capsys, "register", contract, "--url", url, "--token", TOKEN)
    assert code == exits.INVALID
    assert f"{contract}:1:1: error required: 'name' is required." in err


def test_a_refusal_of_the_portal_exits_3_with_its_code(portal, capsys, contract):
    url, state = portal
    state["register"] = (409, {"error": {"code": "submission_refused", "details": None,
                                         "message": "my-service already has an open submission."}})
    code, _, err = caio(capsys, "register", contract, "--url", url, "--token", TOKEN)
    assert code == exits.API == 3
    assert "my-service already has an open submission. (HTTP 409) [submission_refused]" in err


def test_register_of_a_missing_file_exits_2_and_sends_nothing(portal, capsys, tmp_path):
    url, state = portal
    code, _, err = caio(capsys, "register", str(tmp_path / "nope.yaml"), "--url", url,
                        "--token", TOKEN)
    assert code == exits.USAGE and "cannot open" in err
    assert state["requests"] == []


# --- status, cancel, discover, deprecate, withdraw ------------------------------------------

def test_status_prints_the_submission_and_its_timeline(portal, capsys):
    url, state = portal
    state["statuses"] = ["failed"]
    state["reason"] = "Timed out."
    code, out, _ = caio(capsys, "status", "7", "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert out.splitlines() == [
        "Submission 7: my-service 1.0.0 (revision 2) is failed: the worker could not register "
        "it.",
        "  Reason: Timed out.",
        "  Timeline:",
        "    2025-01-02 03:04:05  developer  submitted    Submitted for review.",
    ]


def test_cancel_prints_the_cancelled_submission(portal, capsys):
    url, state = portal
    code, out, _ = caio(capsys, "cancel", "7", "--url", url, "--token", TOKEN)
    assert code == exits.OK and "(revision 2) is cancelled.\n" in out
    assert state["requests"][0]["method"] == "POST"


def test_discover_maps_its_flags_to_the_discovery_body(portal, capsys):
    url, state = portal
    state["services"] = [{"service_id": "fast-chat", "version": "1.2.0", "p95_ms": 120,
                          "accuracy_min": 0.95, "cost_per_request": "0.002", "currency": "USD",
                          "status": "active", "owner": "Ada", "why": []}]
    code, out, _ = caio(capsys, "discover", "--capability", "text_generation", "--capability",
                        "translation", "--max-p95", "200", "--min-accuracy", "0.9",
                        "--language", "en", "--language", "de", "--max-price", "0.01",
                        "--sort", "latency", "--limit", "5", "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert state["requests"][0]["body"] == {
        "capabilities": ["text_generation", "translation"],
        "guarantees": {"latency": {"p95_ms": 200.0}, "accuracy": {"min": 0.9}},
        "constraints": {"supported_languages": ["en", "de"]},
        "budget": {"per_request": "0.01"}, "sort": "latency", "limit": 5}
    assert out.splitlines() == [
        "SERVICE    VERSION  P95 MS  ACCURACY  PRICE/REQUEST  STATUS  OWNER",
        "fast-chat  1.2.0    120     0.95      0.002 USD      active  Ada",
        "1 service.",
    ]
    code, out, _ = caio(capsys, "discover", "--capability", "ocr", "--format", "json",
                        "--url", url, "--token", TOKEN)
    assert json.loads(out) == {"services": state["services"], "count": 1}


def test_discover_says_n_of_total_and_how_to_get_the_next_page(portal, capsys):
    url, state = portal
    state["services"] = [{"service_id": "fast-chat", "version": "1.2.0", "status": "active"}]
    state["paging"] = {"total": 2500, "total_is_estimate": True, "next": "eyJvIjoxfQ"}
    code, out, _ = caio(capsys, "discover", "--limit", "1", "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert out.splitlines()[-2:] == [
        "1 of more than 2500 services.",
        "Next page: the same command with --cursor eyJvIjoxfQ"]
    code, out, _ = caio(capsys, "discover", "--limit", "1", "--cursor", "eyJvIjoxfQ",
                        "--format", "json", "--url", url, "--token", TOKEN)
    assert state["requests"][-1]["body"] == {"capabilities": [], "limit": 1,
                                             "cursor": "eyJvIjoxfQ"}
    assert json.loads(out) == {"services": state["services"], "count": 1, "total": 2500,
                               "total_is_estimate": True, "next": "eyJvIjoxfQ"}
    state["paging"] = {"total": 1, "total_is_estimate": False, "next": None}
    code, out, _ = caio(capsys, "discover", "--url", url, "--token", TOKEN)
    assert out.splitlines()[-1] == "1 of 1 service."


@pytest.mark.parametrize("argv", [["discover", "--max-price", "cheap"], ["status", "abc"],
                                  ["cancel", "0"], ["register", "x.yaml", "--timeout", "-1"]])
def test_bad_arguments_are_usage_errors_and_send_nothing(portal, capsys, argv):
    url, state = portal
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--url", url])
    assert caught.value.code == exits.USAGE
    assert state["requests"] == []


def test_deprecate_and_withdraw_send_their_requests_and_say_a_worker_does_it(portal, capsys):
    url, state = portal
    code, out, _ = caio(capsys, "deprecate", "my-service", "--successor", "my-service-2",
                        "--url", url, "--token", TOKEN)
    assert code == exits.OK
    assert out.splitlines() == [
        "Deprecation of my-service requested (operation 3, queued); a worker carries it out.",
        "Successor: my-service-2."]
    code, out, _ = caio(capsys, "withdraw", "my-service", "--yes", "--url", url,
                        "--token", TOKEN)
    assert code == exits.OK and out.startswith("Withdrawal of my-service requested")
    assert [(r["path"], r["body"]) for r in state["requests"]] == [
        ("/api/v1/services/my-service/deprecate/", {"successor": "my-service-2"}),
        ("/api/v1/services/my-service/withdraw/", {})]
