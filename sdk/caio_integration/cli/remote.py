"""The commands that talk to the portal: login, register, status, cancel, discover, deprecate,
withdraw. Each maps the client's errors to one exit code (exits.py) in ``run``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any

from ..client import SyncCAIOClient
from ..exceptions import (
    APIError,
    AuthenticationError,
    CAIOConnectionError,
    CAIOError,
    ConfigurationError,
    ContractValidationError,
    SubmissionCancelledError,
    SubmissionFailedError,
    SubmissionRejectedError,
    WaitTimeoutError,
)
from ..results import Service, ServiceList, Submission
from . import exits
from .config import resolve, save_config
from .local import cannot_open

# What each submission status means for the person waiting.
STATUS_TEXT = {
    "pending_review": "it waits for a reviewer (manual review)",
    "approved": "a worker will register it",
    "queued": "a worker will register it",
    "registering": "a worker is registering it",
    "registered": "it is in the catalogue",
    "rejected": "a reviewer rejected it",
    "failed": "the worker could not register it",
    "cancelled": "",
}


def _status_phrase(sub: Submission) -> str:
    text = STATUS_TEXT.get(sub.status or "", "")
    return f"is {sub.status or 'unknown'}" + (f": {text}" if text else "")


def _err(message: str) -> None:
    print(f"caio: {message}", file=sys.stderr)


def _client(args: argparse.Namespace, *, token: str | None = None) -> SyncCAIOClient:
    settings = resolve(getattr(args, "url", None), token or getattr(args, "token", None))
    if not settings.url:
        raise ConfigurationError("no portal URL: pass --url URL, set CAIO_URL, or run "
                                 "'caio login --url URL' once")
    # token="" (not None) so that the client does not look at CAIO_TOKEN a second time.
    return SyncCAIOClient(settings.url, settings.token or "")


def run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a portal command; every SDK error becomes a message and its exit code."""
    try:
        return command(args)
    except ConfigurationError as exc:
        _err(str(exc))
        return exits.USAGE
    except ContractValidationError as exc:
        source = getattr(args, "file", None) or "<contract>"
        for diag in exc.diagnostics:
            print(diag.format(source), file=sys.stderr)
        count = len(exc.errors)
        _err(f"the portal refused {source}: {count} error{'' if count == 1 else 's'}; nothing "
             "was submitted")
        return exits.INVALID
    except AuthenticationError as exc:
        hint = "" if args.command == "login" else " (log in with: caio login --url URL)"
        _err(f"{exc}{hint}")
        return exits.AUTH
    except APIError as exc:
        code = f" [{exc.code}]" if exc.code else ""
        _err(f"{exc}{code}")
        return exits.API
    except CAIOConnectionError as exc:
        _err(str(exc))
        return exits.UNREACHABLE
    except CAIOError as exc:  # e.g. a contract file that is too large or not UTF-8
        _err(str(exc))
        return exits.USAGE


# --- output ---------------------------------------------------------------------------------

def _json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def describe_submission(sub: Submission) -> list[str]:
    version = f" {sub.version}" if sub.version else ""
    lines = [f"Submission {sub.id}: {sub.service_id}{version} (revision {sub.revision}) "
             f"{_status_phrase(sub)}."]
    if sub.reason:
        lines.append(f"  Reason: {sub.reason}")
    return lines


def describe_changes(sub: Submission) -> list[str]:
    """What the submission changes against the registered version, as the reviewer reads it."""
    if "changes" not in sub.raw:
        return []  # an older portal
    if sub.compared_version is None:
        return ["  First registration: there is no registered version to compare with."]
    count = len(sub.changes)
    breaking = sum(1 for change in sub.changes if change.breaking)
    head = (f"  Against the registered version {sub.compared_version}: {count} "
            f"change{'s' if count != 1 else ''}")
    lines = [head + (f", {breaking} breaking (a reviewer reads these before approving)"
                     if breaking else ", nothing breaking")]
    lines += [f"    {'BREAKING ' if change.breaking else ''}{change.message}"
              for change in sub.changes]
    return lines


