"""The exit codes of ``caio``, stable so that CI can act on them (documented in
sdk/docs/CLI_REFERENCE.md)."""

OK = 0
INVALID = 1        # a contract has errors; `diff`: a breaking change without a major bump
USAGE = 2          # bad arguments, a file that cannot be read, no portal URL configured
API = 3            # the portal answered an error (409 refused, 404, 5xx...)
AUTH = 4           # no token, or the portal refused it (401/403)
UNREACHABLE = 5    # the portal could not be reached
FAILED = 10        # register --wait: the worker could not register the submission
REJECTED = 11      # register --wait: a reviewer rejected it
CANCELLED = 12     # register --wait: it was cancelled
TIMEOUT = 13       # register --wait: still not registered after --timeout (maybe in review)

TABLE = (
    (OK, "success (validate: every file valid, warnings allowed; diff: no breaking change, or "
         "breaking changes under a major version bump; register --wait: registered)"),
    (INVALID, "a contract has errors (validate; register when the portal refuses it as "
              "invalid), or diff found a breaking change without a major version bump"),
    (USAGE, "usage error, a file that cannot be read, or no portal URL"),
    (API, "the portal answered an error (e.g. 409 refused, 404 not found, 5xx)"),
    (AUTH, "no token, or the portal refused it (401/403)"),
    (UNREACHABLE, "the portal could not be reached"),
    (FAILED, "register --wait: the submission failed (the worker could not register it)"),
    (REJECTED, "register --wait: a reviewer rejected the submission"),
    (CANCELLED, "register --wait: the submission was cancelled"),
    (TIMEOUT, "register --wait: not registered within --timeout (it may wait for a reviewer)"),
)


def epilog() -> str:
    return "Exit status: " + "; ".join(f"{code} {text}" for code, text in TABLE) + "."
