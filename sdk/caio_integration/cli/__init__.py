"""The ``caio`` command: contracts on your machine (validate, templates, init, diff) and the
portal from a terminal or CI (login, register [--wait], status, cancel, discover, deprecate,
withdraw).

The portal's URL and token come from ``--url``/``--token``, then ``CAIO_URL``/``CAIO_TOKEN``,
then the file ``caio login`` writes (cli/config.py). Exit codes: cli/exits.py (and
sdk/docs/CLI_REFERENCE.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from .._version import __version__
from ..contracts import MAX_BYTES
from . import exits, local

EXIT_OK, EXIT_INVALID, EXIT_USAGE = exits.OK, exits.INVALID, exits.USAGE

REMOTE = ("login", "register", "status", "cancel", "discover", "deprecate", "withdraw")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, as we want
        self.print_usage(sys.stderr)
        self.exit(exits.USAGE, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive number of bytes")
    return value


def _submission_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a submission id (a number)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _decimal_text(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a decimal number") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError("must be a number of at least 0")
    return text


def _portal_options(*, top: bool) -> argparse.ArgumentParser:
    """--url and --token, accepted before the command or after it."""
    parent = argparse.ArgumentParser(add_help=False)
    default = None if top else argparse.SUPPRESS
    parent.add_argument("--url", default=default, metavar="URL",
                        help="the portal (default: $CAIO_URL, else the one of 'caio login')")
    parent.add_argument("--token", default=default, metavar="TOKEN",
                        help="an API token (default: $CAIO_TOKEN, else the one of 'caio login'); "
                             "prefer the environment: a flag shows in the process list")
    return parent


def _output_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    return parent


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="caio", description="CAIO Integration SDK command line.",
                     parents=[_portal_options(top=True)], epilog=exits.epilog())
    parser.add_argument("--version", action="version", version=f"caio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    portal, output = [_portal_options(top=False)], [_output_option()]

    validate = sub.add_parser(
        "validate", help="validate contract files", parents=output,
        description="Validate contract files against schema v1.",
        epilog="Exit status: 0 every file is valid (warnings allowed); 1 some file has an error "
        "(including bad encoding, an oversized file or a YAML syntax error); 2 usage error or "
        "a path that cannot be opened (never counted as valid).")
    validate.add_argument("paths", nargs="+", metavar="PATH",
                          help="contract YAML file ('-' for stdin)")
    validate.add_argument("--max-bytes", type=_positive, default=MAX_BYTES,
                          help=argparse.SUPPRESS)

    sub.add_parser("templates", help="list the templates and examples",
                   description="List the contract templates and examples shipped with the SDK.")

    init = sub.add_parser("init", help="start a contract from a template",
                          description="Write a contract from a template or example, with your "
                                      "service id.")
    init.add_argument("--service-id", metavar="ID",
                      help="the contract's service_id (template default: simple_service)")
    init.add_argument("--template", "-t", metavar="NAME", help="a name from 'caio templates'")
    init.add_argument("--name", metavar="TEXT",
                      help="the service's name in the catalogue (instead of the template's)")
    init.add_argument("--description", metavar="TEXT",
                      help="a sentence on what it does (instead of the template's)")
    init.add_argument("-o", "--output", metavar="FILE", default=None,
                      help="where to write it (default: contract.yaml; '-' for stdout)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    diff = sub.add_parser(
        "diff", help="what changed between two versions of a contract", parents=output,
        description="The change list of the portal's review, breaking changes flagged.",
        epilog="Exit status: 0 no breaking change, or only under a major version bump; 1 a "
               "breaking change without a major version bump; 2 usage error or a file that "
               "cannot be read as a contract.")
    diff.add_argument("old", metavar="OLD.yaml")
    diff.add_argument("new", metavar="NEW.yaml")

    login = sub.add_parser(
        "login", help="check a token and save it for this portal", parents=portal,
        description="Check an API token against the portal (GET /api/v1/me/), then save the URL "
                    "and token in a file only you can read. Without --token, the token is read "
                    "from standard input, or asked for.")
    login.set_defaults(format="text")

    register = sub.add_parser(
        "register", help="submit a contract for registration", parents=portal + output,
        description="Send a contract file's text to the portal for registration.",
        epilog=exits.epilog())
    register.add_argument("file", metavar="FILE")
    register.add_argument("--wait", action="store_true",
                          help="follow the submission until it is registered, failed or rejected")
    register.add_argument("--timeout", type=_seconds, default=600.0, metavar="S",
                          help="with --wait: give up after S seconds (default 600; exit 13)")
    register.add_argument("--interval", type=_seconds, default=2.0, metavar="S",
                          help="with --wait: first polling interval (default 2, growing to 15)")

    status = sub.add_parser("status", help="show a submission and its timeline",
                            parents=portal + output)
    status.add_argument("id", metavar="ID", type=_submission_id, help="the submission id")

    cancel = sub.add_parser("cancel", help="cancel a submission no worker has claimed yet",
                            parents=portal + output)
    cancel.add_argument("id", metavar="SUBMISSION", type=_submission_id)

    discover = sub.add_parser(
        "discover", help="find services by capability, guarantees and price",
        parents=portal + output,
        description="Registered services that declare every capability and meet every bound.")
    discover.add_argument("--capability", action="append", metavar="X",
                          help="a capability the service must have (repeat for several)")
    discover.add_argument("--max-p95", type=float, metavar="MS", help="p95 latency at most MS")
    discover.add_argument("--min-accuracy", type=float, metavar="A",
                          help="minimum accuracy at least A (0-1)")
    discover.add_argument("--min-availability", type=float, metavar="PCT",
                          help="availability target at least PCT")
    discover.add_argument("--language", action="append", metavar="L",
                          help="a language it must support, ISO 639-1 (repeat for several)")
    discover.add_argument("--max-price", type=_decimal_text, metavar="P",
                          help="cost per request at most P (in --currency, default USD)")
    discover.add_argument("--currency", metavar="CODE", help="currency of --max-price")
    discover.add_argument("--include-deprecated", action="store_true")
    discover.add_argument("--sort", choices=("cost", "latency", "newest"))
    discover.add_argument("--limit", type=int, metavar="N", help="at most N services (1-100)")
    discover.add_argument("--cursor", metavar="C",
                          help="the next page: the cursor the previous page printed, with the "
                               "same flags")

    deprecate = sub.add_parser("deprecate", help="deprecate one of your services",
                               parents=portal + output)
    deprecate.add_argument("service_id", metavar="ID")
    deprecate.add_argument("--successor", metavar="ID", help="the service that replaces it")

    withdraw = sub.add_parser("withdraw", help="withdraw one of your services",
                              parents=portal + output)
    withdraw.add_argument("service_id", metavar="ID")
    withdraw.add_argument("--yes", "-y", action="store_true", help="do not ask to confirm")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "init" and args.template is None and args.service_id is None:
        parser.error("init needs --service-id ID or --template NAME (or both)")
    try:
        if args.command in REMOTE:
            from . import remote

            return remote.run(getattr(remote, args.command), args)
        command = {"validate": local.validate, "templates": local.list_templates,
                   "init": local.init, "diff": local.diff}[args.command]
        return command(args)
    except BrokenPipeError:  # e.g. `caio templates | head -1`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return exits.INVALID
    except KeyboardInterrupt:
        return 130


__all__ = ["main"]