def _print_submission(sub: Submission, args: argparse.Namespace, *, events: bool = False
                      ) -> None:
    if args.format == "json":
        _json(sub.raw)
        return
    for line in describe_submission(sub):
        print(line)
    if events and sub.events:
        print("  Timeline:")
        for event in sub.events:
            when = event.at.strftime("%Y-%m-%d %H:%M:%S") if event.at else "?"
            print(f"    {when}  {event.actor or '-':<10} {event.kind or '-':<12} "
                  f"{event.message or ''}")


# --- commands -------------------------------------------------------------------------------

def _read_token(args: argparse.Namespace) -> str:
    if args.token and args.token != "-":
        return args.token.strip()
    if args.token == "-" or not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    return getpass.getpass("API token (from /accounts/tokens/): ").strip()


def login(args: argparse.Namespace) -> int:
    token = _read_token(args)
    if not token:
        _err("no token given (pass --token, pipe it on standard input, or type it)")
        return exits.USAGE
    with _client(args, token=token) as client:
        url = client.base_url
        try:
            me = client.me()
        except APIError as exc:
            if exc.status != 404:
                raise
            _err(f"{url} does not answer GET /api/v1/me/: is it a CAIO portal (and a recent "
                 "one)? Nothing was saved.")
            return exits.API
    path = save_config({"url": url, "token": token, "email": me.email})
    token_name = f" with token '{me.token.name}'" if me.token and me.token.name else ""
    print(f"Logged in to {url} as {me.display_name} <{me.email}>{token_name}.")
    print(f"Saved to {path} (readable by you only).")
    if not me.email_verified:
        print("Your email address is not verified yet: the portal accepts registrations once "
              "it is (see the link in your welcome email).")
    return exits.OK


def register(args: argparse.Namespace) -> int:
    with _client(args) as client:
        try:
            submission = client.register_service(contract_path=args.file)
        except OSError as exc:
            cannot_open(args.file, exc)
            return exits.USAGE
        if args.format == "text":
            if submission.already_submitted:
                print("This text was already submitted; here is that submission.")
            _print_submission(submission, args)
            for line in describe_changes(submission):
                print(line)
        if not args.wait:
            if args.format == "json":
                _json(submission.raw)
            else:
                print(f"Follow it with: caio status {submission.id}")
            return exits.OK
        return _wait(client, submission, args)


def _wait(client: SyncCAIOClient, submission: Submission, args: argparse.Namespace) -> int:
    last = [submission.status]

    def progress(current: Submission) -> None:
        if current.status != last[0]:
            last[0] = current.status
            _err(f"submission {current.id} {_status_phrase(current)}")

    if submission.waiting_for_review:
        _err(f"submission {submission.id} waits for a reviewer (manual review); waiting up to "
             f"{args.timeout:g} s")
    outcome = exits.OK
    try:
        final = client.wait_for_registration(submission, timeout=args.timeout,
                                             poll_interval=args.interval, on_status=progress)
    except WaitTimeoutError as exc:
        final, outcome = exc.submission, exits.TIMEOUT
        _err(str(exc))
    except (SubmissionFailedError, SubmissionRejectedError, SubmissionCancelledError) as exc:
        final = exc.submission
        outcome = {SubmissionFailedError: exits.FAILED, SubmissionRejectedError: exits.REJECTED,
                   SubmissionCancelledError: exits.CANCELLED}[type(exc)]
        _err(str(exc))
    if args.format == "json":
        _json(final.raw)
    elif outcome == exits.OK:
        print(f"Registered: {final.service_id} {final.version or ''} is in the catalogue.")
    return outcome


def status(args: argparse.Namespace) -> int:
    with _client(args) as client:
        _print_submission(client.get_submission(args.id), args, events=True)
    return exits.OK


def cancel(args: argparse.Namespace) -> int:
    with _client(args) as client:
        _print_submission(client.cancel_submission(args.id), args)
    return exits.OK


def discover_body(args: argparse.Namespace) -> dict[str, Any]:
    """The discover-services body for the command's flags (DiscoverRequestSerializer's names)."""
    guarantees: dict[str, Any] = {}
    if args.max_p95 is not None:
        guarantees["latency"] = {"p95_ms": args.max_p95}
    if args.min_accuracy is not None:
        guarantees["accuracy"] = {"min": args.min_accuracy}
    if args.min_availability is not None:
        guarantees["availability"] = {"target": args.min_availability}
    body: dict[str, Any] = {}
    if guarantees:
        body["guarantees"] = guarantees
    if args.language:
        body["constraints"] = {"supported_languages": args.language}
    budget: dict[str, Any] = {}
    if args.max_price is not None:
        budget["per_request"] = args.max_price
    if args.currency:
        budget["currency"] = args.currency.upper()
    if budget:
        body["budget"] = budget
    if args.include_deprecated:
        body["include_deprecated"] = True
    for name in ("sort", "limit"):
        if getattr(args, name) is not None:
            body[name] = getattr(args, name)
    return body


def _price(service: Service) -> str:
    if service.cost_per_request is None:
        return "-"
    return f"{service.cost_per_request} {service.currency or ''}".strip()


def _print_services(services: ServiceList) -> None:
    if not services:
        print("No service matches.")
        return
    rows = [("SERVICE", "VERSION", "P95 MS", "ACCURACY", "PRICE/REQUEST", "STATUS", "OWNER")]
    for s in services:
        rows.append((s.service_id or "", s.version or "", str(s.p95_ms or "-"),
                     "-" if s.accuracy_min is None else f"{s.accuracy_min:g}", _price(s),
                     s.status or "", s.owner or ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    print(f"{_shown(services)}.")
    if services.next:
        print(f"Next page: the same command with --cursor {services.next}")


def _shown(services: ServiceList) -> str:
    """"3 of 7 services", "20 of more than 2000 services", or "3 services" when no total."""
    if services.total is None:
        return f"{len(services)} service{'s' * (len(services) != 1)}"
    more = "more than " if services.total_is_estimate else ""
    return f"{len(services)} of {more}{services.total} service{'s' * (services.total != 1)}"


def discover(args: argparse.Namespace) -> int:
    with _client(args) as client:
        services = client.discover_services(args.capability or [], cursor=args.cursor,
                                            **discover_body(args))
    if args.format == "json":
        paging = {"total": services.total, "total_is_estimate": services.total_is_estimate,
                  "next": services.next} if services.total is not None else {}
        _json({"services": [s.raw for s in services], "count": services.count, **paging})
    else:
        _print_services(services)
    return exits.OK


def _confirm(question: str, args: argparse.Namespace) -> bool:
    if args.yes or not sys.stdin.isatty():
        return True
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _print_operation(operation, args: argparse.Namespace, what: str) -> None:
    if args.format == "json":
        _json(operation.raw)
        return
    print(f"{what} of {operation.service_id} requested (operation {operation.id}, "
          f"{operation.status}); a worker carries it out.")


def deprecate(args: argparse.Namespace) -> int:
    with _client(args) as client:
        operation = client.deprecate_service(args.service_id, successor=args.successor)
    _print_operation(operation, args, "Deprecation")
    if args.format == "text" and operation.successor:
        print(f"Successor: {operation.successor}.")
    return exits.OK


def withdraw(args: argparse.Namespace) -> int:
    if not _confirm(f"Withdraw {args.service_id} from the catalogue?", args):
        _err("nothing withdrawn")
        return exits.USAGE
    with _client(args) as client:
        operation = client.withdraw_service(args.service_id)
    _print_operation(operation, args, "Withdrawal")
    return exits.OK
